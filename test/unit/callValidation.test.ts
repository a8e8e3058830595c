import { strict as assert } from 'assert';
import { CLOCK_SKEW_MS, InvalidCallError, identityOf, randomIdentity, validateCall } from '../../src/core/ingest/callValidation';
import type { LlmCallInput } from '../../src/core';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const now = () => new Date(NOW);
const valid = (extra: Record<string, unknown>) => ({ workflow: 'w', model: 'm', ...extra }) as unknown as LlmCallInput;
const rejects = (input: unknown, message: string) =>
  assert.throws(
    () => validateCall(input as LlmCallInput, now),
    (e: unknown) => e instanceof InvalidCallError && e.name === 'InvalidCallError' && e.message === `Invalid LLM call: ${message}`,
    message,
  );

describe('call validation: every field checked, in words that name it', () => {
  it('the message of each refusal', () => {
    rejects(null, 'call must be an object');
    rejects('text', 'call must be an object');
    rejects({ model: 'm' }, 'workflow is required');
    rejects({ workflow: '', model: 'm' }, 'workflow is required');
    rejects({ workflow: '   ', model: 'm' }, 'workflow is required');
    rejects({ workflow: 7, model: 'm' }, 'workflow must be text, got number');
    rejects({ workflow: 'w' }, 'model is required');
    rejects(valid({ stage: 'x'.repeat(201) }), 'stage is longer than 200 characters');
    rejects(valid({ tier: 'gold' }), 'tier must be cheap, capable or premium, got "gold"');
    rejects(valid({ tokens: 5 }), 'tokens must be an object { input, output, cacheRead, cacheWrite, cacheWrite1h }');
    rejects(valid({ tokens: { cacheRead: -2 } }), 'tokens.cacheRead must be a number >= 0, got -2');
    rejects(valid({ tokens: { cacheWrite: 10, cacheWrite1h: 11 } }), 'tokens.cacheWrite1h counts part of tokens.cacheWrite, so it cannot exceed it (11 > 10)');
    rejects(valid({ cost: -0.01 }), 'cost must be a number >= 0, got -0.01');
    rejects(valid({ cost: Infinity }), 'cost is not a finite number (Infinity)');
    rejects(valid({ durationMs: '5' }), 'durationMs must be a number >= 0, got "5"');
    rejects(valid({ tokens: { input: -1 } }), 'tokens.input must be a number >= 0, got -1');
    rejects(valid({ tokens: { output: NaN } }), 'tokens.output is not a finite number (NaN)');
    rejects(valid({ stage: 'a\0b' }), 'stage contains a NUL character (\\0)');
    rejects(valid({ tokens: { input: 1e21 } }), 'tokens.input is too large to be a count (1e+21)');
    rejects(valid({ durationMs: 2 ** 53 }), 'durationMs is too large to be a count (9007199254740992)');
    rejects(valid({ success: 'yes' }), 'success must be true or false, got "yes"');
    rejects(valid({ cacheHit: 1 }), 'cacheHit must be true or false, got 1');
    rejects(valid({ costEstimated: 'yes' }), 'costEstimated must be true or false, got "yes"');
    rejects(valid({ provider: 3 }), 'provider must be text, got number');
    rejects(valid({ ts: 'yesterday-ish' }), 'ts is not a valid date: "yesterday-ish"');
    rejects(valid({ ts: 0 }), 'ts is before 2000-01-01 (0): a time in seconds where milliseconds are meant, or none at all?');
    rejects(valid({ ts: -1e21 }), 'ts is before 2000-01-01 (-1e+21): a time in seconds where milliseconds are meant, or none at all?');
    rejects(valid({ ts: 1_763_600_000 }), 'ts is before 2000-01-01 (1763600000): a time in seconds where milliseconds are meant, or none at all?');
    rejects(
      valid({ ts: NOW + CLOCK_SKEW_MS + 1 }),
      "ts is in the future: 2026-11-20T12:05:00.001Z is more than 5 minutes after this machine's clock (2026-11-20T12:00:00.000Z)",
    );
  });

  it('what passes, and how it is stored (counts as whole numbers, as the team database keeps them)', () => {
    const call = validateCall(
      valid({
        workflow: ' w ',
        stage: '',
        tier: '',
        model: 'm\t',
        tokens: { input: 3, output: 2.5, cacheRead: 0.4 },
        durationMs: 2.6,
        error: 'e'.repeat(2500),
        ts: NOW + CLOCK_SKEW_MS,
      }),
      now,
    );
    assert.deepEqual(
      { ...call, id: 0 },
      {
        id: 0,
        ts: NOW + CLOCK_SKEW_MS,
        workflow: 'w',
        stage: '',
        tier: null,
        model: 'm',
        modelVersion: null,
        provider: null,
        cost: null,
        costEstimated: null,
        inputTokens: 3,
        outputTokens: 3,
        durationMs: 3,
        success: null,
        error: 'e'.repeat(2000),
        cacheHit: null,
        cacheReadTokens: 0,
        cacheWriteTokens: null,
        cacheWrite1hTokens: null,
      },
    );
    const cached = (tokens: object) => {
      const c = validateCall(valid({ tokens }), now);
      return [c.cacheReadTokens, c.cacheWriteTokens, c.cacheWrite1hTokens];
    };
    assert.deepEqual(cached({ cacheRead: 900, cacheWrite: 100, cacheWrite1h: 40 }), [900, 100, 40]);
    assert.deepEqual(cached({ cacheWrite: 100 }), [null, 100, null], 'writes without a lifetime: the default 5 minutes');
    assert.deepEqual(cached({ cacheWrite1h: 40 }), [null, 40, 40], '1-hour writes alone are all the writes');
    assert.deepEqual(cached({ cacheWrite: 40, cacheWrite1h: 40 }), [null, 40, 40], 'all written for an hour');
    assert.equal(validateCall(valid({ stage: 'x'.repeat(200), error: 'x'.repeat(300) }), now).stage.length, 200, '200 characters are fine');
    assert.equal(validateCall(valid({}), now).ts, NOW, 'no time: now');
    assert.equal(validateCall(valid({ error: 'bad\0byte' }), now).error, 'bad\uFFFDbyte', 'an error message keeps a stand-in for NUL');
    assert.equal(validateCall(valid({ ts: '2026-11-20T10:00:00.4Z' }), now).ts, Date.parse('2026-11-20T10:00:00.4Z'));
    assert.equal(validateCall(valid({ tier: 'ModelTier.PREMIUM', stage: ' s ' }), now).tier, 'premium');
    assert.equal(validateCall(valid({ stage: ' s ' }), now).stage, 's');
    assert.equal(validateCall(valid({ stage: 'a b' }), now).stage, 'a b', 'inner spaces stay');
    assert.equal(validateCall(valid({ stage: ' lead' }), now).stage, 'lead');
    assert.equal(validateCall(valid({ stage: 'trail ' }), now).stage, 'trail');
    assert.equal(validateCall(valid({ provider: '' }), now).provider, null, 'an empty optional text is no text');
    assert.equal(validateCall(valid({ ts: NOW + 300_000 }), now).ts, NOW + 300_000, 'five minutes ahead: another clock may be that fast');
    assert.equal(validateCall(valid({ success: false, cacheHit: true }), now).success, false);
  });

  it('identities: the same id text gives the same 53-bit number (cyrb53); calls without one get fresh ones', () => {
    // Reference values computed independently (Python) for cyrb53.
    assert.equal(identityOf('same'), 289227824810701);
    assert.equal(identityOf(''), 3338908027751811);
    assert.equal(identityOf('call-42'), 2002490606901564);
    assert.equal(validateCall(valid({ id: 'call-42' }), now).id, 2002490606901564);
    assert.equal(validateCall(valid({ id: 42 }), now).id, identityOf('42'));
    const ids = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const id = randomIdentity();
      assert.ok(Number.isSafeInteger(id) && id >= 0, String(id));
      ids.add(id);
    }
    assert.equal(ids.size, 5000, 'no repeats (the words are drawn in blocks of 2048: this crosses several)');
    assert.ok(
      [...ids].some((id) => id > 2 ** 32),
      'the high bits are used',
    );
  });
});
