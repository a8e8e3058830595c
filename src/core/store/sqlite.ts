import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let shared: Promise<SqlJsStatic> | undefined;
let sharedKey: unknown;

/**
 * Loads sql.js once per process. Pass the wasm bytes where the host cannot find the file itself
 * (the VS Code web host reads them through `vscode.workspace.fs`); in Node the bundle looks for
 * `sql-wasm.wasm` next to itself, then in the sql.js package.
 */
export function loadSqlJs(wasmBinary?: Uint8Array): Promise<SqlJsStatic> {
  if (shared && sharedKey === (wasmBinary ?? 'default')) return shared;
  sharedKey = wasmBinary ?? 'default';
  const config = wasmBinary ? { wasmBinary: wasmBinary as unknown as ArrayBuffer } : { locateFile: (file: string) => locateWasm(file) };
  shared = initSqlJs(config);
  shared.catch(() => (shared = undefined));
  return shared;
}

function locateWasm(file: string): string {
  // Only reached in Node (the browser build always passes wasmBinary).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs') as typeof import('fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('path') as typeof import('path');
  const besideBundle = path.join(__dirname, file);
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve(`sql.js/dist/${file}`);
}
