// The Node.js globals a snippet uses, for tsc. Debian packages no @types/node and the sandbox has no
// network to fetch it, so this declares the common surface loosely (modules come back as `any`).
declare function require(id: string): any;
declare var module: { exports: any };
declare var exports: any;
declare var __dirname: string;
declare var __filename: string;
declare var Buffer: any;
declare var process: {
    argv: string[];
    env: { [name: string]: string | undefined };
    exitCode: number | undefined;
    exit(code?: number): never;
    stdin: any;
    stdout: { write(chunk: string | Uint8Array): boolean };
    stderr: { write(chunk: string | Uint8Array): boolean };
    on(event: string, listener: (...args: any[]) => void): any;
};
