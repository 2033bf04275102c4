'use strict';
// tsc for the sandbox, built into a V8 startup snapshot (node --build-snapshot) when the image is built:
// TypeScript loaded, and the declaration files every compile reads (the ES2023 library, @types/node:
// 64,000 lines) already parsed and bound. Parsing and binding them was 85% of a hello world's compile;
// a compile now starts from that heap and parses and checks only the user's files (main.ts and what it
// imports), with the options `tsc --init` suggests. Reusing parsed files across programs is what
// TypeScript's language service does; the checker does not modify them.
// Output and exit code are tsc's: diagnostics as with --pretty false on stdout, 2 when there are errors
// (JavaScript is emitted all the same, as tsc does).
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const root = '/opt/typescript/node_modules';
const tsPath = path.join(root, 'typescript/lib/typescript.js');
const tsModule = { exports: {} };
// typescript.js is one CommonJS file; a snapshot's entry cannot require() user-land modules yet.
new Function('module', 'exports', 'require', '__filename', '__dirname', fs.readFileSync(tsPath, 'utf8'))(
  tsModule, tsModule.exports, require, tsPath, path.dirname(tsPath));
const ts = tsModule.exports;

const options = {
  target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], module: ts.ModuleKind.CommonJS, strict: true,
  esModuleInterop: true, skipLibCheck: true, forceConsistentCasingInFileNames: true,
  typeRoots: [path.join(root, '@types')], types: ['node'], pretty: false,
};
const cache = new Map();
function makeHost(cacheable) {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const hit = cache.get(fileName);
    if (hit) return hit;
    const file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (file && cacheable(fileName)) cache.set(fileName, file);
    return file;
  };
  return host;
}
// Warm-up: a program with an empty file loads and binds every declaration file a compile sees.
const fromTypeScript = f => f.startsWith(root + '/');
fs.mkdirSync('/tmp/qt-warm', { recursive: true });
fs.writeFileSync('/tmp/qt-warm/main.ts', 'export {};\n');
const warm = ts.createProgram(['/tmp/qt-warm/main.ts'], options, makeHost(fromTypeScript));
warm.getTypeChecker();
fs.rmSync('/tmp/qt-warm', { recursive: true });

function compile() {
  const host = makeHost(() => false);
  const program = ts.createProgram(['main.ts'], options, host);
  const emitted = program.emit();
  const diagnostics = ts.sortAndDeduplicateDiagnostics(ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics));
  const formatHost = { getCanonicalFileName: f => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
  if (diagnostics.length) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
  process.exitCode = diagnostics.some(d => d.category === ts.DiagnosticCategory.Error) ? 2 : 0;
}
if (v8.startupSnapshot && v8.startupSnapshot.isBuildingSnapshot()) {
  v8.startupSnapshot.setDeserializeMainFunction(compile);
} else {
  compile();
}
