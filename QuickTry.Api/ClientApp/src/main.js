// The QuickTry editor: pick a language, write code and stdin, run it through POST /run.
import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { oneDark } from "@codemirror/theme-one-dark";
import { syntaxFor } from "./languages.js";
import { decodeSnippet, encodeSnippet, loadLast, saveLast } from "./snippet.js";
import { splitArgs } from "./args.js";

const $ = (id) => document.getElementById(id);
const ui = {
  lang: $("lang"), run: $("run"), stdin: $("stdin"), args: $("args"), apiKey: $("apikey"),
  result: $("result"), placeholder: $("placeholder"), problem: $("problem"), outcome: $("outcome"),
  status: $("status"), meta: $("meta"), message: $("message"), truncated: $("truncated"),
  compileBlock: $("compile-block"), compile: $("compile"), stdout: $("stdout"), stderr: $("stderr"),
};

const STATUS_TEXT = {
  ok: "OK",
  compile_error: "Compile error",
  runtime_error: "Runtime error",
  timeout: "Time limit",
  memory_limit: "Memory limit",
  output_limit: "Output limit",
  internal_error: "Internal error",
};

let languages = [];
let current = null;
let running = false;

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
  const snippet = { lang: current.name, code: code(), stdin: ui.stdin.value, args: ui.args.value };
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
  view.dispatch({ effects: syntax.reconfigure(syntaxFor(current.name)) });
  if (!keepCode && isStarter(previous)) {
    const wasStarterStdin = ui.stdin.value === "" || ui.stdin.value === (previous?.example?.stdin ?? "");
    setCode(current.example?.code ?? "");
    if (wasStarterStdin) ui.stdin.value = current.example?.stdin ?? "";
  }
  remember();
}

async function loadLanguages() {
  let response;
  try {
    response = await fetch("/languages", { headers: { Accept: "application/json" } });
  } catch (error) {
    return showProblem("Cannot reach QuickTry", `Loading the languages failed: ${error.message}. Reload to try again.`);
  }
  if (!response.ok) {
    return showProblem("Languages unavailable", `The server answered ${response.status}. ${retryText(response)}`);
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
    selectLanguage(initial.lang, { keepCode: true });
  } else {
    selectLanguage(languages.find((l) => l.name === "python3")?.name ?? languages[0]?.name, { keepCode: false });
  }
}

function retryText(response) {
  const after = response.headers.get("Retry-After");
  if (!after) return "Please try again shortly.";
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
  ui.status.textContent = STATUS_TEXT[result.status] ?? result.status;
  ui.status.className = `badge ${result.status}`;
  ui.status.setAttribute("data-status", result.status);

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
}

async function run() {
  if (running || !current) return;
  running = true;
  // What runs is what the link shows.
  rememberNow();
  ui.run.disabled = true;
  ui.result.setAttribute("aria-busy", "true");
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const key = ui.apiKey.value.trim();
  if (key) headers["X-Api-Key"] = key;
  try {
    let response;
    try {
      response = await fetch("/run", {
        method: "POST",
        headers,
        body: JSON.stringify({ lang: current.name, code: code(), stdin: ui.stdin.value, args: splitArgs(ui.args.value) }),
      });
    } catch (error) {
      return showProblem("Network error", `The run did not reach QuickTry (${error.message}). Check the connection and try again.`);
    }
    if (response.ok) {
      return showResult(await response.json());
    }
    const problem = await response.json().catch(() => ({}));
    if (response.status === 429) {
      return showProblem(problem.title ?? "Too many runs", `${problem.detail ?? "A limit was reached."} ${retryText(response)}`);
    }
    if (response.status === 503) {
      return showProblem("QuickTry is busy", `${problem.title ?? "The service is saturated."} ${retryText(response)}`);
    }
    showProblem(problem.title ?? `Request failed (${response.status})`, problem.detail ?? "", problem.errors);
  } finally {
    running = false;
    ui.run.disabled = false;
    ui.result.setAttribute("aria-busy", "false");
  }
}

// Leaving within the debounce would lose the last keystrokes otherwise.
window.addEventListener("pagehide", rememberNow);
ui.run.addEventListener("click", run);
ui.lang.addEventListener("change", () => selectLanguage(ui.lang.value, { keepCode: false }));
ui.stdin.addEventListener("input", remember);
ui.args.addEventListener("input", remember);
for (const field of [ui.stdin, ui.args, ui.lang]) {
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
}
ui.apiKey.value = localStorage.getItem("quicktry:apikey") ?? "";
ui.apiKey.addEventListener("change", () => localStorage.setItem("quicktry:apikey", ui.apiKey.value.trim()));
if (/Mac|iPhone|iPad/.test(navigator.platform)) $("run-shortcut").textContent = "⌘+Enter";

loadLanguages();
