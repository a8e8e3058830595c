import { strict as assert } from 'assert';
import { TelemetryStore, openTelemetryStore } from '../../src/core';
import { DAY_MS } from '../../src/core/timeWindow';
import { fixedClock } from './helpers';

/** The store's queries, each against what the calls put in say (a store of a few calls, in memory). */
describe("the store's queries", () => {
  const clock = fixedClock('2026-11-20T12:00:00Z');
  const now = clock.now().getTime();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  let store: TelemetryStore;
  beforeEach(async () => (store = await openTelemetryStore({ now: clock.now, prefetchHistories: false })));
  afterEach(() => store.dispose());

  it('the last call of all, across stages; none in an empty store', () => {
    assert.equal(store.lastCall(), undefined);
    store.trackLlmCalls([
      { workflow: 'w', stage: 'a', model: 'm', id: 'older', ts: now - 5000 },
      { workflow: 'w', stage: 'b', model: 'm', id: 'newest', ts: now - 1000 },
      { workflow: 'v', stage: 'a', model: 'm', id: 'middle', ts: now - 3000 },
    ]);
    const last = store.lastCall()!;
    assert.equal(last.workflow, 'w');
    assert.equal(last.stage, 'b');
    assert.equal(last.ts, now - 1000);
  });

  it("a workflow's recent outcomes merge its stages newest first, from `since` on, at most `limit`", () => {
    store.trackLlmCalls([
      { workflow: 'w', stage: 'a', model: 'm1', success: true, ts: now - 4000 },
      { workflow: 'w', stage: 'b', model: 'm2', success: false, ts: now - 3000 },
      { workflow: 'w', stage: 'a', model: 'm3', success: false, ts: now - 2000 },
      { workflow: 'w', stage: 'b', model: 'm4', success: true, ts: now - 1000 },
      { workflow: 'w', stage: 'a', model: 'old', success: true, ts: now - 9000 },
    ]);
    const outcomes = store.recentOutcomes({ workflow: 'w', since: now - 4000 }, 3);
    assert.deepEqual(
      outcomes.map((o) => [o.model, o.success, o.ts]),
      [
        ['m4', true, now - 1000],
        ['m3', false, now - 2000],
        ['m2', false, now - 3000],
      ],
    );
    assert.deepEqual(
      store.recentOutcomes({ workflow: 'w', since: now - 4000 }, 10).map((o) => o.model),
      ['m4', 'm3', 'm2', 'm1'],
      'a call exactly at `since` is in',
    );
    assert.deepEqual(
      store.recentOutcomes({ workflow: 'w', stage: 'a' }, 10).map((o) => o.model),
      ['m3', 'm1', 'old'],
    );
  });

  it('calls in the same millisecond keep the order they were written in, newest first', () => {
    store.trackLlmCalls(['first', 'second', 'third'].map((model) => ({ workflow: 'w', stage: 'a', model, ts: now - 1000 })));
    store.trackLlmCalls([{ workflow: 'w', stage: 'b', model: 'fourth', ts: now - 1000 }]);
    assert.deepEqual(
      store.recentOutcomes({ workflow: 'w' }, 10).map((o) => o.model),
      ['fourth', 'third', 'second', 'first'],
    );
  });

  it('a stage history carries each field, unknown ones as null, and is served at the depth asked', () => {
    store.trackLlmCalls([
      { workflow: 'w', stage: 'a', model: 'm', tier: 'capable', cost: 0.25, durationMs: 40, tokens: { input: 7, output: 3 }, success: false, ts: now - 2000 },
      { workflow: 'w', stage: 'a', model: 'm', ts: now - 1000 },
    ]);
    const [bare, full] = store.recentStageCalls('w', 'a', 10);
    assert.deepEqual([bare.cost, bare.durationMs, bare.inputTokens, bare.outputTokens, bare.success, bare.tier], [null, null, null, null, true, null]);
    assert.deepEqual(
      [full.cost, full.durationMs, full.inputTokens, full.outputTokens, full.success, full.tier, full.ts],
      [0.25, 40, 7, 3, false, 'capable', now - 2000],
    );
    assert.equal(store.recentStageCalls('w', 'a', 1).length, 1);
    assert.equal(store.recentStageCalls('w', 'a', 1)[0].ts, now - 1000, 'the newest');
    assert.deepEqual(store.cachedStages(), [['w', 'a']]);
    assert.equal(store.recentStageCalls('w', 'nothing', 10, false).length, 0);
    assert.deepEqual(store.cachedStages(), [['w', 'a']], 'a read with cache off keeps nothing');
  });

  it('aggregates per model, sorted by name, counting a window that starts inside a day from its raw calls', () => {
    const since = today - DAY_MS + 6 * 3_600_000; // 06:00 yesterday
    store.trackLlmCalls([
      { workflow: 'w', stage: 'a', model: 'zeta', success: true, cost: 1, ts: today - DAY_MS + 3_600_000 }, // 01:00 yesterday: out
      { workflow: 'w', stage: 'a', model: 'zeta', success: false, cost: 2, ts: today - DAY_MS + 7 * 3_600_000 }, // 07:00 yesterday: in
      { workflow: 'w', stage: 'a', model: 'alpha', success: true, cost: 4, ts: today + 3_600_000 },
      { workflow: 'w', stage: 'a', model: 'alpha', success: true, ts: since }, // exactly at the start: in
    ]);
    const rows = store.aggregateByModel({ workflow: 'w', since });
    assert.deepEqual(
      rows.map((r) => [r.model, r.calls, r.successes]),
      [
        ['alpha', 2, 2],
        ['zeta', 1, 0],
      ],
    );
    const midnight = store.aggregateByModel({ workflow: 'w', since: today - DAY_MS });
    assert.deepEqual(
      midnight.map((r) => [r.model, r.calls]),
      [
        ['alpha', 2],
        ['zeta', 2],
      ],
      'a window from midnight takes whole days',
    );
    assert.deepEqual(
      store.aggregateByModel({ workflow: 'w' }).map((r) => r.calls),
      [2, 2],
      'no start: all time',
    );
  });

  it('latency quantiles per model by nearest rank, whatever order the calls came in', () => {
    const latencies = [500, 100, 400, 200, 300];
    store.trackLlmCalls(latencies.map((durationMs, i) => ({ workflow: 'w', stage: 'a', model: 'm', durationMs, ts: now - 1000 - i })));
    assert.equal(store.latencyQuantiles({ workflow: 'w' }, 0.5).get('m'), 300);
    assert.equal(store.latencyQuantiles({ workflow: 'w' }, 0.2).get('m'), 100);
    assert.equal(store.latencyQuantiles({ workflow: 'w' }, 1).get('m'), 500);
  });

  it('the background read keeps reading stages until its budget is spent, and stops when told', () => {
    for (const stage of ['a', 'b', 'c']) store.trackLlmCalls(Array.from({ length: 5 }, (_, i) => ({ workflow: 'w', stage, model: 'm', ts: now - 1000 - i })));
    const reader = store['read']();
    assert.equal(
      reader.prefetchHistories(() => true, 100),
      false,
      'told to stop before its first stage',
    );
    assert.deepEqual(store.cachedStages(), []);
    assert.equal(
      reader.prefetchHistories(() => false, 6),
      true,
    );
    assert.equal(store.cachedStages().length, 2, 'two stages of 5 calls reach a budget of 6');
    assert.equal(
      reader.prefetchHistories(() => false, 100),
      true,
    );
    assert.equal(store.cachedStages().length, 3);
  });
});
