import { strict as assert } from 'assert';
import type { SqlJsStatic } from 'sql.js';
import { SCHEMA_VERSION, TelemetryFileError, checkHeader, prepareSchema } from '../../src/core/store/schema';
import { loadSqlJs } from '../../src/core/store/sqlite';

/** The first bytes of a SQLite file: its 16-byte header text, then zeros up to `length`. */
function header(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.set(new TextEncoder().encode('SQLite format 3\0'));
  return bytes;
}

function refused(problem: TelemetryFileError['problem'], message?: string) {
  return (e: unknown) =>
    e instanceof TelemetryFileError && e.name === 'TelemetryFileError' && e.problem === problem && (message === undefined || e.message === `t.db: ${message}`);
}

describe('the telemetry file schema', () => {
  let SQL: SqlJsStatic;
  before(async () => (SQL = await loadSqlJs()));

  it('a header is checked before SQLite sees the bytes: its text, its length, and WAL mode', () => {
    checkHeader('t.db', header(100)); // the smallest a header can be
    const notSqlite = 'not a SQLite database (the header is wrong). Move it aside or point the telemetry path at another file.';
    assert.throws(() => checkHeader('t.db', header(99)), refused('not-sqlite', notSqlite));
    const wrong = header(4096);
    wrong[0] = 0x73; // "sQLite format 3"
    assert.throws(() => checkHeader('t.db', wrong), refused('not-sqlite', notSqlite));
    const wal =
      'the database is in WAL mode, and its recent changes live in a "-wal" file that cannot be read here. Run: sqlite3 "t.db" "PRAGMA journal_mode=DELETE;" with the -wal file beside it, then reload.';
    for (const at of [18, 19]) {
      const bytes = header(4096);
      bytes[at] = 2;
      assert.throws(() => checkHeader('t.db', bytes), refused('wal-mode', wal), `byte ${at}`);
    }
  });

  it('a new database gets the current schema and our marker; preparing it again changes nothing', () => {
    const db = new SQL.Database();
    assert.equal(prepareSchema(db, 't.db'), true);
    assert.deepEqual(db.exec('PRAGMA user_version')[0].values, [[SCHEMA_VERSION]]);
    assert.deepEqual(db.exec("SELECT value FROM router_meta WHERE key = 'app'")[0].values, [['adaptive-model-router']]);
    assert.equal(prepareSchema(db, 't.db'), false);
    db.close();
  });

  it("refuses a newer schema, another program's tables, and a versioned file without our marker", () => {
    const newer = new SQL.Database();
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    assert.throws(
      () => prepareSchema(newer, 't.db'),
      refused(
        'newer-version',
        `written by a newer version of Adaptive Model Router (schema ${SCHEMA_VERSION + 1}, this one reads up to ${SCHEMA_VERSION}). Update the extension or CLI; the file is left as it is.`,
      ),
    );
    const foreign = new SQL.Database();
    foreign.exec('CREATE TABLE notes (x)');
    assert.throws(
      () => prepareSchema(foreign, 't.db'),
      refused(
        'foreign-schema',
        'a SQLite database of another program (it has tables, but not ours). Point adaptiveRouting.telemetryPath (or --db) at another file.',
      ),
    );
    const noMarker = [`PRAGMA user_version = ${SCHEMA_VERSION}`, `PRAGMA user_version = ${SCHEMA_VERSION}; CREATE TABLE router_meta (key TEXT, value TEXT)`];
    for (const setup of noMarker) {
      const db = new SQL.Database();
      db.exec(setup);
      assert.throws(
        () => prepareSchema(db, 't.db'),
        refused(
          'foreign-schema',
          'a SQLite database of another program (no Adaptive Model Router marker). Point adaptiveRouting.telemetryPath (or --db) at another file.',
        ),
        setup,
      );
    }
  });

  it('damage that the quick check finds is refused, unless the check is left to the integrity worker', () => {
    const db = new SQL.Database();
    prepareSchema(db, 't.db');
    db.exec('CREATE TABLE pad (x TEXT)');
    for (let i = 0; i < 400; i++) db.run('INSERT INTO pad VALUES (?)', ['x'.repeat(400) + i]);
    const bytes = db.export();
    db.close();
    // Scribble over a page in the middle (the schema on page 1 intact).
    const page = 4096 * Math.floor(bytes.length / 4096 / 2);
    for (let i = page + 8; i < page + 4096; i++) bytes[i] = (i * 7) & 0xff;
    assert.throws(
      () => prepareSchema(new SQL.Database(bytes), 't.db'),
      (e: unknown) => refused('corrupt')(e) && /the database is damaged/.test((e as Error).message),
    );
    prepareSchema(new SQL.Database(bytes), 't.db', { quickCheck: false });
  });
});
