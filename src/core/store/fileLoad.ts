import type { Database, SqlJsStatic } from 'sql.js';
import { TelemetryFileError, checkHeader, damaged, prepareSchema } from './schema';
import type { StorageBackend } from './storage';
import { yieldToEventLoop } from '../timeSlices';

/** Reads a telemetry file into an in-memory database, refusing what is not ours or is damaged. */
export async function loadDatabase(
  sql: SqlJsStatic,
  backend: StorageBackend,
  maxBytes: number,
  integrityCheck?: (bytes: Uint8Array) => Promise<string>,
): Promise<{ db: Database; created: boolean; verify: () => Promise<void>; blockedMs: number }> {
  const read = await backend.read();
  // Plain bytes, not a Node Buffer: sql.js copies the file it is given with slice(), which on a Buffer
  // is a view, so its in-memory database wrote into the very bytes the integrity check reads later
  // (a write before the deferred check made a sound file look damaged).
  const bytes = read && new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
  if (!bytes || bytes.length === 0) {
    const db = new sql.Database();
    prepareSchema(db, backend.location);
    return { db, created: true, verify: () => Promise.resolve(), blockedMs: 0 };
  }
  if (bytes.length > maxBytes) {
    throw new TelemetryFileError(
      backend.location,
      'too-large',
      `is ${(bytes.length / 1048576).toFixed(0)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit (setting adaptiveRouting.maxFileSizeMB). Raise the limit or move the file aside.`,
    );
  }
  checkHeader(backend.location, bytes);
  let db: Database;
  let blockedMs = 0;
  try {
    const started = Date.now();
    db = new sql.Database(bytes);
    blockedMs = Date.now() - started;
  } catch (error) {
    throw new TelemetryFileError(backend.location, 'corrupt', `cannot be opened (${(error as Error).message}). Move it aside to start a new one.`);
  }
  // Deferred check, on the bytes as read (the in-memory database may change meanwhile). They are
  // held only until the check has them (sql.js has its own copy): a large file is not kept twice.
  let held: Uint8Array | undefined = integrityCheck ? bytes : undefined;
  let checked: Promise<void> | undefined;
  const verify = () => {
    if (!integrityCheck || !held) return checked ?? Promise.resolve();
    const copy = new Uint8Array(held);
    held = undefined;
    return (checked = integrityCheck(copy).then(
      (result) => {
        if (result !== 'ok') throw damaged(backend.location, result);
      },
      (error: Error) => {
        throw damaged(backend.location, `the integrity check could not run: ${error.message}`);
      },
    ));
  };
  try {
    await yieldToEventLoop();
    const started = Date.now();
    const created = prepareSchema(db, backend.location, { quickCheck: !integrityCheck });
    return { db, created, verify, blockedMs: Math.max(blockedMs, Date.now() - started) };
  } catch (error) {
    db.close();
    if (error instanceof TelemetryFileError) throw error;
    throw new TelemetryFileError(backend.location, 'corrupt', `cannot be read (${(error as Error).message}). Move it aside to start a new one.`);
  }
}
