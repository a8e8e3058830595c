import { strict as assert } from 'assert';
import { normalQuantile, wilsonInterval } from '../../src/core/statistics';

describe('statistics', () => {
  it('normal quantiles match the tables', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.95) - 1.644854) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
  });

  it('Wilson interval: 6 failures of 20 at 95% is 14.5%–51.9% (hand-computed)', () => {
    // p = 0.3, z = 1.96: centre = (0.3 + 0.09604)/1.19208 = 0.33223, half = 1.96*sqrt(0.0105+0.0024)/1.19208 = 0.18683
    const { low, high } = wilsonInterval(6, 20, 0.95);
    assert.ok(Math.abs(low - 0.1455) < 5e-4, `low ${low}`);
    assert.ok(Math.abs(high - 0.5190) < 5e-4, `high ${high}`);
  });

  it('Wilson interval stays inside [0, 1] at the edges and is wide without data', () => {
    const none = wilsonInterval(0, 10, 0.95);
    assert.equal(none.low, 0);
    assert.ok(none.high > 0.27 && none.high < 0.28, `0/10 upper bound ${none.high}`);
    const all = wilsonInterval(10, 10, 0.95);
    assert.equal(all.high, 1);
    assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 1 });
  });
});
