// Worker thread: SQLite's integrity check on a copy of the telemetry file, so that checking a large
// file never blocks the extension host (bundled as dist/integrityWorker.js, next to sql-wasm.wasm).
import * as path from 'path';
import initSqlJs from 'sql.js';
import { parentPort } from 'worker_threads';

parentPort?.once('message', async (bytes: Uint8Array) => {
  try {
    const SQL = await initSqlJs({ locateFile: (file: string) => path.join(__dirname, file) });
    const db = new SQL.Database(bytes);
    const result = String(db.exec('PRAGMA quick_check')[0]?.values[0]?.[0] ?? 'no result');
    db.close();
    parentPort?.postMessage({ result });
  } catch (error) {
    parentPort?.postMessage({ result: (error as Error).message });
  }
});
