// A snippet as URL fragment (base64url of UTF-8 JSON) and as the last one kept in localStorage.
const STORAGE_KEY = "quicktry:last";

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(value) {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeSnippet(snippet) {
  return "s=" + toBase64Url(JSON.stringify(snippet));
}

/** The snippet in a fragment such as "s=...", or null when there is none or it is damaged. */
export function decodeSnippet(fragment) {
  const value = new URLSearchParams(fragment).get("s");
  if (!value) return null;
  try {
    const snippet = JSON.parse(fromBase64Url(value));
    return typeof snippet?.lang === "string" ? snippet : null;
  } catch {
    return null;
  }
}

export function saveLast(snippet) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(snippet));
  } catch {
    // Storage full or disabled: the URL still holds the snippet.
  }
}

export function loadLast() {
  try {
    const snippet = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    return typeof snippet?.lang === "string" ? snippet : null;
  } catch {
    return null;
  }
}
