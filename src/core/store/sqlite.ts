import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let shared: Promise<SqlJsStatic> | undefined;

/**
 * Loads sql.js once per process. Pass the wasm bytes where the host cannot find the file itself
 * (the VS Code web host reads them through `vscode.workspace.fs`); in Node the bundle looks for
 * `sql-wasm.wasm` next to itself, then in the sql.js package. sql.js keeps the first module it
 * made (or its failure) for the whole process, whatever later calls pass: so does this.
 */
export function loadSqlJs(wasmBinary?: Uint8Array): Promise<SqlJsStatic> {
  return (shared ??= initSqlJs(wasmBinary ? { wasmBinary: wasmBinary as unknown as ArrayBuffer } : { locateFile: (file: string) => locateWasm(file) }));
}

/** Where the wasm file is in Node: beside the bundle (`dir`), else in the sql.js package. The browser build always passes wasmBinary. */
export function locateWasm(file: string, dir = __dirname): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs') as typeof import('fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('path') as typeof import('path');
  const besideBundle = path.join(dir, file);
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve(`sql.js/dist/${file}`);
}
