using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace QuickTry.Web.Tests;

/// <summary>The editor page at /, in real Chromium, against the real stack.</summary>
[Collection(StackCollection.Name)]
public class EditorTests(StackFixture stack)
{
    private static readonly float Timeout = 30_000;

    /// <summary>Opens the page in a fresh browser context and runs <paramref name="test"/>; on failure saves a screenshot.</summary>
    private async Task WithPageAsync(Func<IPage, Task> test, ViewportSize? viewport = null, [CallerMemberName] string name = "")
    {
        await using var context = await stack.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
            BaseURL = stack.ApiUrl.ToString(),
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        // Expectations have their own default (5 s): too short for a compile on a loaded 2-core machine
        // (CI saw a C compile error still "Starting" after 5 s).
        Assertions.SetDefaultExpectTimeout(Timeout);
        try
        {
            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator("#lang")).ToBeEnabledAsync();
            await test(page);
        }
        catch
        {
            var file = Path.Combine(StackFixture.ScreenshotFolder, $"{name}-failure.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            Console.WriteLine($"Screenshot of the failure: {file}");
            throw;
        }
    }

    private static async Task SetCodeAsync(IPage page, string code)
    {
        await page.Locator(".cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+a");
        await page.Keyboard.PressAsync("Delete");
        // Inserted as one piece (like a paste), so auto-indent and bracket closing leave it as written.
        await page.Keyboard.InsertTextAsync(code);
    }

    private static Task<string> EditorTextAsync(IPage page) =>
        page.EvaluateAsync<string>("() => [...document.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')");

    [Fact]
    public async Task Python_reading_stdin_shows_its_output_and_the_ok_badge()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "name = input()\nprint('hello, ' + name.upper())\n");
            await page.FillAsync("#stdin", "world");
            await page.ClickAsync("#run");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("hello, WORLD\n");
            await Assertions.Expect(page.Locator("#meta")).ToContainTextAsync("exit code 0");
            await Assertions.Expect(page.Locator("#compile-block")).ToBeHiddenAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StackFixture.ScreenshotFolder, "editor.png") });

            // The snippet is in the URL: opening the link elsewhere reproduces it.
            await page.WaitForURLAsync(new Regex("#s=[A-Za-z0-9_-]+$"));
            await using var other = await stack.Browser.NewContextAsync();
            var linked = await other.NewPageAsync();
            await linked.GotoAsync(page.Url);
            await Assertions.Expect(linked.Locator("#lang")).ToHaveValueAsync("python3");
            await Assertions.Expect(linked.Locator("#stdin")).ToHaveValueAsync("world");
            Assert.Contains("name.upper()", await EditorTextAsync(linked));
        });
    }

    [Fact]
    public async Task Each_version_is_listed_and_the_one_picked_is_the_one_that_runs()
    {
        await WithPageAsync(async page =>
        {
            // The default is python3's newest version; the older one is listed beside it and runs when picked.
            await Assertions.Expect(page.Locator("#lang")).ToHaveValueAsync("python3-3.13");
            await Assertions.Expect(page.Locator("#lang option[value='python3']")).ToContainTextAsync("Python 3 3.11.");
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "import sys\nprint(sys.version_info[:2])\n");
            await page.ClickAsync("#run");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("(3, 11)\n");
            await Assertions.Expect(page.Locator("#meta")).ToContainTextAsync("python3 3.11.");
        });
    }

    [Fact]
    public async Task The_last_snippet_survives_a_reload()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "print('kept across reloads')\n");
            await page.WaitForFunctionAsync("() => (localStorage.getItem('quicktry:last') || '').includes('kept across reloads')");
            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator(".cm-content")).ToContainTextAsync("kept across reloads");
        });
    }

    [Fact]
    public async Task An_endless_loop_shows_the_time_limit_badge()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "while True:\n    pass\n");
            await page.ClickAsync("#run");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Time limit");
            await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("time limit");
        });
    }

    [Fact]
    public async Task A_compile_error_is_shown_as_such_with_the_compiler_output()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "c");
            await SetCodeAsync(page, "int main(void) { return missing_name; }\n");
            await page.ClickAsync("#run");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Compile error");
            await Assertions.Expect(page.Locator("#compile-block")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#compile")).ToContainTextAsync("missing_name");
        });
    }

    [Fact]
    public async Task An_exhausted_quota_shows_when_to_retry()
    {
        await WithPageAsync(async page =>
        {
            await page.ClickAsync("summary");
            await page.FillAsync("#apikey", StackFixture.TinyKey);
            await page.Locator("#apikey").DispatchEventAsync("change");
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "print(1)\n");

            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK");
            await page.ClickAsync("#run");

            var problem = page.Locator("#problem");
            await Assertions.Expect(problem).ToBeVisibleAsync();
            await Assertions.Expect(problem).ToContainTextAsync("Quota exhausted");
            await Assertions.Expect(problem).ToContainTextAsync(new Regex("Try again in \\d+ (seconds?|minutes)"));
        });
    }

    [Fact]
    public async Task Output_shows_while_the_program_is_still_running()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "bash");
            await SetCodeAsync(page, "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; sleep 0.2; done\n");
            // Not interactive: POST /run's server-sent events carry the output.
            await Assertions.Expect(page.Locator("#interactive")).Not.ToBeCheckedAsync();
            await page.ClickAsync("#run");

            // The page as it is the moment line 1 shows, read in the browser in one go. Line 10 comes about
            // 1.8 s after line 1: missing then, with the run still going, means the output came live.
            var seen = await (await page.WaitForFunctionAsync(
                "() => document.querySelector('#stdout').textContent.includes('line 1\\n')"
                + " && [document.querySelector('#stdout').textContent, document.querySelector('#status').dataset.status]",
                null, new PageWaitForFunctionOptions { PollingInterval = 20, Timeout = Timeout })).JsonValueAsync<string[]>();
            Assert.DoesNotContain("line 10", seen[0]);
            Assert.Equal("running", seen[1]);

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync(
                string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n")));
            await Assertions.Expect(page.Locator("#meta")).ToContainTextAsync("exit code 0");
        });
    }

    [Fact]
    public async Task A_line_typed_while_it_runs_reaches_the_program()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "bash");
            await SetCodeAsync(page, "read -r name\necho \"hello $name\"\n");
            await page.FillAsync("#stdin", "");
            var interactive = page.Locator("#interactive");
            await Assertions.Expect(interactive).ToHaveAccessibleNameAsync("Keep the input open while it runs");
            await interactive.CheckAsync();
            await page.ClickAsync("#run");

            var line = page.Locator("#input-line");
            await Assertions.Expect(line).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(line).ToHaveAccessibleNameAsync("Input to the running program");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Running");
            await line.FocusAsync();
            await page.Keyboard.TypeAsync("Ada Lovelace");
            await page.Keyboard.PressAsync("Enter");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("hello Ada Lovelace\n");
            await Assertions.Expect(line).ToBeHiddenAsync();
            // The input line went away with the run: the focus lands on Run, not on nothing.
            Assert.Equal("run", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        });
    }

    [Fact]
    public async Task With_an_API_key_typed_input_goes_by_post_and_still_reaches_the_program()
    {
        await WithPageAsync(async page =>
        {
            // A browser cannot send the key on a WebSocket: the run streams over POST /run?interactive=true.
            await page.ClickAsync("summary");
            await page.FillAsync("#apikey", StackFixture.TypistKey);
            await page.Locator("#apikey").DispatchEventAsync("change");
            await page.SelectOptionAsync("#lang", "bash");
            await SetCodeAsync(page, "read -r name\necho \"hello $name\"\ncat\necho done\n");
            await page.FillAsync("#stdin", "");
            await page.CheckAsync("#interactive");
            var interactiveStream = page.WaitForRequestAsync(r => r.Url.EndsWith("/run?interactive=true"));
            await page.ClickAsync("#run");
            Assert.Equal(StackFixture.TypistKey, (await interactiveStream).Headers["x-api-key"]);

            var line = page.Locator("#input-line");
            await Assertions.Expect(line).ToBeVisibleAsync(new() { Timeout = Timeout });
            await line.FocusAsync();
            await page.Keyboard.TypeAsync("Grace Hopper");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("hello Grace Hopper\n", new() { Timeout = Timeout });
            await page.Keyboard.TypeAsync("more");
            await page.Keyboard.PressAsync("Enter");
            await page.Keyboard.PressAsync("Control+D");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("hello Grace Hopper\nmore\ndone\n");
        });
    }

    [Fact]
    public async Task Ctrl_D_ends_the_input_after_the_stdin_field_and_the_typed_lines()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "bash");
            await SetCodeAsync(page, "n=0\nwhile read -r l; do n=$((n+1)); echo \"got $l\"; done\necho \"$n lines\"\n");
            await page.FillAsync("#stdin", "first\n");
            await page.CheckAsync("#interactive");
            await page.ClickAsync("#run");

            // The stdin field is the start of the input; the program waits for more.
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("got first\n", new() { Timeout = Timeout });
            await page.Locator("#input-line").FocusAsync();
            await page.Keyboard.TypeAsync("second");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("got first\ngot second\n");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Running");
            await page.Keyboard.PressAsync("Control+d");

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("got first\ngot second\n2 lines\n");
        });
    }

    [Fact]
    public async Task Stop_ends_an_interactive_run()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "bash");
            await SetCodeAsync(page, "echo begun\nsleep 60\necho never\n");
            await page.CheckAsync("#interactive");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("begun\n", new() { Timeout = Timeout });

            await page.ClickAsync("#stop");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Stopped");
            await Assertions.Expect(page.Locator("#run")).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("#stop")).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("begun\n");
        });
    }

    [Fact]
    public async Task The_keyboard_alone_can_write_run_and_leave_the_editor()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "python3");
            await page.Locator(".cm-content").FocusAsync();
            await page.Keyboard.PressAsync("Control+a");
            await page.Keyboard.TypeAsync("print(6 * 7)");
            await page.Keyboard.PressAsync("Control+Enter");
            await Assertions.Expect(page.Locator("#stdout")).ToHaveTextAsync("42\n");
            // The output shows before the page has finished the run (the Run button comes back after it);
            // with runs in slots that gap is now long enough for keys to land in it.
            await Assertions.Expect(page.Locator("#result")).ToHaveAttributeAsync("aria-busy", "false");
            await Assertions.Expect(page.Locator("#run")).ToBeEnabledAsync();

            // Tab indents inside the editor; Esc then Tab moves on to the next field. An open completion
            // popup (Python's completions can still be showing after the typing) takes the first Esc, as it
            // does for a person: the second one leaves the editor's Tab trap either way.
            await page.Keyboard.PressAsync("Escape");
            await page.Keyboard.PressAsync("Escape");
            await page.Keyboard.PressAsync("Tab");
            Assert.Equal("stdin", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        });
    }

    [Fact]
    public async Task On_a_phone_width_screen_the_result_sits_below_the_inputs_and_run_stays_reachable()
    {
        await WithPageAsync(async page =>
        {
            var inputs = await page.Locator("section.inputs").BoundingBoxAsync();
            var result = await page.Locator("section.result").BoundingBoxAsync();
            Assert.NotNull(inputs);
            Assert.NotNull(result);
            Assert.True(result.Y >= inputs.Y + inputs.Height, "the result should be stacked under the inputs");
            Assert.True(inputs.Width <= 390, $"inputs are {inputs.Width}px wide on a 390px screen");
            await Assertions.Expect(page.Locator("#run")).ToBeInViewportAsync();
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            var widest = await page.EvaluateAsync<string>("""
                () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390)
                    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join(', ')
                """);
            Assert.True(scrollWidth <= 390, $"the page scrolls sideways ({scrollWidth}px): {widest}");
        }, new ViewportSize { Width = 390, Height = 844 });
    }

    [Fact]
    public async Task Test_cases_get_a_verdict_each_with_the_first_difference_marked_and_survive_a_reload()
    {
        await WithPageAsync(async page =>
        {
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "n = int(input())\nprint(n * n)\n");
            foreach (var (input, expected) in new[] { ("3", "9"), ("4", "15"), ("5", "") })
            {
                await page.ClickAsync("#add-test");
                var number = await page.Locator(".test-case").CountAsync();
                await page.GetByLabel($"Input of case {number}", new() { Exact = true }).FillAsync(input);
                await page.GetByLabel($"Expected output of case {number}", new() { Exact = true }).FillAsync(expected);
            }
            await page.ClickAsync("#run");

            await Assertions.Expect(page.Locator("#verdict-summary")).ToHaveTextAsync("2 of 3 accepted · Wrong answer");
            var verdicts = page.Locator("#verdicts > li");
            await Assertions.Expect(verdicts).ToHaveCountAsync(3);
            await Assertions.Expect(verdicts.Nth(0).Locator(".badge")).ToHaveTextAsync("Accepted");
            await Assertions.Expect(verdicts.Nth(1).Locator(".badge")).ToHaveTextAsync("Wrong answer");
            // The first difference, each side marked.
            await Assertions.Expect(verdicts.Nth(1).Locator(".difference")).ToContainTextAsync("at line 1");
            await Assertions.Expect(verdicts.Nth(1).Locator("mark")).ToHaveTextAsync(["15", "16"]);
            // A case without an expected output is only run: its output is shown.
            await Assertions.Expect(verdicts.Nth(2).Locator("pre")).ToHaveTextAsync("25\n");
            await Assertions.Expect(page.Locator("#streams")).ToBeHiddenAsync();
            await Assertions.Expect(page.GetByText("Input of case 3", new() { Exact = true })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StackFixture.ScreenshotFolder, "editor-tests.png"), FullPage = true });

            // The cases are part of the snippet: a reload keeps them, and removing one renumbers the rest.
            await page.WaitForURLAsync(new Regex("#s=[A-Za-z0-9_-]+$"));
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator(".test-case")).ToHaveCountAsync(3);
            await Assertions.Expect(page.GetByLabel("Expected output of case 2", new() { Exact = true })).ToHaveValueAsync("15");
            await page.GetByRole(AriaRole.Button, new() { Name = "Remove case 1" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Input of case 1", new() { Exact = true })).ToHaveValueAsync("4");
        });
    }

    [Fact]
    public async Task A_figure_shows_among_the_output_and_a_kept_session_remembers_variables()
    {
        await WithPageAsync(async page =>
        {
            // Any run: an image written under out/ is shown.
            await page.SelectOptionAsync("#lang", "python3");
            await SetCodeAsync(page, "import os\nimport matplotlib.pyplot as plt\nos.makedirs('out', exist_ok=True)\nplt.plot([1, 4, 9])\nplt.savefig('out/squares.png')\nprint('saved')\n");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK");
            var picture = page.Locator("#pictures img[alt='out/squares.png']");
            await Assertions.Expect(picture).ToBeVisibleAsync();
            Assert.True(await picture.EvaluateAsync<int>("img => img.naturalWidth") > 100, "the figure did not decode");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StackFixture.ScreenshotFolder, "editor-figure.png"), FullPage = true });

            // A kept session: a variable survives between Run presses, a displayed figure comes back.
            await page.CheckAsync("#keep-session");
            await SetCodeAsync(page, "x = 20\n");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("OK");
            await Assertions.Expect(page.Locator("#session-state")).ToContainTextAsync("variables and files kept");
            await SetCodeAsync(page, "x += 1\nx\n");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#value")).ToHaveTextAsync("21");
            await SetCodeAsync(page, "import matplotlib.pyplot as plt\nplt.plot([x, 1])\nplt.show()\n");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#pictures img[alt='figure 1']")).ToBeVisibleAsync();

            await page.ClickAsync("#end-session");
            await Assertions.Expect(page.Locator("#end-session")).ToBeHiddenAsync();
            await SetCodeAsync(page, "'x' in globals()\n");
            await page.ClickAsync("#run");
            await Assertions.Expect(page.Locator("#value")).ToHaveTextAsync("False");
            await page.UncheckAsync("#keep-session");
        });
    }

    [Fact]
    public async Task Every_control_has_a_label_for_screen_readers()
    {
        await WithPageAsync(async page =>
        {
            foreach (var (selector, name) in new[] { ("#lang", "Language"), ("#stdin", "Standard input"), ("#args", "Arguments"), ("#run", "Run") })
            {
                await Assertions.Expect(page.Locator(selector)).ToHaveAccessibleNameAsync(new Regex("^" + name));
            }
            await Assertions.Expect(page.Locator(".cm-content")).ToHaveAccessibleNameAsync("Code");
            await Assertions.Expect(page.Locator("#result")).ToHaveAttributeAsync("aria-live", "polite");
        });
    }
}
