import { strict as assert } from 'assert';
import type { Database } from 'sql.js';
import { DailyCounters, addInto, counterFromRow, emptyCounter } from '../../src/core/store/dailyCounters';
import type { DayCounter } from '../../src/core/store/dailyCounters';
import { prepareSchema } from '../../src/core/store/schema';
import { loadSqlJs } from '../../src/core/store/sqlite';
import { DAY_MS } from '../../src/core/timeWindow';

/** A call as DailyCounters.add takes it, with every field known unless overridden. */
function call(ts: number, over: Partial<Parameters<DailyCounters['add']>[2]> = {}): Parameters<DailyCounters['add']>[2] {
  return {
    ts,
    success: true,
    cost: 0.5,
    durationMs: 100,
    inputTokens: 10,
    outputTokens: 3,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    cacheWrite1hTokens: null,
    ...over,
  };
}

function counter(over: Partial<DayCounter> = {}): DayCounter {
  return { ...emptyCounter(), ...over };
}

/** SQLite's count of rows written since the database was opened: what a save would change. */
function rowsWritten(db: Database): number {
  return Number(db.exec('SELECT total_changes()')[0].values[0][0]);
}

describe('daily counters', () => {
  let db: Database;
  beforeEach(async () => {
    const SQL = await loadSqlJs();
    db = new SQL.Database();
    prepareSchema(db, 'memory');
  });
  afterEach(() => db.close());

  it('a stored row is read column by column from any offset, a missing last tier staying missing and tier 0 staying 0', () => {
    const row = ['x', 'y', 7, 5, 1.25, 4, 900, 3, 1000, 400, 0, 1234, 2, 300, 100, 50, 20, 5, 0.5, 0.25, 1];
    assert.deepEqual(counterFromRow(row, 2), {
      calls: 7,
      successes: 5,
      costSum: 1.25,
      costKnown: 4,
      latencySum: 900,
      latencyKnown: 3,
      inputTokens: 1000,
      outputTokens: 400,
      lastTier: 0,
      lastTs: 1234,
      unpricedCalls: 2,
      unpricedInputTokens: 300,
      unpricedOutputTokens: 100,
      unpricedCacheReadTokens: 50,
      unpricedCacheWriteTokens: 20,
      unpricedCacheWrite1hTokens: 5,
      costSqSum: 0.5,
      sourceEstimatedSum: 0.25,
      sourceEstimatedCalls: 1,
    });
    assert.equal(counterFromRow([1, 1, 0, 0, 0, 0, 0, 0, null, 5]).lastTier, null);
    assert.equal(counterFromRow([1, 1, 0, 0, 0, 0, 0, 0, 2, 5]).lastTier, 2);
  });

  it('adding counters sums every total, and the tier of the latest call wins (a tie goes to the one added)', () => {
    const total = emptyCounter();
    addInto(
      total,
      counter({
        calls: 3,
        successes: 2,
        costSum: 0.3,
        costKnown: 2,
        costSqSum: 0.05,
        sourceEstimatedSum: 0.1,
        sourceEstimatedCalls: 1,
        latencySum: 300,
        latencyKnown: 3,
        inputTokens: 30,
        outputTokens: 9,
        lastTier: 1,
        lastTs: 50,
        unpricedCalls: 1,
        unpricedInputTokens: 10,
        unpricedOutputTokens: 3,
        unpricedCacheReadTokens: 100,
        unpricedCacheWriteTokens: 40,
        unpricedCacheWrite1hTokens: 10,
      }),
    );
    assert.equal(total.lastTier, 1, 'the first counter added into an empty one brings its tier');
    assert.equal(total.lastTs, 50);
    addInto(
      total,
      counter({
        calls: 2,
        successes: 2,
        costSum: 0.2,
        costKnown: 1,
        costSqSum: 0.04,
        sourceEstimatedSum: 0.2,
        sourceEstimatedCalls: 1,
        latencySum: 200,
        latencyKnown: 2,
        inputTokens: 20,
        outputTokens: 6,
        lastTier: 0,
        lastTs: 40,
        unpricedCalls: 1,
        unpricedInputTokens: 20,
        unpricedOutputTokens: 6,
        unpricedCacheReadTokens: 1,
        unpricedCacheWriteTokens: 2,
        unpricedCacheWrite1hTokens: 1,
      }),
    );
    assert.deepEqual(
      { ...total },
      {
        calls: 5,
        successes: 4,
        costSum: 0.5,
        costKnown: 3,
        costSqSum: 0.09,
        sourceEstimatedSum: 0.30000000000000004,
        sourceEstimatedCalls: 2,
        latencySum: 500,
        latencyKnown: 5,
        inputTokens: 50,
        outputTokens: 15,
        lastTier: 1,
        lastTs: 50,
        unpricedCalls: 2,
        unpricedInputTokens: 30,
        unpricedOutputTokens: 9,
        unpricedCacheReadTokens: 101,
        unpricedCacheWriteTokens: 42,
        unpricedCacheWrite1hTokens: 11,
      },
    );
    addInto(total, counter({ calls: 1, lastTier: 2, lastTs: 50 }));
    assert.equal(total.lastTier, 2, 'same time: the counter added last wins');
  });

  it('a call counts toward its UTC day: unknown success counts as a success, unknown cost, latency and tokens as unknown', () => {
    const counters = new DailyCounters();
    const day = 20_000;
    counters.add(1, 1, call(day * DAY_MS + 10), 0);
    counters.add(1, 1, call(day * DAY_MS + 20, { success: null, cost: null, durationMs: null, inputTokens: null, outputTokens: null }), 1);
    counters.add(1, 1, call(day * DAY_MS + 5, { success: false }), 2);
    counters.add(1, 1, call((day + 1) * DAY_MS - 1), 2);
    // No billed cost but tokens: counted apart, for an estimate from prices (a cache read alone counts).
    counters.add(1, 1, call(day * DAY_MS + 1, { cost: null, cacheReadTokens: 500, cacheWriteTokens: 200, cacheWrite1hTokens: 50 }), 0);
    counters.add(1, 1, call(day * DAY_MS + 2, { cost: null, inputTokens: null, outputTokens: null, cacheReadTokens: 7 }), 0);
    const total = counters.sumFrom(1, day).get(1)!;
    assert.deepEqual(
      { ...total },
      {
        calls: 6,
        successes: 5,
        costSum: 1.5,
        costKnown: 3,
        costSqSum: 0.75,
        sourceEstimatedSum: 0,
        sourceEstimatedCalls: 0,
        latencySum: 500,
        latencyKnown: 5,
        inputTokens: 40,
        outputTokens: 12,
        lastTier: 2,
        lastTs: (day + 1) * DAY_MS - 1,
        unpricedCalls: 2,
        unpricedInputTokens: 10,
        unpricedOutputTokens: 3,
        unpricedCacheReadTokens: 507,
        unpricedCacheWriteTokens: 200,
        unpricedCacheWrite1hTokens: 50,
      },
    );
    assert.equal(counters.sumFrom(1, day + 1).size, 0, 'the next day has none of them');
  });

  it('a cost a source gave as its own estimate counts as a known cost, and apart as an estimate; taking the call back takes both', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(DAY_MS, { cost: 0.2, costEstimated: true }), 0);
    counters.add(1, 1, call(DAY_MS + 1, { cost: 0.3 }), 0);
    const total = counters.sumFrom(1, 0).get(1)!;
    assert.deepEqual([total.costSum, total.costKnown, total.sourceEstimatedSum, total.sourceEstimatedCalls], [0.5, 2, 0.2, 1]);
    assert.ok(Math.abs(total.costSqSum - 0.3 ** 2) < 1e-15, `squares of bills only: ${total.costSqSum}`);
    counters.remove(1, 1, call(DAY_MS, { cost: 0.2, costEstimated: true }));
    const after = counters.sumFrom(1, 0).get(1)!;
    assert.deepEqual([after.costSum, after.costKnown, after.sourceEstimatedSum, after.sourceEstimatedCalls], [0.3, 1, 0, 0]);
    assert.ok(Math.abs(after.costSqSum - 0.3 ** 2) < 1e-15, String(after.costSqSum));
  });

  it('an older call counted after a newer one leaves the tier of the newer one', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(DAY_MS + 500), 1);
    counters.add(1, 1, call(DAY_MS + 100), 0);
    assert.equal(counters.sumFrom(1, 0).get(1)!.lastTier, 1);
    counters.add(1, 1, call(DAY_MS + 500), 2);
    assert.equal(counters.sumFrom(1, 0).get(1)!.lastTier, 2, 'at the same time, the call counted last wins');
  });

  it('sums from a day on, inclusive, per model, leaving out models with no call in that range', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(9 * DAY_MS), 0);
    counters.add(1, 1, call(10 * DAY_MS), 0);
    counters.add(1, 1, call(12 * DAY_MS), 0);
    counters.add(1, 2, call(8 * DAY_MS), 1);
    const sums = counters.sumFrom(1, 10);
    assert.deepEqual([...sums.keys()], [1]);
    assert.equal(sums.get(1)!.calls, 2);
    assert.equal(counters.sumFrom(1, 8).get(2)!.calls, 1);
    assert.equal(counters.sumFrom(2, 0).size, 0, 'an unknown stage has nothing');
  });

  it('tells whether a stage has a call on a given day', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(3 * DAY_MS), 0);
    counters.add(1, 2, call(5 * DAY_MS), 0);
    assert.equal(counters.hasCalls(1, 3), true);
    assert.equal(counters.hasCalls(1, 5), true, 'through any of its models');
    assert.equal(counters.hasCalls(1, 4), false);
    assert.equal(counters.hasCalls(2, 3), false, 'an unknown stage has none');
  });

  it('orders stages by their latest call, newest first, leaving out stages whose counters are all empty', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(2 * DAY_MS), 0);
    counters.add(2, 1, call(5 * DAY_MS), 0);
    counters.add(2, 2, call(1 * DAY_MS), 0);
    counters.add(3, 1, call(3 * DAY_MS + 7), 0);
    counters.add(3, 2, call(3 * DAY_MS + 9), 0);
    counters.add(4, 1, call(4 * DAY_MS), 0);
    counters.writeDirty(db);
    // A row with no calls (as a hand-edited or foreign-made file might have) does not make stage 5 recent.
    db.run(
      'INSERT INTO daily (stage_id, model_id, day, calls, successes, cost_sum, cost_known, latency_sum, latency_known, input_tokens, output_tokens, last_tier, last_ts) VALUES (5, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, NULL, ?)',
      [9 * DAY_MS],
    );
    assert.deepEqual(DailyCounters.load(db).stagesByRecency(), [2, 4, 3, 1]);
  });

  it('written counters read back the same, whole or in slices, and rows stored twice are not written twice', async () => {
    const counters = new DailyCounters();
    // 300 (stage, model, day) rows: more than one batch of the sliced reader (256 rows).
    for (let i = 0; i < 300; i++) counters.add(1 + (i % 3), 1 + (i % 2), call((i % 50) * DAY_MS + i, { cost: i / 100, inputTokens: i }), i % 3);
    counters.add(1, 1, call(DAY_MS, { cost: null }), null);
    counters.writeDirty(db);
    const written = rowsWritten(db);
    counters.writeDirty(db);
    assert.equal(rowsWritten(db), written, 'nothing changed, nothing written');
    // Per stage and model (in model order), sums rounded where the order of additions differs.
    const all = (c: DailyCounters) =>
      [1, 2, 3].map((stage) =>
        [...c.sumFrom(stage, 0)]
          .sort(([a], [b]) => a - b)
          .map(([model, total]) => [model, { ...total, costSum: Math.round(total.costSum * 1e6), costSqSum: Math.round(total.costSqSum * 1e6) }]),
      );
    assert.equal(all(counters).flat().length, 6, 'three stages of two models');
    assert.deepEqual(all(DailyCounters.load(db)), all(counters));
    const { counters: sliced } = await DailyCounters.loadInSlices(db, 0);
    assert.deepEqual(all(sliced), all(counters));
    const loaded = DailyCounters.load(db);
    loaded.writeDirty(db);
    assert.equal(rowsWritten(db), written, 'reading the file marks nothing to write back');
  });

  it('a counter changed after a write is written again', () => {
    const counters = new DailyCounters();
    counters.add(1, 1, call(DAY_MS), 0);
    counters.writeDirty(db);
    counters.add(1, 1, call(DAY_MS + 1), 1);
    counters.writeDirty(db);
    const reread = DailyCounters.load(db).sumFrom(1, 0).get(1)!;
    assert.equal(reread.calls, 2);
    assert.equal(reread.lastTier, 1);
  });
});
