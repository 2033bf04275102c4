// The editor's test cases: the list a person edits (input and expected output per case) and the verdicts
// a judged run answers, each case as it ends.

export const VERDICT_TEXT = {
  accepted: "Accepted",
  wrong_answer: "Wrong answer",
  timeout: "Time limit",
  memory_limit: "Memory limit",
  runtime_error: "Runtime error",
  output_limit: "Output limit",
  skipped: "Skipped",
};

function labelled(tag, className) {
  const label = document.createElement("label");
  label.className = "label test-field";
  const caption = document.createElement("span");
  caption.className = "caption";
  const field = document.createElement(tag);
  field.className = className;
  field.rows = 2;
  field.spellcheck = false;
  field.autocomplete = "off";
  label.append(caption, field);
  return { label, field };
}

// Numbers the cases 1, 2, ... in their labels, so a screen reader names the case a field belongs to.
function renumber(list) {
  [...list.children].forEach((item, i) => {
    item.querySelector(".test-stdin-label .caption").textContent = `Input of case ${i + 1}`;
    item.querySelector(".test-expected-label .caption").textContent = `Expected output of case ${i + 1}`;
    item.querySelector(".remove-test").textContent = `Remove case ${i + 1}`;
  });
}

export function addTestCase(list, { stdin, expectedOutput }, changed, { focus } = {}) {
  const item = document.createElement("li");
  item.className = "test-case";
  const input = labelled("textarea", "test-stdin");
  input.label.classList.add("test-stdin-label");
  input.field.value = stdin ?? "";
  const expected = labelled("textarea", "test-expected");
  expected.label.classList.add("test-expected-label");
  expected.field.value = expectedOutput ?? "";
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "remove-test";
  remove.addEventListener("click", () => {
    item.remove();
    renumber(list);
    changed();
  });
  for (const field of [input.field, expected.field]) field.addEventListener("input", changed);
  item.append(input.label, expected.label, remove);
  list.append(item);
  renumber(list);
  if (focus) input.field.focus();
  changed();
}

export function setTestCases(list, tests, changed) {
  list.replaceChildren();
  for (const test of tests) addTestCase(list, test, changed);
}

// The cases as a run request sends them; an empty expected output means "only run it".
export function readTestCases(list) {
  return [...list.children].map((item) => {
    const expected = item.querySelector(".test-expected").value;
    return { stdin: item.querySelector(".test-stdin").value, expectedOutput: expected === "" ? undefined : expected };
  });
}

function mark(text) {
  const element = document.createElement("mark");
  element.textContent = text === "" ? "(nothing)" : text;
  return element;
}

// One case's verdict, replacing what was shown for it (a live event, then the result).
export function showVerdict(list, test) {
  const item = document.createElement("li");
  item.className = `verdict ${test.verdict}`;
  item.dataset.name = test.name;
  const badge = document.createElement("span");
  badge.className = `badge ${test.verdict}`;
  badge.textContent = VERDICT_TEXT[test.verdict] ?? test.verdict;
  const facts = document.createElement("span");
  facts.className = "meta";
  facts.textContent = ` case ${test.name}` + (test.verdict === "skipped" ? "" : ` · ${Math.round(test.wallTimeMs)} ms`);
  item.append(badge, facts);
  if (test.difference) {
    const where = document.createElement("p");
    where.className = "difference";
    // The message names the line (or token) where the output first differs; the two sides are marked.
    where.append(`${(test.message ?? "The output differs.").replace(/\.$/, "")}: expected `,
      mark(test.difference.expected), ", got ", mark(test.difference.actual), ".");
    item.append(where);
  } else if (test.message && test.verdict !== "accepted") {
    const message = document.createElement("p");
    message.className = "message";
    message.textContent = test.message;
    item.append(message);
  }
  if (test.verdict !== "skipped" && (test.stdout || test.stderr)) {
    const output = document.createElement("pre");
    output.className = "out";
    output.tabIndex = 0;
    output.setAttribute("aria-label", `output of case ${test.name}`);
    output.textContent = test.stdout + test.stderr;
    item.append(output);
  }
  const existing = [...list.children].find((child) => child.dataset.name === test.name);
  if (existing) existing.replaceWith(item);
  else list.append(item);
}
