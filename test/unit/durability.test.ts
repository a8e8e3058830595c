import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { openTelemetryStore } from '../../src/core';
import { series, startServe, tempDir, untilClosed } from './helpers';

const journals = (dir: string) => fs.readdirSync(dir).filter((name) => name.includes('.calls-'));

describe('durable acknowledgements: the call journal', function () {
  this.timeout(60_000);

  it('calls recorded durably are on disk before any save: a writer that dies unsaved loses none, the next open replays them, a save clears the journal', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'telemetry.db');
    const first = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const calls = series(100, { end: new Date(), workflow: 'durable', stage: 'ack' });
    for (let i = 0; i < 100; i += 10) await first.recordDurably(calls.slice(i, i + 10));
    assert.equal(fs.existsSync(file), false, 'no save has run');
    assert.equal(journals(dir).length, 1, 'one journal, this writer’s');
    // The writer is abandoned here as a crash would leave it: no save, no close.

    const second = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    assert.equal(second.callCount(), 100, 'every acknowledged call replayed');
    await second.recordDurably([{ workflow: 'durable', stage: 'ack', model: 'claude-haiku-4-5', id: 'after' }]);
    await second.close();
    assert.equal(journals(dir).length, 1, 'the first writer still runs (this process): its journal stays for it to clear');
    const third = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    assert.equal(third.callCount(), 101, 'each call once');
    third.dispose();
    first.dispose();
  });

  it('saves interleaved with durable records lose nothing: an abandoned writer’s calls are all replayed, a closed one leaves no journal', async () => {
    for (const close of [false, true]) {
      const dir = tempDir();
      const file = path.join(dir, 'telemetry.db');
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
      const records: Array<Promise<unknown>> = [];
      for (let round = 0; round < 40; round++) {
        records.push(store.recordDurably(series(5, { end: new Date(), workflow: 'w', stage: `s${round}` })));
        if (round % 7 === 0) records.push(store.flush());
      }
      await Promise.all(records);
      if (close) {
        await store.close();
        assert.deepEqual(journals(dir), [], 'all saved: no journal left');
      }
      const reopened = await openTelemetryStore({ path: file, autoSaveMs: 0 });
      assert.equal(reopened.callCount(), 200, `every call once (${close ? 'closed' : 'abandoned'})`);
      reopened.dispose();
      if (!close) store.dispose();
    }
  });

  it('[bundle] kill -9 after the receiver answered 200: every acknowledged call is in the file afterwards, each once', async () => {
    const dir = tempDir();
    const { child, url: listening } = await startServe(dir, ['--db', 'k.db']);
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    let acknowledged = 0;
    for (let r = 0; r < 10; r++) {
      const spans = Array.from({ length: 10 }, (_, i) => ({
        traceId: 'c'.repeat(32),
        spanId: (r * 10 + i + 1).toString(16).padStart(16, '0'),
        name: 'chat',
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 1_000_000n),
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
          { key: 'gen_ai.request.model', value: { stringValue: 'claude-haiku-4-5' } },
        ],
      }));
      const response = await fetch(`${listening}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
        headers: { 'Content-Type': 'application/json' },
      });
      if (response.status === 200) acknowledged += spans.length;
    }
    child.kill('SIGKILL');
    await untilClosed(listening);
    assert.equal(acknowledged, 100);
    const store = await openTelemetryStore({ path: path.join(dir, 'k.db'), autoSaveMs: 0 });
    assert.equal(store.callCount(), 100, 'every acknowledged call, each once');
    await store.close();
    assert.deepEqual(journals(dir), [], "the dead writer's journal is gone once its calls are saved");
  });
});
