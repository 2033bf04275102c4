// The QuickTry editor: pick a language, write code and stdin, run it and watch (and type into) it live.
import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { oneDark } from "@codemirror/theme-one-dark";
import { syntaxFor } from "./languages.js";
import { decodeSnippet, encodeSnippet, loadLast, saveLast } from "./snippet.js";
import { splitArgs } from "./args.js";
import { startRun } from "./live.js";
import { addTestCase, readTestCases, setTestCases, showVerdict, VERDICT_TEXT } from "./tests.js";
import { endSession, runInSession } from "./session.js";

const $ = (id) => document.getElementById(id);
const ui = {
  lang: $("lang"), run: $("run"), stop: $("stop"), stdin: $("stdin"), interactive: $("interactive"), args: $("args"), apiKey: $("apikey"),
  result: $("result"), placeholder: $("placeholder"), problem: $("problem"), outcome: $("outcome"),
  status: $("status"), meta: $("meta"), message: $("message"), truncated: $("truncated"),
  compileBlock: $("compile-block"), compile: $("compile"), stdout: $("stdout"), stderr: $("stderr"),
  liveInput: $("live-input"), inputLine: $("input-line"), eof: $("eof"),
  testsList: $("tests-list"), addTest: $("add-test"), compare: $("compare"),
  streams: $("streams"), verdictsBlock: $("verdicts-block"), verdictSummary: $("verdict-summary"), verdicts: $("verdicts"),
  keepSession: $("keep-session"), sessionState: $("session-state"), endSession: $("end-session"),
  richBlock: $("rich-block"), value: $("value"), pictures: $("pictures"),
};

// The session the runs go to while "Keep a session" is on.
const session = { id: null };

const STATUS_TEXT = {
  ok: "OK",
  compile_error: "Compile error",
  runtime_error: "Runtime error",
  timeout: "Time limit",
  memory_limit: "Memory limit",
  output_limit: "Output limit",
  internal_error: "Internal error",
  // While it runs, and when it did not end by itself.
  starting: "Starting",
  running: "Running",
  stopped: "Stopped",
  interrupted: "Interrupted",
};

let languages = [];
let current = null;
let live = null;

const syntax = new Compartment();
const theme = new Compartment();
const darkScheme = window.matchMedia("(prefers-color-scheme: dark)");

const view = new EditorView({
  parent: $("editor"),
  state: EditorState.create({
    doc: "",
    extensions: [
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { run(); return true; } }])),
      basicSetup,
      keymap.of([indentWithTab]),
      syntax.of([]),
      theme.of(darkScheme.matches ? oneDark : []),
      EditorView.contentAttributes.of({ "aria-labelledby": "editor-label", "aria-describedby": "editor-help" }),
      EditorView.updateListener.of((update) => { if (update.docChanged) remember(); }),
    ],
  }),
});
darkScheme.addEventListener("change", (e) => view.dispatch({ effects: theme.reconfigure(e.matches ? oneDark : []) }));

const code = () => view.state.doc.toString();
const setCode = (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });

// The snippet lives in the URL (so a link reproduces it) and in localStorage (so a reload keeps it).
let rememberTimer = 0;
function remember() {
  clearTimeout(rememberTimer);
  rememberTimer = setTimeout(rememberNow, 300);
}

function rememberNow() {
  clearTimeout(rememberTimer);
  if (!current) return;
  const tests = readTestCases(ui.testsList);
  const snippet = { lang: current.name, code: code(), stdin: ui.stdin.value, args: ui.args.value };
  if (tests.length) Object.assign(snippet, { tests, compare: ui.compare.value });
  history.replaceState(null, "", "#" + encodeSnippet(snippet));
  saveLast(snippet);
}

function isStarter(language) {
  const text = code();
  return text.trim() === "" || (language?.example && text === language.example.code);
}

function selectLanguage(name, { keepCode }) {
  const previous = current;
  current = languages.find((l) => l.name === name) ?? languages[0];
  ui.lang.value = current.name;
  view.dispatch({ effects: syntax.reconfigure(syntaxFor(current.language ?? current.name)) });
  if (!keepCode && isStarter(previous)) {
    const wasStarterStdin = ui.stdin.value === "" || ui.stdin.value === (previous?.example?.stdin ?? "");
    setCode(current.example?.code ?? "");
    if (wasStarterStdin) ui.stdin.value = current.example?.stdin ?? "";
  }
  remember();
}

// The version a request without one gets: the language's highest, read part by part as numbers.
function newestOf(language) {
  const parts = (v) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  const newer = (a, b) => {
    const [x, y] = [parts(a.version), parts(b.version)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  return languages.filter((l) => l.language === language).reduce((best, l) => (best && !newer(l, best) ? best : l), null);
}

async function loadLanguages() {
  let response;
  try {
    response = await fetch("/languages", { headers: { Accept: "application/json" } });
  } catch (error) {
    return showProblem("Cannot reach QuickTry", `Loading the languages failed: ${error.message}. Reload to try again.`);
  }
  if (!response.ok) {
    return showProblem("Languages unavailable", `The server answered ${response.status}. ${retryText(response.headers.get("Retry-After"))}`);
  }
  languages = (await response.json()).filter((l) => l.available);
  ui.lang.replaceChildren(...languages.map((l) => {
    const option = document.createElement("option");
    option.value = l.name;
    option.textContent = `${l.displayName} ${l.version}`;
    return option;
  }));
  ui.lang.disabled = false;
  ui.run.disabled = false;

  const initial = decodeSnippet(location.hash.slice(1)) ?? loadLast();
  if (initial && languages.some((l) => l.name === initial.lang)) {
    setCode(initial.code ?? "");
    ui.stdin.value = initial.stdin ?? "";
    ui.args.value = initial.args ?? "";
    setTestCases(ui.testsList, initial.tests ?? [], remember);
    ui.compare.value = initial.compare ?? "lines";
    selectLanguage(initial.lang, { keepCode: true });
  } else {
    selectLanguage(newestOf("python3")?.name ?? languages[0]?.name, { keepCode: false });
  }
}

// `after` is a Retry-After value: seconds, or an HTTP date.
function retryText(after) {
  if (after === null || after === undefined || after === "") return "Please try again shortly.";
  const seconds = Number(after);
  if (Number.isFinite(seconds)) {
    const at = new Date(Date.now() + seconds * 1000);
    const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
    return `Try again in ${wait} (at ${at.toLocaleTimeString()}).`;
  }
  return `Try again after ${after}.`;
}

function showProblem(title, detail, errors) {
  ui.placeholder.hidden = true;
  ui.outcome.hidden = true;
  ui.problem.hidden = false;
  const heading = document.createElement("strong");
  heading.textContent = title;
  const text = document.createElement("span");
  text.textContent = detail;
  const parts = [heading, text];
  if (errors) {
    const list = document.createElement("ul");
    for (const [field, messages] of Object.entries(errors)) {
      for (const message of messages) {
        const item = document.createElement("li");
        item.textContent = `${field}: ${message}`;
        list.append(item);
      }
    }
    parts.push(list);
  }
  ui.problem.replaceChildren(...parts);
}

function showResult(result) {
  ui.placeholder.hidden = true;
  ui.problem.hidden = true;
  ui.outcome.hidden = false;
  showStatus(result.status);

  const facts = [];
  if (result.exitCode !== null && result.exitCode !== undefined) facts.push(`exit code ${result.exitCode}`);
  if (result.signal) facts.push(result.signal);
  facts.push(`${Math.round(result.wallTimeMs)} ms`);
  if (result.memoryBytes) facts.push(`${(result.memoryBytes / 1048576).toFixed(1)} MB`);
  facts.push(`${result.lang} ${result.version}`);
  ui.meta.textContent = facts.join(" · ");

  ui.message.hidden = !result.message;
  ui.message.textContent = result.message ?? "";

  const cut = [result.stdoutTruncated && "stdout", result.stderrTruncated && "stderr"].filter(Boolean);
  ui.truncated.hidden = cut.length === 0;
  ui.truncated.textContent = cut.length
    ? `Output truncated: ${cut.join(" and ")} went past the ${result.limits.outputBytes}-byte limit; only the beginning is shown.`
    : "";

  const compileOutput = result.compile?.output ?? "";
  ui.compileBlock.hidden = !(result.compile && (compileOutput !== "" || result.status === "compile_error"));
  ui.compile.textContent = compileOutput;
  ui.stdout.textContent = result.stdout;
  ui.stderr.textContent = result.stderr;
  showPictures(result);
  // A judged run's output is in its cases.
  ui.streams.hidden = Boolean(result.tests);
  if (result.tests) {
    ui.verdictsBlock.hidden = false;
    ui.verdicts.replaceChildren();
    for (const test of result.tests) showVerdict(ui.verdicts, test);
    ui.verdictSummary.textContent = `${result.passed} of ${result.total} accepted · ${VERDICT_TEXT[result.verdict] ?? result.verdict}`;
  }
}

// A session's cell value, the figures it displayed, and the images any run wrote under out/.
function showPictures(result) {
  const value = (result.outputs ?? []).find((o) => o.mimeType === "text/plain");
  ui.value.hidden = !value;
  ui.value.textContent = value?.data ?? "";
  const images = [
    ...(result.outputs ?? []).filter((o) => o.mimeType === "image/png" || o.mimeType === "image/jpeg")
      .map((o, i) => ({ name: `figure ${i + 1}`, mimeType: o.mimeType, data: o.data })),
    ...(result.artifacts ?? []).filter((a) => /^image\/(png|jpeg|gif|webp)$/.test(a.mimeType))
      .map((a) => ({ name: `out/${a.path}`, mimeType: a.mimeType, data: a.data })),
  ];
  ui.pictures.replaceChildren(...images.map(({ name, mimeType, data }) => {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = `data:${mimeType};base64,${data}`;
    img.alt = name;
    const caption = document.createElement("figcaption");
    caption.textContent = name;
    figure.append(img, caption);
    return figure;
  }));
  ui.richBlock.hidden = !value && images.length === 0;
}

function showSession() {
  const info = session.id ? session.info : null;
  ui.endSession.hidden = !info;
  ui.sessionState.textContent = info
    ? `Session ${info.id.slice(0, 8)} (${info.lang} ${info.version}): ${info.stateful ? "variables and files" : "files"} kept; it ends after ${Math.round(info.idleTimeoutSeconds / 60)} minutes idle.`
    : "";
}

async function runKept(request) {
  showStatus("running");
  const { result, refused } = await runInSession(session, request, ui.apiKey.value.trim());
  showSession();
  finish();
  if (result) showResult(result);
  else showRefusal(refused);
}

function showStatus(status) {
  ui.status.textContent = STATUS_TEXT[status] ?? status;
  ui.status.className = `badge ${status}`;
  ui.status.setAttribute("data-status", status);
}

// A run begins: an empty output pane the program's output streams into.
function showStarting() {
  ui.placeholder.hidden = true;
  ui.problem.hidden = true;
  ui.outcome.hidden = false;
  showStatus("starting");
  ui.meta.textContent = "";
  ui.message.hidden = true;
  ui.truncated.hidden = true;
  ui.compileBlock.hidden = true;
  ui.verdictsBlock.hidden = true;
  ui.streams.hidden = false;
  ui.verdicts.replaceChildren();
  ui.verdictSummary.textContent = "";
  ui.stdout.textContent = "";
  ui.stderr.textContent = "";
  ui.richBlock.hidden = true;
  ui.pictures.replaceChildren();
}

function showRefusal({ status, title, detail, errors, retryAfter }) {
  if (status === 429) {
    return showProblem(title ?? "Too many runs", `${detail ?? "A limit was reached."} ${retryText(retryAfter)}`);
  }
  if (status === 503) {
    return showProblem("QuickTry is busy", `${title ?? "The service is saturated."} ${retryText(retryAfter)}`);
  }
  showProblem(title ?? `Request failed (${status})`, detail ?? "", errors);
}

function run() {
  if (live || !current) return;
  // What runs is what the link shows.
  rememberNow();
  ui.run.disabled = true;
  ui.stop.disabled = false;
  ui.result.setAttribute("aria-busy", "true");
  showStarting();
  let started = false;
  // The version shown is the version run: the language's name alone would pick its newest.
  const version = current.version === "unknown" ? undefined : current.version;
  const tests = readTestCases(ui.testsList);
  // A judged run's input and arguments are its cases'; it cannot be interactive.
  const request = tests.length
    ? { lang: current.name, version, code: code(), tests, compare: ui.compare.value }
    : { lang: current.name, version, code: code(), stdin: ui.stdin.value, args: splitArgs(ui.args.value) };
  if (ui.keepSession.checked && tests.length === 0) {
    // A session's run answers whole; a Python session's takes no stdin or arguments (its kernel has none).
    const kept = { lang: current.name, version, code: code() };
    if (!current.name.startsWith("python3")) Object.assign(kept, { stdin: ui.stdin.value, args: splitArgs(ui.args.value) });
    live = { input() {}, eof() {}, stop() {} };
    runKept(kept).catch((e) => { finish(); showProblem("Network error", String(e)); });
    return;
  }
  live = startRun(request, {
    apiKey: ui.apiKey.value.trim(),
    interactive: ui.interactive.checked && tests.length === 0,
    on: {
      started({ interactive }) {
        started = true;
        showStatus("running");
        // Output is announced as it comes from here on.
        ui.result.setAttribute("aria-busy", "false");
        ui.liveInput.hidden = !interactive;
        ui.inputLine.readOnly = false;
        ui.inputLine.placeholder = "";
      },
      output(stream, text) {
        (stream === "stderr" ? ui.stderr : ui.stdout).append(text);
      },
      test(test) {
        ui.verdictsBlock.hidden = false;
        showVerdict(ui.verdicts, test);
      },
      result(result) {
        finish();
        showResult(result);
      },
      refused(refusal) {
        finish();
        showRefusal(refusal);
      },
      failed(message) {
        finish();
        showProblem("Network error", message);
        // What the program wrote before the connection broke stays in view.
        if (started) {
          ui.outcome.hidden = false;
          showStatus("interrupted");
        }
      },
      stopped() {
        finish();
        showStatus("stopped");
        ui.meta.textContent = "stopped before it ended";
      },
    },
  });
}

// The run is over: back to idle, with focus on something still there if it was on a control that goes.
function finish() {
  const focusLeaves = ui.liveInput.contains(document.activeElement) || document.activeElement === ui.stop;
  live = null;
  ui.run.disabled = false;
  ui.stop.disabled = true;
  ui.liveInput.hidden = true;
  ui.result.setAttribute("aria-busy", "false");
  if (focusLeaves) ui.run.focus();
}

function sendLine(e) {
  e.preventDefault();
  live?.input(ui.inputLine.value + "\n");
  ui.inputLine.value = "";
}

function endInput() {
  live?.eof();
  // The field stays focusable (a disabled one would drop the focus); what is typed now goes nowhere.
  ui.inputLine.readOnly = true;
  ui.inputLine.placeholder = "Input ended";
}

// Leaving within the debounce would lose the last keystrokes otherwise.
window.addEventListener("pagehide", rememberNow);
ui.run.addEventListener("click", run);
ui.stop.addEventListener("click", () => live?.stop());
ui.liveInput.addEventListener("submit", sendLine);
ui.eof.addEventListener("click", endInput);
ui.inputLine.addEventListener("keydown", (e) => {
  if (e.key.toLowerCase() === "d" && e.ctrlKey) {
    e.preventDefault();
    endInput();
  }
});
ui.lang.addEventListener("change", () => selectLanguage(ui.lang.value, { keepCode: false }));
ui.keepSession.addEventListener("change", async () => {
  if (!ui.keepSession.checked) await endSession(session, ui.apiKey.value.trim());
  showSession();
});
ui.endSession.addEventListener("click", async () => {
  await endSession(session, ui.apiKey.value.trim());
  showSession();
});
window.addEventListener("pagehide", () => { endSession(session, ui.apiKey.value.trim()); });
ui.stdin.addEventListener("input", remember);
ui.addTest.addEventListener("click", () => addTestCase(ui.testsList, { stdin: "", expectedOutput: "" }, remember, { focus: true }));
ui.compare.addEventListener("change", remember);
ui.args.addEventListener("input", remember);
for (const field of [ui.stdin, ui.interactive, ui.args, ui.lang]) {
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
}
ui.apiKey.value = localStorage.getItem("quicktry:apikey") ?? "";
ui.interactive.checked = localStorage.getItem("quicktry:interactive") === "true";
ui.interactive.addEventListener("change", () => localStorage.setItem("quicktry:interactive", String(ui.interactive.checked)));
ui.apiKey.addEventListener("change", () => localStorage.setItem("quicktry:apikey", ui.apiKey.value.trim()));
if (/Mac|iPhone|iPad/.test(navigator.platform)) $("run-shortcut").textContent = "⌘+Enter";

loadLanguages();
