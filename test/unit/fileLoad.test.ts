import { strict as assert } from 'assert';
import type { SqlJsStatic } from 'sql.js';
import { TelemetryFileError } from '../../src/core';
import { loadDatabase } from '../../src/core/store/fileLoad';
import { prepareSchema } from '../../src/core/store/schema';
import { loadSqlJs } from '../../src/core/store/sqlite';
import type { StorageBackend } from '../../src/core/store/storage';
import { runInSlices } from '../../src/core/timeSlices';

/** A backend that only reads the given bytes (loadDatabase never writes). */
function holding(bytes: Uint8Array | undefined): StorageBackend {
  return { location: 'test.db', read: async () => bytes, write: async () => assert.fail('loading must not write'), stat: async () => undefined };
}

function refusal(problem: TelemetryFileError['problem'], message: string) {
  return (e: unknown) => e instanceof TelemetryFileError && e.problem === problem && e.message === `test.db: ${message}`;
}

describe('loading a telemetry file', () => {
  let SQL: SqlJsStatic;
  let sound: Uint8Array;
  before(async () => {
    SQL = await loadSqlJs();
    const db = new SQL.Database();
    prepareSchema(db, 'memory');
    sound = db.export();
    db.close();
  });

  it('a missing or empty file is a new database, created with the schema and nothing to verify', async () => {
    for (const bytes of [undefined, new Uint8Array()]) {
      const { db, created, verify, blockedMs } = await loadDatabase(SQL, holding(bytes), 1 << 20);
      assert.equal(created, true);
      assert.equal(blockedMs, 0);
      assert.deepEqual(db.exec('SELECT count(*) FROM calls')[0].values, [[0]]);
      await verify();
      db.close();
    }
  });

  it('a sound file opens as it is, and says how long it held the thread', async () => {
    const { db, created, blockedMs } = await loadDatabase(SQL, holding(sound), sound.length);
    assert.equal(created, false, 'exactly at the size cap is allowed');
    assert.ok(blockedMs >= 0 && blockedMs < 10_000, `blocked ${blockedMs} ms`);
    db.close();
  });

  it('a file over the size cap is refused before it is parsed, in megabytes', async () => {
    const big = new Uint8Array(3 * 1048576);
    await assert.rejects(
      loadDatabase(SQL, holding(big), 1048576),
      refusal('too-large', 'is 3 MB, over the 1 MB limit (setting adaptiveRouting.maxFileSizeMB). Raise the limit or move the file aside.'),
    );
  });

  it('a file that SQLite cannot read is refused as corrupt, with what SQLite said', async () => {
    const broken = new Uint8Array(sound);
    broken.fill(0x5a, 100); // the header intact, every page after it scribbled over
    await assert.rejects(loadDatabase(SQL, holding(broken), 1 << 20), (e: unknown) => {
      assert.ok(e instanceof TelemetryFileError && e.problem === 'corrupt', String(e));
      assert.match(e.message, /^test\.db: cannot be (opened|read) \(.+\)\. Move it aside to start a new one\.$/);
      return true;
    });
  });

  it("the integrity check's verdict, or its failure to run, is reported as damage", async () => {
    const checked = await loadDatabase(SQL, holding(sound), 1 << 20, async () => '*** in database main ***\nPage 3 is never used');
    await assert.rejects(
      checked.verify(),
      (e: unknown) => e instanceof TelemetryFileError && e.problem === 'corrupt' && /Page 3 is never used/.test(e.message),
    );
    checked.db.close();
    const crashed = await loadDatabase(SQL, holding(sound), 1 << 20, () => Promise.reject(new Error('worker gone')));
    await assert.rejects(crashed.verify(), (e: unknown) => e instanceof TelemetryFileError && /the integrity check could not run: worker gone/.test(e.message));
    crashed.db.close();
    const passed = await loadDatabase(SQL, holding(sound), 1 << 20, async () => 'ok');
    await passed.verify();
    passed.db.close();
  });

  it('the deferred integrity check reads the file as read, whatever the database wrote meanwhile (a Node Buffer is not copied by slice())', async () => {
    // Node's fs gives a Buffer, whose slice() is a view: sql.js then kept the read bytes as its file.
    const file = Buffer.from(sound);
    let checked: Uint8Array | undefined;
    const { db, verify } = await loadDatabase(SQL, holding(file), 1 << 30, async (bytes) => {
      checked = bytes;
      return 'ok';
    });
    db.exec('CREATE TABLE written_before_the_check (a INTEGER); INSERT INTO written_before_the_check VALUES (1)');
    db.exec("INSERT INTO import_progress (source, offset, fingerprint) VALUES ('s', 1, 'f')");
    await verify();
    assert.ok(checked && Buffer.from(checked).equals(Buffer.from(sound)), 'the check got the bytes as they were read');
    assert.ok(file.equals(Buffer.from(sound)), 'and the bytes read were not written into');
    db.close();
  });
});

describe('long jobs in slices', () => {
  it('runs a step until it says it is done, the event loop free between slices', async () => {
    let slices = 0;
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    const longest = await runInSlices(() => ++slices === 3, { sliceMs: 5 });
    assert.equal(slices, 3);
    assert.ok(timerFired);
    assert.ok(longest >= 0 && longest < 10_000, `longest slice ${longest} ms`);
  });

  it('a slice is told to stop once its time is up, and not before', async () => {
    const seen: boolean[] = [];
    await runInSlices((stop) => (seen.push(stop()), true), { sliceMs: 0 });
    await runInSlices((stop) => (seen.push(stop()), true), { sliceMs: 60_000 });
    assert.deepEqual(seen, [true, false]);
  });

  it('stops before the next slice once cancelled', async () => {
    let slices = 0;
    let cancelled = false;
    await runInSlices(
      () => {
        slices++;
        cancelled = true;
        return false;
      },
      { cancelled: () => cancelled },
    );
    assert.equal(slices, 1);
  });
});
