import { strict as assert } from 'assert';
import * as path from 'path';
import { ModelRegistry, dailySeries, openTelemetryStore } from '../../src/core';
import { exactInterval } from '../../src/core/stats/statistics';
import { series, tempDir } from './helpers';

const at = (iso: string) => new Date(iso);
const registry = new ModelRegistry();

describe('daily series: per UTC day, per model and tier, from the daily counters', () => {
  const now = at('2026-11-20T12:00:00Z');

  it('fills days without calls with zeros, and counts a call at 23:59:59.999 in its day and one at 00:00 in the next', async () => {
    const store = await openTelemetryStore({ now: () => now });
    store.trackLlmCalls([
      ...series(1, { end: at('2026-11-17T23:59:59.999Z'), cost: 0.5 }),
      ...series(1, { end: at('2026-11-18T00:00:00.000Z'), cost: 0.25, fails: () => true }),
      ...series(2, { end: at('2026-11-20T08:00:00Z'), model: 'claude-sonnet-5', tier: 'capable', cost: 1 }),
    ]);
    const s = dailySeries(store, registry, { workflow: 'code-review' }, { days: 5 });
    assert.deepEqual(s.days, ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    assert.deepEqual(
      s.models.map((m) => [m.model, m.tier, m.calls, m.spend]),
      [
        ['claude-haiku-3.5', 'cheap', [0, 1, 1, 0, 0], [0, 0.5, 0.25, 0, 0]],
        ['claude-sonnet-5', 'capable', [0, 0, 0, 0, 2], [0, 0, 0, 0, 2]],
      ],
    );
    assert.deepEqual(s.tiers, { cheap: [0, 1, 1, 0, 0], capable: [0, 0, 0, 0, 2], premium: [0, 0, 0, 0, 0], unknown: [0, 0, 0, 0, 0] });
    assert.deepEqual(
      s.success.map((d) => [d.calls, d.successes, d.rate]),
      [
        [0, 0, null],
        [1, 1, 1],
        [1, 0, 0],
        [0, 0, null],
        [2, 2, 1],
      ],
    );
    const interval = exactInterval(2, 2, 0.9);
    assert.deepEqual([s.success[4].low, s.success[4].high], [interval.low, interval.high], 'the exact 90% interval');
    assert.equal(s.success[0].low, null, 'no interval on a day without calls');
    store.close();
  });

  it('a stage, a workflow or every workflow; days 0 starts at the first day with a call; costs nobody knows stay apart', async () => {
    const store = await openTelemetryStore({ now: () => now });
    store.trackLlmCalls([
      ...series(3, { end: at('2026-11-19T10:00:00Z'), stage: 'summary', cost: 0.1 }),
      ...series(2, { end: at('2026-11-19T11:00:00Z'), workflow: 'other', model: 'mystery', tier: null, cost: null, tokens: undefined }),
      ...series(1, { end: at('2026-11-12T11:00:00Z') }),
    ]);
    const stage = dailySeries(store, registry, { workflow: 'code-review', stage: 'summary' }, { days: 2 });
    assert.deepEqual(
      stage.success.map((d) => d.calls),
      [3, 0],
    );
    const all = dailySeries(store, registry, {}, { days: 2 });
    assert.deepEqual(all.tiers.unknown, [2, 0], 'a model of no known tier');
    const mystery = all.models.find((m) => m.model === 'mystery')!;
    assert.deepEqual(
      [mystery.spend, mystery.unknownCalls],
      [
        [0, 0],
        [2, 0],
      ],
    );
    const sinceFirst = dailySeries(store, registry, { workflow: 'code-review' }, { days: 0 });
    assert.equal(sinceFirst.days[0], '2026-11-12');
    assert.equal(sinceFirst.days.length, 9);
    store.close();
  });

  it('calls past the retention still count, from their daily totals, after a reopen', async () => {
    const file = path.join(tempDir(), 't.db');
    const disk = await openTelemetryStore({ path: file, now: () => now, autoSaveMs: 0, retentionDays: 30 });
    disk.trackLlmCalls(series(4, { end: at('2026-09-21T10:00:00Z'), cost: 0.5 }));
    disk.trackLlmCalls(series(1, { end: at('2026-11-20T10:00:00Z'), cost: 0.5 }));
    assert.equal(disk.applyRetention(), 4);
    await disk.close();
    const reopened = await openTelemetryStore({ path: file, now: () => now, autoSaveMs: 0, retentionDays: 30 });
    assert.equal(reopened.callCount(), 1, 'the raw calls are gone');
    const s = dailySeries(reopened, registry, { workflow: 'code-review' }, { days: 61 });
    assert.equal(s.days[0], '2026-09-21');
    assert.deepEqual([s.success[0].calls, s.models[0].spend[0]], [4, 2]);
    await reopened.close();
  });
});
