// One live run: output as the program writes it, input as the person types it.
//
// An interactive run goes over the /run/ws WebSocket, which carries both ways; its input stays open
// until eof(). A browser cannot put headers on a WebSocket, so an interactive run with an API key
// (X-Api-Key) is POST /run?interactive=true as server-sent events instead, its input sent by
// POST /run/{id}/stdin (the started event names it), key and all. Any other run is POST /run as
// server-sent events: output live, input only the request's. A WebSocket that did not open falls back
// to POST /run: the rate limiter answers 429 before the upgrade, a failed upgrade tells the page
// nothing, and POST /run then shows the status it answers.
//
// startRun(request, { apiKey, interactive, on }) calls, in order:
//   on.started({ interactive })            a sandbox took the run
//   on.output("stdout" | "stderr", text)   as the program writes
//   on.test(caseResult)                    a judged run's test case ended (instead of output)
// then exactly one of
//   on.result(result)                      the RunResult, as POST /run answers it
//   on.refused({ status, title, detail, errors, retryAfter })   the run did not start (400, 429, 503, ...)
//   on.failed(message)                     the connection broke
//   on.stopped()                           stop() was called
// and returns { input(text), eof(), stop() }.

export function startRun(request, { apiKey, interactive, on }) {
  let ended = false;
  const end = (name, ...args) => {
    if (ended) return;
    ended = true;
    on[name](...args);
  };
  return interactive && !apiKey ? openSocket(request, on, end) : streamEvents(request, apiKey, interactive, on, end);
}

function openSocket(request, on, end) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/run/ws`);
  let opened = false;
  let inputOpen = true;
  let fallback = null;
  const send = (message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  socket.onopen = () => {
    opened = true;
    send(request);
  };
  socket.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    switch (message.type) {
      case "started": return on.started({ interactive: true });
      case "stdout":
      case "stderr": return on.output(message.type, message.text ?? "");
      case "test": return on.test(message.test);
      case "result": return end("result", message.result);
      case "error": return end("refused", {
        status: message.status, title: message.title, detail: message.detail,
        errors: message.errors, retryAfter: message.retryAfter,
      });
    }
  };
  socket.onclose = () => {
    if (opened) return end("failed", "The connection closed before the run ended.");
    // Never opened: ask POST /run instead, which says why (or runs it, without typing).
    if (!fallback) fallback = streamEvents(request, null, false, on, end);
  };

  return {
    input(text) {
      if (inputOpen) send({ type: "stdin", text });
    },
    eof() {
      if (inputOpen) send({ type: "eof" });
      inputOpen = false;
    },
    stop() {
      // Closing the socket kills the run on the server.
      socket.close();
      fallback?.stop();
      end("stopped");
    },
  };
}

function streamEvents(request, apiKey, interactive, on, end) {
  const abort = new AbortController();
  const headers = { "Content-Type": "application/json", Accept: "text/event-stream, application/problem+json" };
  if (apiKey) headers["X-Api-Key"] = apiKey;
  // Where an interactive run's input goes (from its started event); sent in order, one request at a time.
  let stdinPath = null;
  let inputOpen = true;
  let sending = Promise.resolve();
  const sendInput = (query, text) => {
    const path = stdinPath;
    if (!path || !inputOpen) return;
    const inputHeaders = { "Content-Type": "text/plain; charset=utf-8" };
    if (apiKey) inputHeaders["X-Api-Key"] = apiKey;
    sending = sending.then(() => fetch(path + query, { method: "POST", headers: inputHeaders, body: text }).catch(() => {}));
  };

  (async () => {
    let response;
    try {
      const url = interactive ? "/run?interactive=true" : "/run";
      response = await fetch(url, { method: "POST", headers, body: JSON.stringify(request), signal: abort.signal });
    } catch (error) {
      return end("failed", `The run did not reach QuickTry (${error.message}). Check the connection and try again.`);
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      return end("refused", {
        status: response.status, title: problem.title, detail: problem.detail,
        errors: problem.errors, retryAfter: response.headers.get("Retry-After"),
      });
    }
    try {
      for await (const { name, data } of serverSentEvents(response.body)) {
        if (name === "started") {
          stdinPath = JSON.parse(data).stdin ?? null;
          on.started({ interactive: stdinPath !== null });
        } else if (name === "stdout" || name === "stderr") on.output(name, JSON.parse(data).text ?? "");
        else if (name === "test") on.test(JSON.parse(data));
        else if (name === "result") return end("result", JSON.parse(data));
      }
      end("failed", "The connection closed before the run ended.");
    } catch (error) {
      // Aborting (stop) lands here too; by then the run has ended as stopped.
      end("failed", `The connection broke during the run (${error.message}).`);
    }
  })();

  return {
    input(text) {
      sendInput("", text);
    },
    eof() {
      sendInput("?eof=true", "");
      inputOpen = false;
    },
    stop() {
      end("stopped");
      abort.abort();
    },
  };
}

// The events of a text/event-stream body: { name, data } for each (the server writes one data line each).
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let blank;
    while ((blank = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, blank);
      buffer = buffer.slice(blank + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { name, data: data.join("\n") };
    }
  }
}
