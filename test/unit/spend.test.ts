import { strict as assert } from 'assert';
import { openTelemetryStore, AdaptiveModelRouter, ModelRegistry } from '../../src/core';
import { NO_SPEND, addSpend, spendOf, spendText, spendTotal } from '../../src/core/stats/spend';
import { dollarRange, dollars } from '../../src/core/format';
import { emptyCounter } from '../../src/core/store/dailyCounters';
import { fixedClock } from './helpers';

const registry = new ModelRegistry(
  {
    models: [
      { id: 'claude-haiku-4-5', tier: 'cheap', inputPer1M: 1, outputPer1M: 5 },
      { id: 'unpriced', tier: null, inputPer1M: null, outputPer1M: null },
    ],
  },
  {},
);

describe('spend: billed where reported, estimated from tokens where not, unknown otherwise', () => {
  it('prices prompt-cache tokens as Anthropic bills them: reads 0.1x input, 5-minute writes 1.25x, 1-hour writes 2x', () => {
    // 1000 input + 0.1 x 10,000 read + 1.25 x 1,500 five-minute writes + 2 x 500 one-hour writes = 4,875 input-priced tokens.
    const usd = registry.priceTokens('claude-haiku-4-5', { input: 1000, output: 200, cacheRead: 10_000, cacheWrite: 2000, cacheWrite1h: 500 });
    assert.ok(Math.abs(usd! - (4875 * 1 + 200 * 5) / 1e6) < 1e-15, String(usd));
    assert.equal(registry.priceTokens('claude-haiku-4-5', { output: 1_000_000 }), 5);
    assert.equal(registry.priceTokens('claude-haiku-4-5', { cacheWrite: 1_000_000 }), 1.25, 'writes without a lifetime: 5 minutes');
    assert.equal(registry.priceTokens('claude-haiku-4-5', { cacheWrite: 1_000_000, cacheWrite1h: 1_000_000 }), 2);
    assert.equal(registry.priceTokens('unpriced', { input: 5 }), null);
    assert.equal(registry.priceTokens('nobody-knows', { input: 5 }), null);
    assert.equal(registry.estimateCost('claude-haiku-4-5', 1000, null), 0.001, 'the older estimate is the same prices without cache tokens');
    assert.equal(registry.estimateCost('claude-haiku-4-5', null, null), null);
  });

  it('splits a model total into reported, estimated and unknown calls', () => {
    const totals = {
      ...emptyCounter(),
      calls: 10,
      costSum: 0.5,
      costKnown: 6,
      unpricedCalls: 3,
      unpricedInputTokens: 3000,
      unpricedOutputTokens: 600,
      unpricedCacheReadTokens: 10_000,
    };
    const spend = spendOf('claude-haiku-4-5', totals, registry);
    assert.deepEqual(
      { ...spend, estimated: Number(spend.estimated.toFixed(12)) },
      { reported: 0.5, reportedCalls: 6, reportedSqSum: 0, estimated: 0.007, estimatedCalls: 3, unknownCalls: 1 },
    );
    assert.deepEqual(
      spendOf('unpriced', totals, registry),
      { reported: 0.5, reportedCalls: 6, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 4 },
      'no price: not estimated',
    );
    assert.equal(spendTotal(spend), 0.5 + spend.estimated);
    assert.equal(spendTotal(spendOf('unpriced', { ...emptyCounter(), calls: 2 }, registry)), null, 'nothing known is not $0');
    assert.deepEqual(addSpend(NO_SPEND, spend), spend);
    // A source's own estimate among the known costs: known, but shown as an estimate.
    const withSourceEstimate = spendOf('unpriced', { ...totals, sourceEstimatedSum: 0.2, sourceEstimatedCalls: 2 }, registry);
    assert.deepEqual(
      [
        withSourceEstimate.reported,
        withSourceEstimate.reportedCalls,
        withSourceEstimate.estimated,
        withSourceEstimate.estimatedCalls,
        withSourceEstimate.unknownCalls,
      ],
      [0.3, 4, 0.2, 2, 4],
    );
  });

  it('says which part is an estimate, never passing one off as a bill', () => {
    const s = (reported: number, reportedCalls: number, estimated: number, estimatedCalls: number, unknownCalls = 0) =>
      spendText({ reported, reportedCalls, reportedSqSum: 0, estimated, estimatedCalls, unknownCalls });
    assert.equal(s(12.4, 10, 0, 0), '$12.40');
    assert.equal(s(0, 0, 0.0042, 3), '≈ $0.0042');
    assert.equal(s(9.3, 10, 3.1, 4), '$12.40 (≈ $3.10 of it estimated)');
    assert.equal(s(0, 0, 0, 0, 5), '—');
    assert.equal(s(1, 1, 0, 0, 1), '$1.00; 1 call of unknown cost');
    assert.equal(s(1, 1, 0, 0, 1200), '$1.00; 1,200 calls of unknown cost');
    assert.equal(dollars(0.5), '$0.50', 'whole cents in cents');
    assert.equal(dollars(0.5001), '$0.5001');
    assert.equal(dollars(38.204), '$38.20');
    assert.equal(dollarRange(0.2, 2.2), '$0.20–$2.20', 'a range in the places its larger end needs');
    assert.equal(dollarRange(0.28, 0.45), '$0.2800–$0.4500');
    assert.equal(dollarRange(-0.5, 1.5), '-$0.50–$1.50');
  });

  it("getRoutingStats reports each model's spend and the total, estimates for calls tracked with tokens and no cost", async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    const ts = fixedClock().now().getTime() - 3_600_000;
    store.trackLlmCalls([
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', cost: 0.01, ts },
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', tokens: { input: 1000, output: 200, cacheRead: 10_000 }, ts },
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', ts },
      { workflow: 'w', stage: 's', model: 'unpriced', tokens: { input: 5 }, ts },
      { workflow: 'w', stage: 's', model: 'unpriced', cost: 0.05, costEstimated: true, ts },
    ]);
    const stats = new AdaptiveModelRouter(store, { registry }).getRoutingStats('w', { days: 7 });
    const haiku = stats.performanceByModel['claude-haiku-4-5'].spend;
    assert.deepEqual([haiku.reportedCalls, haiku.estimatedCalls, haiku.unknownCalls], [1, 1, 1]);
    assert.ok(Math.abs(haiku.estimated - 0.003) < 1e-12, String(haiku.estimated));
    const unpriced = stats.performanceByModel.unpriced.spend;
    assert.deepEqual(
      [unpriced.reported, unpriced.reportedCalls, unpriced.estimated, unpriced.estimatedCalls, unpriced.unknownCalls],
      [0, 0, 0.05, 1, 1],
      "the caller's own estimate is shown as one; the call with tokens but no price stays unknown",
    );
    assert.deepEqual([stats.spend.reportedCalls, stats.spend.estimatedCalls, stats.spend.unknownCalls], [1, 2, 2]);
    store.dispose();
  });

  it("a source's own estimates count apart, and out of the billed costs' squares, whether read from the day's totals or from its raw calls", async () => {
    const store = await openTelemetryStore({ now: fixedClock().now });
    const now = fixedClock().now().getTime();
    store.trackLlmCalls([
      { workflow: 'w', stage: 's', model: 'm', cost: 0.3, ts: now - 1000 },
      { workflow: 'w', stage: 's', model: 'm', cost: 0.2, costEstimated: true, ts: now - 1000 },
    ]);
    for (const since of [Math.floor(now / 86_400_000) * 86_400_000, now - 3_600_000]) {
      const [m] = store.aggregateByModel({ workflow: 'w', since });
      assert.deepEqual(
        [m.costKnown, m.sourceEstimatedCalls, Number(m.sourceEstimatedSum.toFixed(12)), Number(m.costSqSum.toFixed(12))],
        [2, 1, 0.2, 0.09],
        `since ${since}`,
      );
    }
    store.dispose();
  });
});
