import { strict as assert } from 'assert';
import { closestName, counted, money, pct, periodText, windowStart } from '../../src/core';

describe('how numbers and names are written', () => {
  it('pct rounds to one decimal: up past a half, ties to even, no minus on a zero', () => {
    assert.equal(pct(2 / 3), '66.7%');
    assert.equal(pct(1 / 3), '33.3%');
    assert.equal(pct(0.0625), '6.2%');
    assert.equal(pct(0.1875), '18.8%');
    assert.equal(pct(-0.25), '-25.0%');
    assert.equal(pct(-0.0001), '0.0%');
    assert.equal(pct(0.004), '0.4%');
    assert.equal(pct(Number.NaN), 'NaN%');
    assert.equal(pct(Infinity), 'Infinity%');
  });

  it('money has four places, and a dash for an unknown cost', () => {
    assert.equal(money(0.00123), '$0.0012');
    assert.equal(money(null), '—');
    assert.equal(money(undefined), '—');
  });

  it('counted agrees the noun with the number', () => {
    assert.equal(counted(1, 'call'), '1 call');
    assert.equal(counted(0, 'call'), '0 calls');
    assert.equal(counted(2, 'stage needs', 'stages need'), '2 stages need');
    assert.equal(counted(1500, 'call'), '1,500 calls');
  });

  it('periodText names days, hours, minutes and all time', () => {
    assert.equal(periodText(7), 'last 7 days');
    assert.equal(periodText(1), 'last day');
    assert.equal(periodText(1.5), 'last 1.5 days');
    assert.equal(periodText(0.5), 'last 12 hours');
    assert.equal(periodText(1 / 24), 'last 1 hour');
    assert.equal(periodText(0.001), 'last 1 minute');
    assert.equal(periodText(0.01), 'last 14 minutes');
    assert.equal(periodText(0), 'all time');
    assert.equal(periodText(-1), 'all time');
  });

  it('closestName finds the nearest known name within the allowed edits, case aside', () => {
    assert.equal(closestName('sucess', ['success', 'stage']), 'success');
    assert.equal(closestName('Stage', ['success', 'stage']), 'stage');
    assert.equal(closestName('analysys', ['analysis', 'summary'], 2), 'analysis');
    assert.equal(closestName('xyz', ['analysis', 'summary']), undefined);
    assert.equal(closestName('ab', ['abcd'], 1), undefined, 'two edits away with one allowed');
    assert.equal(closestName('ab', ['abcd'], 2), 'abcd');
    assert.equal(closestName('tst', ['test', 'ts']), 'test', 'the first of two equally near names');
    assert.equal(closestName('stage', ['stages', 'stage']), 'stage', 'a nearer name later in the list wins');
    assert.equal(closestName('cod-review', ['code-review', 'refactor-plan']), 'code-review');
  });

  it('windowStart is now minus the days, or 0 for all time', () => {
    assert.equal(windowStart(10 * 86_400_000, 3), 7 * 86_400_000);
    assert.equal(windowStart(10 * 86_400_000, 0), 0);
    assert.equal(windowStart(10 * 86_400_000, Infinity), 0);
  });
});
