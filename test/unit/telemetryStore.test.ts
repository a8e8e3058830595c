import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { InvalidCallError, TelemetryFileError, openTelemetryStore } from '../../src/core';
import { fixedClock, series, tempDir } from './helpers';
import { waitFor } from '../poll';
import { randomIdentity } from '../../src/core/ingest/callValidation';

describe('telemetry store', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trackLlmCalls takes a large array at once (spreading it used to overflow the call stack)', async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    const end = new Date(fixedClock().now().getTime() - 60_000);
    store.trackLlmCalls(series(200_000, { end }));
    assert.equal(store.callCount(), 200_000);
    store.dispose();
  });

  it('a stage history cut inside one millisecond keeps the calls written last there', async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    const start = fixedClock().now().getTime() - 10 * 86_400_000;
    // Written oldest first: 20 older calls, 30 in one millisecond, then 990 newer ones. Newest first,
    // the 1000-deep read ends inside the 30, which must be the last written of them (ids are random).
    const ts = (i: number) => (i < 20 ? start + i : i < 50 ? start + 20 : start + i);
    store.trackLlmCalls(Array.from({ length: 1040 }, (_, i) => ({ workflow: 'w', stage: 's', model: 'm', durationMs: i, ts: ts(i) })));
    for (const [limit, cache] of [
      [1000, true],
      [995, false],
    ] as const) {
      const history = store.recentStageCalls('w', 's', limit, cache);
      assert.equal(history.length, limit);
      const expected = Array.from({ length: limit }, (_, k) => 1039 - k);
      assert.deepEqual(
        history.map((c) => c.durationMs),
        expected,
        `limit ${limit}`,
      );
    }
    store.dispose();
  });

  it('a call tracked on a stage whose history is cached reaches the next read without an insert (write-behind), in write order, once', async () => {
    const file = path.join(dir, 'telemetry.db');
    const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    const ts = fixedClock().now().getTime() - 60_000;
    store.trackLlmCalls(Array.from({ length: 30 }, (_, i) => ({ workflow: 'w', stage: 's', model: 'old', ts: ts - 1000 + i })));
    assert.equal(store.recentStageCalls('w', 's', 1000).length, 30); // the history is now cached
    const inserted: number[] = [];
    store.onDidChange((e) => e.kind === 'calls' && inserted.push(e.added));
    const version = store.workflowVersion('w');
    for (const model of ['m1', 'm2', 'm3']) store.trackLlmCall({ workflow: 'w', stage: 's', model, ts });
    const fromMemory = store.recentStageCalls('w', 's', 1000);
    assert.deepEqual(inserted, [], 'the decision path did not insert');
    assert.deepEqual(
      fromMemory.slice(0, 4).map((c) => c.model),
      ['m3', 'm2', 'm1', 'old'],
      'same millisecond: the last written first',
    );
    assert.equal(store.workflowVersion('w'), version + 3, 'versions count calls before they are inserted');
    assert.equal(store.callCount(), 33, 'a query inserts them first');
    assert.deepEqual(inserted, [3]);
    assert.deepEqual(store.recentStageCalls('w', 's', 1000), fromMemory, 'each call once, in the same order');
    await store.close();
    const reopened = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    assert.deepEqual(
      reopened.recentStageCalls('w', 's', 1000).map((c) => [c.model, c.ts]),
      fromMemory.map((c) => [c.model, c.ts]),
      'read back from the file in the order memory had',
    );
    reopened.dispose();
  });

  it('after opening a file its stage histories are read in the background, so the first decision after a tracked call needs no insert', async () => {
    const file = path.join(dir, 'telemetry.db');
    const writer = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    const end = new Date(fixedClock().now().getTime() - 60_000);
    writer.trackLlmCalls([...series(30, { end, stage: 'a' }), ...series(30, { end, stage: 'b' })]);
    await writer.close();
    for (const prefetchHistories of [true, false]) {
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now, prefetchHistories });
      await store.prefetched;
      const inserted: number[] = [];
      store.onDidChange((e) => e.kind === 'calls' && inserted.push(e.added));
      store.trackLlmCall({ workflow: 'code-review', stage: 'b', model: 'new', ts: fixedClock().now() });
      assert.equal(store.recentStageCalls('code-review', 'b', 1000)[0].model, 'new');
      assert.deepEqual(inserted, prefetchHistories ? [] : [1], `prefetchHistories: ${prefetchHistories}`);
      store.dispose();
    }
  });

  it("a decision's priors (whole days of the daily counters) count calls tracked on cached stages without inserting them", async () => {
    const store = await openTelemetryStore({ autoSaveMs: 0, now: fixedClock().now });
    const now = fixedClock().now().getTime();
    const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
    store.trackLlmCalls(Array.from({ length: 10 }, (_, i) => ({ workflow: 'w', stage: i < 5 ? 'a' : 'b', model: 'm', success: i % 2 === 0, ts: now - 1000 })));
    store.recentStageCalls('w', 'a', 1000);
    store.recentStageCalls('w', 'b', 1000); // both histories cached
    const inserted: number[] = [];
    store.onDidChange((e) => e.kind === 'calls' && inserted.push(e.added));
    store.trackLlmCall({ workflow: 'w', stage: 'a', model: 'm', success: false, tier: 'cheap', ts: now });
    store.trackLlmCall({ workflow: 'w', stage: 'a', model: 'n', success: true, ts: now });
    const records = (since: number) =>
      store
        .stageModelRecords('w', since)
        .map((r) => `${r.stage}/${r.model} ${r.successes}/${r.calls} ${r.tier}`)
        .sort();
    assert.deepEqual(records(dayStart), ['a/m 3/6 cheap', 'a/n 1/1 null', 'b/m 2/5 null']);
    assert.deepEqual(inserted, [], 'read from the counters, the pending calls not inserted');
    // A window starting inside a day reads that day's calls, so the pending ones are inserted first.
    assert.deepEqual(records(dayStart + 1), ['a/m 3/6 cheap', 'a/n 1/1 null', 'b/m 2/5 null']);
    assert.deepEqual(inserted, [2]);
    // A call on a stage without a cached history makes its workflow late: it is inserted before the read.
    store.trackLlmCall({ workflow: 'w', stage: 'c', model: 'm', ts: now });
    assert.deepEqual(
      records(dayStart).filter((r) => r.startsWith('c/')),
      ['c/m 1/1 null'],
    );
    assert.deepEqual(inserted, [2, 1]);
    // What was counted ahead is counted once after the insert, and in the file.
    assert.deepEqual(
      store.aggregateByModel({ workflow: 'w', since: dayStart }).map((a) => `${a.model} ${a.calls}`),
      ['m 12', 'n 1'],
    );
    store.dispose();
  });

  it('a call counted ahead whose random id turns out to be stored already is taken back out of the counters', async () => {
    const file = path.join(dir, 'telemetry.db');
    const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    const now = fixedClock().now().getTime();
    const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
    const random = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
    // Every random identity is 0 while this stands in (the words are drawn in blocks: draw past one).
    globalThis.crypto.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
      if (array) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0);
      return array;
    };
    try {
      for (let i = 0; i < 1025; i++) randomIdentity();
      store.trackLlmCall({ workflow: 'w', stage: 's', model: 'm', success: true, durationMs: 100, cost: 0.5, ts: now - 1000 });
      assert.equal(store.recentStageCalls('w', 's', 1000).length, 1); // inserted, and the history cached
      store.trackLlmCall({ workflow: 'w', stage: 's', model: 'm', success: false, durationMs: 300, cost: 0.25, ts: now - 1000 }); // same key: id and time
    } finally {
      globalThis.crypto.getRandomValues = random;
      for (let i = 0; i < 1025; i++) randomIdentity(); // past the block of zeros, for the tests after
    }
    assert.deepEqual(
      store.stageModelRecords('w', dayStart).map((r) => [r.calls, r.successes]),
      [[2, 1]],
      'counted ahead',
    );
    assert.equal(store.callCount(), 1, 'the insert found the id stored');
    const totals = store.aggregateByModel({ workflow: 'w', since: dayStart });
    assert.deepEqual(
      totals.map((a) => [a.calls, a.successes, a.costSum, a.latencySum]),
      [[1, 1, 0.5, 100]],
    );
    assert.equal(store.recentStageCalls('w', 's', 1000).length, 1, 'nor is it in the history');
    await store.close();
    const reopened = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    assert.deepEqual(
      reopened.aggregateByModel({ workflow: 'w', since: dayStart }).map((a) => [a.calls, a.successes, a.costSum]),
      [[1, 1, 0.5]],
    );
    reopened.dispose();
  });

  it('a call with an id of its own is inserted before its stage is read, so a duplicate never reaches the history', async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    store.trackLlmCall({ workflow: 'w', stage: 's', model: 'm', id: 'same' });
    assert.equal(store.recentStageCalls('w', 's', 1000).length, 1);
    store.trackLlmCall({ workflow: 'w', stage: 's', model: 'm', id: 'same' });
    store.trackLlmCall({ workflow: 'w', stage: 's', model: 'other' });
    assert.deepEqual(
      store.recentStageCalls('w', 's', 1000).map((c) => c.model),
      ['other', 'm'],
    );
    store.dispose();
  });

  it("workflowVersion grows with the workflow's own calls only, and jumps when the database changes under the store", async () => {
    const file = path.join(dir, 'telemetry.db');
    const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const before = store.workflowVersion('a');
    store.trackLlmCall({ workflow: 'b', stage: 's', model: 'm' });
    assert.equal(store.workflowVersion('a'), before, 'another workflow leaves it as it was');
    store.trackLlmCalls([1, 2, 3].map(() => ({ workflow: 'a', stage: 's', model: 'm' })));
    assert.equal(store.workflowVersion('a'), before + 3);
    const other = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    other.trackLlmCall({ workflow: 'b', stage: 's', model: 'm' });
    await other.close();
    await store.flush(); // merges the other writer's call: the database changed under the store
    assert.ok(store.workflowVersion('a') > before + 3 + 1000, 'a merge or reload makes every cached workflow stale');
    store.dispose();
  });

  it('rejects invalid calls with the field named, writing nothing', async () => {
    const store = await openTelemetryStore();
    const bad: Array<[object, string]> = [
      [{ model: 'm' }, 'workflow'],
      [{ workflow: 'w' }, 'model'],
      [{ workflow: 'w', model: 'm', cost: -0.01 }, 'cost'],
      [{ workflow: 'w', model: 'm', ts: 'yesterday-ish' }, 'ts'],
      [{ workflow: 'w', model: 'm', tier: 'gold' }, 'tier'],
      [{ workflow: 'w', model: 'm', tokens: { input: -5 } }, 'tokens.input'],
      [{ workflow: 'w', model: 'm', success: 'yes' }, 'success'],
    ];
    for (const [call, field] of bad) {
      assert.throws(
        () => store.trackLlmCall(call as never),
        (e: unknown) => e instanceof InvalidCallError && e.field === field && e.message.includes(field),
      );
    }
    assert.throws(
      () =>
        store.trackLlmCalls([
          { workflow: 'w', model: 'm' },
          { workflow: 'w', model: 'm', cost: -1 },
        ]),
      InvalidCallError,
    );
    assert.equal(store.callCount(), 0, 'a batch with one bad call stores none');
    await store.close();
  });

  it('accepts the seed tier spelling, stores unknown success as NULL and counts it as success', async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    store.trackLlmCall({ workflow: 'w', stage: 's', tier: 'CHEAP', model: 'm', ts: '2026-11-20T10:00:00Z' });
    store.trackLlmCall({ workflow: 'w', stage: 's', tier: 'ModelTier.PREMIUM', model: 'm', success: false, ts: '2026-11-20T10:01:00Z' });
    const [first, second] = store.calls();
    assert.equal(first.tier, 'cheap');
    assert.equal(first.success, null);
    assert.equal(second.tier, 'premium');
    const [aggregate] = store.aggregateByModel({ workflow: 'w', stage: 's' });
    assert.equal(aggregate.calls, 2);
    assert.equal(aggregate.successes, 1);
    await store.close();
  });

  it('uses the injected clock for default timestamps', async () => {
    const clock = fixedClock('2026-01-02T03:04:05Z');
    const store = await openTelemetryStore({ now: clock.now });
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    assert.equal(new Date(store.calls()[0].ts).toISOString(), '2026-01-02T03:04:05.000Z');
    await store.close();
  });

  it('a flushed file reopens with the same calls and the sqlite3 tool reads it', async () => {
    const file = path.join(dir, 'nested', 'telemetry.db');
    const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: fixedClock().now });
    for (let i = 0; i < 25; i++) {
      store.trackLlmCall({
        id: `c${i}`,
        workflow: 'code-review',
        stage: 'analysis',
        tier: 'cheap',
        model: 'claude-haiku-4-5',
        cost: 0.001 * i,
        tokens: { input: 10, output: 5 },
        durationMs: 100 + i,
        success: i % 5 !== 0,
        ts: new Date(Date.UTC(2026, 10, 1, 0, i)),
      });
    }
    assert.equal(fs.existsSync(file), false, 'nothing is written before a save');
    await store.flush();
    const before = store.calls();
    await store.close();
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['telemetry.db'], 'no temporary file is left behind');

    const reopened = await openTelemetryStore({ path: file, now: fixedClock().now });
    assert.deepEqual(reopened.calls(), before);
    reopened.dispose();

    const cli = spawnSync('sqlite3', [file, 'SELECT count(*), sum(success), min(ts_utc) FROM calls_readable; PRAGMA user_version;'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), '25|20|2026-11-01T00:00:00.000Z\n5');
  });

  it('ignores a call it already has (same id), so merges and re-imports never double count', async () => {
    const store = await openTelemetryStore();
    // One call is its id at its time (the clock could tick between two calls left to default).
    const ts = new Date('2026-11-20T10:00:00Z');
    store.trackLlmCall({ id: 'same', workflow: 'w', model: 'm', ts });
    store.trackLlmCall({ id: 'same', workflow: 'w', model: 'm', ts });
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    assert.equal(store.callCount(), 2);
    await store.close();
  });

  it('merges what another writer saved instead of overwriting it', async () => {
    const file = path.join(dir, 'telemetry.db');
    const a = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const b = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    a.trackLlmCall({ workflow: 'w', model: 'from-a' });
    await a.flush();
    b.trackLlmCall({ workflow: 'w', model: 'from-b' });
    await b.flush();
    a.trackLlmCall({ workflow: 'w', model: 'from-a-again' });
    await a.close();
    await b.close();
    const check = await openTelemetryStore({ path: file });
    assert.deepEqual(
      check
        .calls()
        .map((c) => c.model)
        .sort(),
      ['from-a', 'from-a-again', 'from-b'],
    );
    check.dispose();
  });

  it('reloads when another process changed the file', async () => {
    const file = path.join(dir, 'telemetry.db');
    const reader = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    assert.equal(await reader.reloadIfChanged(), false);
    const writer = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    writer.trackLlmCall({ workflow: 'w', model: 'm' });
    await writer.close();
    assert.equal(await reader.reloadIfChanged(), true);
    assert.equal(reader.callCount(), 1);
    reader.dispose();
  });

  it('saves by itself when the caller never flushes', async () => {
    const file = path.join(dir, 'telemetry.db');
    const store = await openTelemetryStore({ path: file, autoSaveMs: 20 });
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    await waitFor('auto-save', () => !store.dirty, 10_000, 10);
    assert.ok(fs.existsSync(file), 'auto-save wrote the file');
    await store.close();
  });

  describe('refuses files it cannot trust, leaving them byte-for-byte as they were', () => {
    async function expectRefusal(bytes: Buffer, problem: TelemetryFileError['problem']): Promise<void> {
      const file = path.join(dir, 'bad.db');
      fs.writeFileSync(file, bytes);
      await assert.rejects(
        openTelemetryStore({ path: file }),
        (e: unknown) => e instanceof TelemetryFileError && e.problem === problem && e.message.includes(file),
      );
      assert.ok(fs.readFileSync(file).equals(bytes), 'file unchanged');
    }

    async function validFile(): Promise<Buffer> {
      const file = path.join(dir, 'good.db');
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
      store.trackLlmCall({ workflow: 'w', model: 'm' });
      await store.close();
      return fs.readFileSync(file);
    }

    it('not SQLite at all', () => expectRefusal(Buffer.from('{"workflow": "not a database"}\n'.repeat(10)), 'not-sqlite'));

    it('a truncated database', async () => {
      const good = await validFile();
      await expectRefusal(good.subarray(0, 2048), 'corrupt');
    });

    it('random bytes after a valid header', async () => {
      const good = await validFile();
      const noise = Buffer.from(good);
      let state = 12345;
      for (let i = 100; i < noise.length; i++) noise[i] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
      await expectRefusal(noise, 'corrupt');
    });

    it('a SQLite file of another program', () => {
      const file = path.join(dir, 'foreign.db');
      const made = spawnSync('sqlite3', [file, 'CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1);']);
      assert.equal(made.status, 0);
      return expectRefusal(fs.readFileSync(file), 'foreign-schema');
    });

    it('a newer schema version', async () => {
      const good = await validFile();
      const newer = Buffer.from(good);
      newer.writeUInt32BE(99, 60); // user_version lives at offset 60 of the header
      await expectRefusal(newer, 'newer-version');
    });

    it('a file in WAL mode', async () => {
      const good = await validFile();
      const wal = Buffer.from(good);
      wal[18] = 2;
      wal[19] = 2;
      await expectRefusal(wal, 'wal-mode');
    });

    it('a trigger it did not create', async () => {
      const file = path.join(dir, 'trigger.db');
      fs.writeFileSync(file, await validFile());
      const added = spawnSync('sqlite3', [file, 'CREATE TRIGGER sneaky AFTER INSERT ON calls BEGIN DELETE FROM calls; END;']);
      assert.equal(added.status, 0, String(added.stderr));
      await expectRefusal(fs.readFileSync(file), 'unsafe-schema');
    });
  });
});
