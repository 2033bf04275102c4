// Uses the unchanged piston-client package against a QuickTry API and prints what it got, as JSON,
// for PistonClientTests. Usage: node script.mjs <api url>
import { piston } from 'piston-client';

const client = piston({ server: process.argv[2] });
const runtimes = await client.runtimes();
const python = await client.execute('python', 'print(input())', { stdin: 'hello from piston-client' });
// piston-client sends args ["1", "2", "3"] unless told otherwise.
const c = await client.execute('c', '#include <stdio.h>\nint main(int argc, char **argv) { printf("%d args, last %s\\n", argc - 1, argv[argc - 1]); return 0; }');
const unknown = await client.execute('no-such-language', 'x');
console.log(JSON.stringify({ runtimes, python, c, unknown }));
