// Uses the official MCP TypeScript SDK's client against QuickTry's /mcp and prints what it saw, as JSON, for
// McpClientTests. Usage: node script.mjs <api url> <api key> <rate-limited key>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, key, tinyKey] = process.argv.slice(2);
const endpoint = new URL('/mcp', url);

async function connect(headers) {
  const client = new Client({ name: 'quicktry-mcp-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
  return client;
}

// Without a key: the connection is refused.
let anonymous;
try {
  await (await connect({})).close();
  anonymous = { connected: true };
} catch (e) {
  anonymous = { connected: false, error: String(e.message ?? e) };
}

const client = await connect({ Authorization: `Bearer ${key}` });
const tools = (await client.listTools()).tools;
const call = (args) => client.callTool({ name: 'run_code', arguments: args });
const python = await call({ language: 'python3', code: 'import sys\nprint(sys.stdin.read().upper(), end="")', stdin: 'hello from typescript' });
const c = await call({ language: 'c', code: '#include <stdio.h>\nint main(int argc, char **argv) { printf("%d args, last %s\\n", argc - 1, argv[argc - 1]); return 0; }', args: ['a', 'b'] });
const failing = await call({ language: 'bash', code: 'echo oops >&2; exit 3' });
const unknown = await call({ language: 'no-such-language', code: 'x' });
const languages = await client.callTool({ name: 'list_languages', arguments: {} });

// A session: a variable kept between runs, a figure as image content, closed.
const tool = (name, args) => client.callTool({ name, arguments: args });
const created = await tool('create_session', { language: 'python3' });
const sessionId = created.structuredContent?.id;
await tool('run_in_session', { sessionId, code: 'x = 21' });
const doubled = await tool('run_in_session', { sessionId, code: 'x * 2' });
const wrote = await tool('write_file', { sessionId, path: 'notes/a.txt', content: 'from typescript' });
const readBack = await tool('read_file', { sessionId, path: 'notes/a.txt' });
const listed = await tool('list_files', { sessionId });
const figure = await tool('run_in_session', { sessionId, code: 'import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()' });
const closed = await tool('close_session', { sessionId });
const afterClose = await tool('run_in_session', { sessionId, code: 'x' });
const session = { created, doubled, wrote, readBack, listed, figure, closed, afterClose };
await client.close();

// A key whose plan allows one request a minute: the second run is a tool error, not a transport failure.
const tiny = await connect({ 'X-Api-Key': tinyKey });
const first = await tiny.callTool({ name: 'run_code', arguments: { language: 'bash', code: 'echo first' } });
const second = await tiny.callTool({ name: 'run_code', arguments: { language: 'bash', code: 'echo second' } });
await tiny.close();

console.log(JSON.stringify({ anonymous, tools, python, c, failing, unknown, languages, rateLimited: { first, second }, session }));
