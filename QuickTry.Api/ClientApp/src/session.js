// A session kept between Run presses: the code runs in a sandbox of this page's own whose files (and,
// in Python, variables) stay, until the page ends it, changes language, or the session ends by itself.
//
// runInSession(holder, request, apiKey) answers { result } or { refused: { status, title, detail, errors,
// retryAfter } }. holder is { id, lang, version } (filled here) — a session that ended (410) or that the
// server does not know (404) is replaced by a new one once, and the run sent again.

const json = { "Content-Type": "application/json" };

async function refusalOf(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // Not a problem document: the status says enough.
  }
  return { status: response.status, title: problem.title, detail: problem.detail, errors: problem.errors, retryAfter: response.headers.get("Retry-After") };
}

function headersFor(apiKey) {
  return apiKey ? { ...json, "X-Api-Key": apiKey } : json;
}

async function open(holder, request, apiKey) {
  const response = await fetch("/sessions", {
    method: "POST", headers: headersFor(apiKey), body: JSON.stringify({ lang: request.lang, version: request.version }),
  });
  if (response.status !== 201) return refusalOf(response);
  const session = await response.json();
  Object.assign(holder, { id: session.id, lang: request.lang, version: request.version, info: session });
  return null;
}

export async function runInSession(holder, request, apiKey) {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!holder.id || holder.lang !== request.lang || holder.version !== request.version) {
      await endSession(holder, apiKey);
      const refused = await open(holder, request, apiKey);
      if (refused) return { refused };
    }
    const { lang, version, ...run } = request;
    const response = await fetch(`/sessions/${holder.id}/run`, { method: "POST", headers: headersFor(apiKey), body: JSON.stringify(run) });
    if (response.ok) return { result: await response.json() };
    if ((response.status === 410 || response.status === 404) && attempt === 0) {
      holder.id = null;
      continue;
    }
    return { refused: await refusalOf(response) };
  }
  return { refused: { status: 503, title: "The session could not be kept." } };
}

export async function endSession(holder, apiKey) {
  if (!holder.id) return;
  const id = holder.id;
  holder.id = null;
  holder.info = null;
  try {
    await fetch(`/sessions/${id}`, { method: "DELETE", headers: headersFor(apiKey), keepalive: true });
  } catch {
    // It ends by itself when idle.
  }
}
