import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { TelemetryFileError, TelemetryStore, importJsonlBytes, openTelemetryStore, workerIntegrityCheck } from '../../src/core';
import type { FileStamp, StorageBackend } from '../../src/core/store/storage';
import { llmCallsLine, tempDir, usageLine } from './helpers';
import { waitFor } from '../poll';

const WRITER = path.resolve(__dirname, '..', 'fixtures', 'writer.cjs');

function startWriter(db: string, count: number, every: number, tag: string): { child: ChildProcess; flushed: () => number; done: Promise<number> } {
  const child = spawn(process.execPath, [WRITER, db, String(count), String(every), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  let flushed = 0;
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const m of String(chunk).matchAll(/flushed (\d+)/g)) flushed = Math.max(flushed, Number(m[1]));
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<number>((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 || signal ? resolve(code ?? -1) : reject(new Error(`writer ${tag} exited ${code}: ${stderr}`)))),
  );
  return { child, flushed: () => flushed, done };
}

async function countByStage(db: string): Promise<Record<string, number>> {
  const store = await openTelemetryStore({ path: db });
  const counts: Record<string, number> = {};
  for (const call of store.calls({ workflow: 'stress' })) counts[call.stage] = (counts[call.stage] ?? 0) + 1;
  store.dispose();
  return counts;
}

describe('reliability', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir('amr-rel-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('[bundle] three processes tracking 2,000 calls each into one file, saving every 100, end with exactly 6,000', async () => {
    const db = path.join(dir, 'telemetry.db');
    const writers = ['a', 'b', 'c'].map((tag) => startWriter(db, 2000, 100, tag));
    await Promise.all(writers.map((w) => w.done));
    assert.deepEqual(await countByStage(db), { a: 2000, b: 2000, c: 2000 });
    assert.deepEqual(fs.readdirSync(dir), ['telemetry.db'], 'no lock or temporary file is left behind');
  });

  it('[bundle] a writer killed with SIGKILL at any moment leaves a file that opens with every completed save', async () => {
    const db = path.join(dir, 'telemetry.db');
    for (let round = 0; round < 6; round++) {
      const writer = startWriter(db, 100_000, 50, `k${round}`);
      // Kill it at a different point of its save cycle each round: after 1 to 6 completed saves.
      await waitFor(`writer k${round} saving`, () => writer.flushed() >= (round + 1) * 50, 10_000, 10);
      writer.child.kill('SIGKILL');
      await writer.done;
      const counts = await countByStage(db); // opening must succeed
      assert.ok((counts[`k${round}`] ?? 0) >= writer.flushed(), `round ${round}: ${counts[`k${round}`]} calls, ${writer.flushed()} reported saved`);
    }
    // The last writer may have died holding the lock: the next one takes it over once it is stale.
    const after = startWriter(db, 100, 100, 'after');
    assert.equal(await after.done, 0);
    assert.equal((await countByStage(db)).after, 100);
    assert.deepEqual(fs.readdirSync(dir), ['telemetry.db'], 'temporary files of killed writers are cleaned up');
  });

  it('takes over a stale lock left by a dead process', async () => {
    const db = path.join(dir, 'telemetry.db');
    fs.mkdirSync(`${db}.lock`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${db}.lock`, old, old);
    const started = Date.now();
    const writer = startWriter(db, 10, 10, 'late');
    assert.equal(await writer.done, 0);
    assert.ok(Date.now() - started < 10_000);
    assert.equal((await countByStage(db)).late, 10);
  });

  it('a failed save is reported and retried; no call is dropped', async () => {
    let failNext = true;
    let bytes: Uint8Array | undefined;
    let stamp: FileStamp | undefined;
    const flaky: StorageBackend = {
      location: 'flaky://telemetry.db',
      read: async () => bytes,
      stat: async () => stamp,
      write: async (data) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        bytes = data;
        stamp = { size: data.length, mtimeMs: (stamp?.mtimeMs ?? 0) + 1 };
      },
    };
    const store = await TelemetryStore.open(flaky, { autoSaveMs: 30 });
    const failures: string[] = [];
    store.onDidChange((e) => e.kind === 'save-failed' && failures.push(e.error.message));
    store.trackLlmCall({ workflow: 'w', model: 'm', id: 'kept' });
    await assert.rejects(store.flush(), /disk full/);
    assert.deepEqual(failures, ['disk full']);
    assert.equal(store.dirty, true);
    await waitFor('the retry timer to save it', () => !store.dirty, 10_000, 10);
    const reopened = await TelemetryStore.open(flaky);
    assert.equal(reopened.callCount(), 1);
    reopened.dispose();
    await store.close();
  });

  describe('the integrity check in a worker thread (dist/integrityWorker.js)', () => {
    const worker = workerIntegrityCheck(path.resolve(__dirname, '..', '..', 'dist', 'integrityWorker.js'));

    async function bigFile(file: string): Promise<Buffer> {
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
      store.trackLlmCalls(Array.from({ length: 5000 }, (_, i) => ({ workflow: 'w', stage: `s${i % 7}`, model: 'm', error: `e${i}`.repeat(20) })));
      await store.close();
      return fs.readFileSync(file);
    }

    it('passes a sound file, which is usable before the verdict and saved after it', async () => {
      const file = path.join(dir, 'telemetry.db');
      await bigFile(file);
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0, integrityCheck: worker });
      assert.equal(store.callCount(), 5000);
      await store.verification;
      store.trackLlmCall({ workflow: 'w', model: 'm' });
      await store.flush();
      await store.close();
    });

    it('catches damage the schema reads do not see; the file is never written over', async () => {
      const file = path.join(dir, 'telemetry.db');
      const good = await bigFile(file);
      const damaged = Buffer.from(good);
      // Scribble over a page in the middle of the calls table, leaving the schema page intact.
      const page = 4096 * Math.floor(good.length / 4096 / 2);
      for (let i = page + 8; i < page + 4096; i++) damaged[i] = (i * 7) & 0xff;
      fs.writeFileSync(file, damaged);
      const events: string[] = [];
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0, integrityCheck: worker });
      store.onDidChange((e) => events.push(e.kind));
      await assert.rejects(store.verification, (e: unknown) => e instanceof TelemetryFileError && e.problem === 'corrupt');
      store.trackLlmCall({ workflow: 'w', model: 'm' });
      await assert.rejects(store.flush(), TelemetryFileError);
      assert.ok(fs.readFileSync(file).equals(damaged), 'the file is left as it was');
      assert.ok(events.includes('unreadable'));
      store.dispose();
    });
  });

  it('keeps trusted_schema off, also after a save (which resets pragmas)', async () => {
    // The SQL session is private: tests reach it by name rather than the store growing a test-only method.
    const store = await openTelemetryStore({ path: path.join(dir, 'telemetry.db'), autoSaveMs: 0 });
    assert.deepEqual(store['session'].safetySettings(), { trustedSchema: false, journalMode: 'memory' });
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    await store.flush();
    assert.deepEqual(store['session'].safetySettings(), { trustedSchema: false, journalMode: 'memory' });
    await store.close();
  });

  it('refuses files over the size cap and views it did not create, leaving them as they were', async () => {
    const db = path.join(dir, 'telemetry.db');
    const store = await openTelemetryStore({ path: db, autoSaveMs: 0 });
    store.trackLlmCalls(Array.from({ length: 200 }, (_, i) => ({ workflow: 'w', model: 'm', id: String(i), error: 'x'.repeat(100) })));
    await store.close();
    const before = fs.readFileSync(db);
    await assert.rejects(openTelemetryStore({ path: db, maxFileBytes: 1024 }), (e: unknown) => e instanceof TelemetryFileError && e.problem === 'too-large');
    const { spawnSync } = await import('child_process');
    assert.equal(spawnSync('sqlite3', [db, 'CREATE VIEW leak AS SELECT * FROM calls;']).status, 0);
    const withView = fs.readFileSync(db);
    await assert.rejects(
      openTelemetryStore({ path: db }),
      (e: unknown) => e instanceof TelemetryFileError && e.problem === 'unsafe-schema' && /view "leak"/.test(e.message),
    );
    assert.ok(fs.readFileSync(db).equals(withView));
    assert.ok(before.length > 1024);
  });

  describe('importers survive any line (fast-check)', () => {
    const validUsage = usageLine();
    const validCalls = llmCallsLine();

    /** A valid line with one field replaced by an arbitrary JSON value, or cut, or with bytes flipped. */
    const mutatedLine = fc.oneof(
      fc.tuple(fc.constantFrom(validUsage, validCalls), fc.string(), fc.jsonValue()).map(([line, key, value]) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        const keys = Object.keys(o);
        o[keys[key.length % keys.length]] = value;
        return JSON.stringify(o);
      }),
      fc.tuple(fc.constantFrom(validUsage, validCalls), fc.nat()).map(([line, n]) => line.slice(0, n % line.length)),
      fc
        .tuple(fc.constantFrom(validUsage, validCalls), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))
        .map(([line, n, c]) => line.slice(0, n % line.length) + c + line.slice((n % line.length) + 1)),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
    );

    it('never throws, and every line is imported, a duplicate, or skipped', async () => {
      const store = await openTelemetryStore();
      await fc.assert(
        fc.asyncProperty(fc.array(mutatedLine, { maxLength: 30 }), async (lines) => {
          const text = lines.map((l) => l.replace(/\n/g, ' ')).join('\n') + '\n';
          const before = store.callCount();
          const report = importJsonlBytes(store, 'fuzz', new TextEncoder().encode(text), 0, new Uint8Array());
          // Counted here, not by the importer: the lines given and the calls the store gained.
          const given = text.split('\n').filter((l) => l.trim() !== '').length;
          assert.equal(report.linesRead, given, 'every non-empty line is read');
          assert.equal(store.callCount() - before, report.imported, 'imported = calls the store gained');
          assert.equal(report.imported + report.duplicates + report.skipped, report.linesRead);
          assert.ok(report.problems.length <= report.skipped);
        }),
        { numRuns: 300, seed: 20261126 },
      );
      await store.close();
    });
  });
});
