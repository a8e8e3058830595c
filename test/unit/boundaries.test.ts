import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AdaptiveModelRouter, TelemetryStore, importJsonlFile, openTelemetryStore } from '../../src/core';
import { fixedClock, series, tempDir } from './helpers';

/** Edges where a `<` could be a `<=`: each test fails if the comparison moves by one. */
describe('boundaries', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
    router = new AdaptiveModelRouter(store);
  });
  afterEach(() => store.close());
  const end = () => new Date(clock.now().getTime() - 60_000);

  it('exactly minSampleSize calls give a verdict, one fewer does not', () => {
    store.trackLlmCalls(series(9, { end: end(), fails: (i) => i % 3 === 0 }));
    assert.match(router.recommendTierUpgrade('code-review', 'analysis').reason, /Insufficient data \(9 calls, need 10\)/);
    store.trackLlmCalls(series(1, { end: end(), model: 'claude-haiku-3.5' }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.sampleSize, 10);
    assert.match(verdict.reason, /^High failure rate: 30\.0% \(3\/10 failed/);
  });

  it('best-model takes a model with exactly minSampleSize calls, at exactly the minimum success rate and latency limit', () => {
    // 10 calls, 8 successes: 80.0% against a minimum of 0.8; 1500 ms against a limit of 1500.
    store.trackLlmCalls(series(10, { end: end(), model: 'edge', cost: 0.001, durationMs: 1500, fails: (i) => i < 2 }));
    store.trackLlmCalls(series(30, { end: end(), model: 'pricier', cost: 0.01, durationMs: 100 }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', minSuccessRate: 0.8, maxLatencyMs: 1500 }), 'edge');
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', minSuccessRate: 0.81 }), 'pricier');
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxLatencyMs: 1499 }), 'pricier');
  });

  it('a whole-workflow verdict reads the newest calls across its stages', () => {
    // Stage a: 20 old failures; stage b: 20 newer successes. The last 20 of the workflow are b's.
    store.trackLlmCalls(series(20, { end: new Date(end().getTime() - 3_600_000), stage: 'a', fails: () => true }));
    store.trackLlmCalls(series(20, { end: end(), stage: 'b' }));
    const verdict = router.recommendTierUpgrade('code-review');
    assert.equal(verdict.recentFailures, 0);
    assert.equal(verdict.upgrade, false);
    store.trackLlmCalls(series(8, { end: new Date(clock.now().getTime() - 1000), stage: 'a', fails: () => true }));
    assert.equal(router.recommendTierUpgrade('code-review').recentFailures, 8, 'the 8 newest failures are in the window');
  });

  it('older calls imported into a stage whose history is cached do not displace its newest calls', () => {
    store.trackLlmCalls(series(20, { end: end() }));
    router.route({ workflow: 'code-review', stage: 'analysis' }); // caches the stage's history
    assert.equal(router.recommendTierUpgrade('code-review', 'analysis').upgrade, false);
    store.trackLlmCalls(series(30, { end: new Date(end().getTime() - 86_400_000), fails: () => true }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.recentFailures, 0, 'the last 20 are still the newest');
    assert.equal(verdict.upgrade, false);
    assert.equal(verdict.sampleSize, 50);
  });

  it("a cached stage history takes calls older than its newest (a teammate's, pulled later) in their place by time, as a fresh read has them", async () => {
    // Two interleaved machines: this one's calls every minute, the other's in between, 30 seconds later.
    const mine = series(40, { end: end(), model: 'claude-haiku-3.5', fails: (i) => i % 4 === 0 });
    const theirs = series(40, { end: new Date(end().getTime() - 30_000), model: 'claude-sonnet-4', fails: (i) => i % 7 === 0 });
    store.trackLlmCalls(mine);
    router.route({ workflow: 'code-review', stage: 'analysis' }); // caches the history, and the router keeps what it worked out
    store.trackLlmCalls(theirs); // every one older than the newest cached call
    const fresh = await openTelemetryStore({ now: clock.now });
    fresh.trackLlmCalls([...mine, ...theirs].sort((a, b) => Number(a.ts) - Number(b.ts)));
    const seen = (s: TelemetryStore) => s.recentStageCalls('code-review', 'analysis', 1000).map((c) => [c.ts, c.model, c.success]);
    assert.deepEqual(seen(store), seen(fresh));
    assert.equal(seen(store).length, 80);
    const decision = router.route({ workflow: 'code-review', stage: 'analysis' }, { explore: false });
    const alternatives = (d: typeof decision) => d.alternatives.filter((a) => a.calls > 0).map((a) => [a.model, a.calls, a.successRate.toFixed(6)]);
    assert.deepEqual(
      alternatives(decision),
      alternatives(new AdaptiveModelRouter(fresh).route({ workflow: 'code-review', stage: 'analysis' }, { explore: false })),
    );
    assert.ok(
      decision.alternatives.some((a) => a.model === 'claude-sonnet-4' && a.calls === 40),
      "the teammate's calls count in the decision",
    );
    fresh.close();
  });

  it('a full cached history (1,000 calls) that takes an older call in the middle is a new history to route(): the call counts in the next decision', () => {
    store.trackLlmCalls(series(1000, { end: end() }));
    const before = router.route({ workflow: 'code-review', stage: 'analysis' }, { explore: false });
    assert.ok(!before.alternatives.some((a) => a.model === 'teammate-model' && a.calls > 0));
    // Same length (the oldest drops out), same newest call: only the middle changed.
    store.trackLlmCall({ ...series(1, { end: new Date(end().getTime() - 90_000), model: 'teammate-model' })[0] });
    const after = router.route({ workflow: 'code-review', stage: 'analysis' }, { explore: false });
    assert.equal(after.alternatives.find((a) => a.model === 'teammate-model')?.calls, 1);
  });

  it('retention deletes old raw calls but keeps their daily totals, also after a reopen', async () => {
    const dir = tempDir();
    const file = path.join(dir, 't.db');
    const now = clock.now();
    const disk = await openTelemetryStore({ path: file, now: () => now, autoSaveMs: 0, retentionDays: 30 });
    disk.trackLlmCalls(series(40, { end: new Date(now.getTime() - 60 * 86_400_000) }));
    disk.trackLlmCalls(series(10, { end: new Date(now.getTime() - 3_600_000) }));
    assert.equal(disk.applyRetention(), 40);
    await disk.close();
    const reopened = await openTelemetryStore({ path: file, now: () => now, autoSaveMs: 0, retentionDays: 30 });
    assert.equal(reopened.callCount(), 10, 'raw calls past retention are gone');
    const longRange = new AdaptiveModelRouter(reopened, { days: 90 }).getRoutingStats('code-review');
    assert.equal(longRange.totalCalls, 50, 'their daily totals still count');
    await reopened.close();
  });

  it('an llm_calls line without success is kept as unknown (a success), and two usage lines with the same ts, user and model are two calls', async () => {
    const dir = tempDir();
    const calls = path.join(dir, 'llm_calls.jsonl');
    fs.writeFileSync(
      calls,
      JSON.stringify({ call_id: 'n1', timestamp: '2026-11-20T09:15:30', workflow_name: 'w', step_name: 's', tier: 'cheap', model_id: 'claude-haiku-4-5' }) +
        '\n',
    );
    assert.equal((await importJsonlFile(store, calls)).imported, 1);
    assert.equal(store.calls()[0].success, null);
    const usage = path.join(dir, 'usage.jsonl');
    const line = (seq: number) =>
      JSON.stringify({ v: 1, ts: '2026-11-20T10:00:00Z', workflow: 'u', stage: 's', model: 'claude-haiku-4-5', user_id: 'same', seq, duration_ms: 5 });
    fs.writeFileSync(usage, `${line(1)}\n${line(2)}\n`);
    assert.equal((await importJsonlFile(store, usage)).imported, 2, 'seq tells them apart');
  });
});
