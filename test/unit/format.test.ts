import { strict as assert } from 'assert';
import { count, counted, dollarRange, dollarTicks, dollars, money, NO_STAGE, pct, shortPct, stageLabel, stageName } from '../../src/core/format';

describe('the vocabulary (core/format.ts): numbers and names written one way everywhere', () => {
  it('rates: pct keeps one decimal with the upstream rounding; shortPct drops a zero decimal', () => {
    assert.deepEqual([pct(0.8), pct(5 / 16), pct(1)], ['80.0%', '31.2%', '100.0%']);
    assert.deepEqual([shortPct(0.8), shortPct(0.955), shortPct(0.9999), shortPct(0.123)], ['80%', '95.5%', '100%', '12.3%']);
  });

  it('money: 4 places per call; bills in cents from $1 with separators, 4 places below', () => {
    assert.deepEqual([money(0.0042), money(1.5), money(null)], ['$0.0042', '$1.5000', '—']);
    assert.deepEqual(
      [dollars(0.0042), dollars(0.5), dollars(12.4), dollars(1234.5), dollars(-2), dollars(0)],
      ['$0.0042', '$0.50', '$12.40', '$1,234.50', '-$2.00', '$0.00'],
    );
    assert.equal(dollarRange(0.2, 2.2), '$0.20–$2.20');
    assert.equal(dollarRange(-0.01, 0.03), '-$0.0100–$0.0300');
  });

  it('axis ticks: every label to the places the step needs, so no two ticks read alike', () => {
    assert.deepEqual(dollarTicks([0, 0.025, 0.05, 0.075, 0.1]), ['$0.000', '$0.025', '$0.050', '$0.075', '$0.100']);
    assert.deepEqual(dollarTicks([0, 5, 10, 15]), ['$0', '$5', '$10', '$15']);
    assert.deepEqual(dollarTicks([0, 0.5, 1, 1.5]), ['$0.0', '$0.5', '$1.0', '$1.5']);
    assert.deepEqual(dollarTicks([1000, 2000]), ['$1,000', '$2,000']);
    assert.deepEqual(dollarTicks([0.1 + 0.2, 0.6]), ['$0.3', '$0.6'], 'floating-point noise in a tick is not a place to show');
    const labels = dollarTicks([0, 0.0002, 0.0004]);
    assert.equal(new Set(labels).size, 3, labels.join(' '));
  });

  it('counts and stage names', () => {
    assert.deepEqual([count(1234567), count(null), counted(1, 'call'), counted(2000, 'call')], ['1,234,567', '—', '1 call', '2,000 calls']);
    assert.deepEqual([stageName(''), stageName('analysis'), NO_STAGE], ['(no stage)', 'analysis', '(no stage)']);
    assert.equal(stageLabel({ workflow: 'code-review', stage: '' }), 'code-review / (no stage)');
  });
});
