import { strict as assert } from 'assert';
import { BUILT_IN_REGISTRY, ModelRegistry, resolveNewestModels } from '../../src/core';

describe('ModelRegistry', () => {
  it('has the built-in tiers and prices with an effective date', () => {
    const registry = new ModelRegistry(BUILT_IN_REGISTRY, {});
    assert.ok(registry.effectiveDate);
    assert.deepEqual(registry.tierModels(), [
      { tier: 'cheap', model: 'claude-haiku-4-5' },
      { tier: 'capable', model: 'claude-sonnet-5' },
      { tier: 'premium', model: 'claude-fable-5' },
    ]);
    assert.equal(registry.tierOf('claude-opus-4-8'), null, 'priced but not tier-routed');
    assert.equal(registry.estimateCost('claude-opus-4-8', 1_000_000, 1_000_000), 30);
    assert.equal(registry.estimateCost('claude-haiku-4-5', 2000, 400), 0.004);
    assert.equal(registry.estimateCost('unknown', 10, 10), null);
  });

  it('environment variables override the model of a tier', () => {
    const registry = new ModelRegistry(BUILT_IN_REGISTRY, { ATTUNE_MODEL_CAPABLE: 'claude-opus-4-8', ATTUNE_MODEL_PREMIUM: 'house-model' });
    assert.equal(registry.modelForTier('capable'), 'claude-opus-4-8');
    assert.equal(registry.tierOf('claude-opus-4-8'), 'capable');
    assert.equal(registry.modelForTier('premium'), 'house-model');
    assert.equal(registry.estimateCost('house-model', 10, 10), null);
  });

  it('a custom registry replaces the built-in one and validates its input', () => {
    const registry = new ModelRegistry({ models: [{ id: 'mixtral', tier: 'cheap', inputPer1M: null, outputPer1M: null }] }, {});
    assert.equal(registry.cheapModel(), 'mixtral');
    assert.equal(registry.modelForTier('premium'), undefined);
    assert.throws(() => new ModelRegistry({ models: [{ id: 'x', tier: 'gold', inputPer1M: 1, outputPer1M: 1 }] }, {}), /unknown tier "gold"/);
    assert.throws(() => new ModelRegistry({ models: [{ id: 'x', tier: 'cheap', inputPer1M: -1, outputPer1M: 1 }] }, {}), /invalid inputPer1M/);
  });

  it('resolves the newest model of each family from a Models API listing', () => {
    const data = resolveNewestModels({
      data: [
        { id: 'claude-3-5-haiku-20241022', created_at: '2024-10-22T00:00:00Z' },
        { id: 'claude-haiku-4-5', created_at: '2025-10-01T00:00:00Z' },
        { id: 'claude-sonnet-4-5', created_at: '2025-09-29T00:00:00Z' },
        { id: 'claude-sonnet-5', created_at: '2026-05-01T00:00:00Z' },
        { id: 'claude-opus-4-8', created_at: '2026-03-01T00:00:00Z' },
        { id: 'claude-fable-5', created_at: '2026-06-01T00:00:00Z' },
        { id: 'text-embedding', created_at: '2027-01-01T00:00:00Z' },
      ],
    });
    const registry = new ModelRegistry(data, {});
    assert.equal(registry.modelForTier('cheap'), 'claude-haiku-4-5');
    assert.equal(registry.modelForTier('capable'), 'claude-sonnet-5');
    assert.equal(registry.modelForTier('premium'), 'claude-fable-5');
    assert.equal(registry.get('claude-sonnet-5')?.inputPer1M, 2, 'known prices are kept (the catalogue lists sonnet 5 at $2 input)');
    const newer = new ModelRegistry(resolveNewestModels([{ id: 'claude-haiku-6', created_at: '2027-01-01T00:00:00Z' }]), {});
    assert.equal(newer.modelForTier('cheap'), 'claude-haiku-6');
    assert.equal(newer.get('claude-haiku-6')?.inputPer1M, null, 'unknown prices stay unknown');
    assert.equal(newer.modelForTier('capable'), 'claude-sonnet-5', 'families missing from the listing keep the base model');
  });
});

describe('model registry: edges', () => {
  it('refuses entries without an id, with words that say so; accepts a free model and no tier', () => {
    for (const bad of [null, {}, { id: 3 }, { id: '' }, { id: '   ' }])
      assert.throws(
        () => new ModelRegistry({ models: [bad as never] }, {}),
        { message: 'Model registry: every model needs a non-empty "id"' },
        JSON.stringify(bad),
      );
    assert.throws(() => new ModelRegistry({ models: [{ id: 'x', tier: 'cheap', inputPer1M: 1, outputPer1M: NaN }] }, {}), {
      message: 'Model registry: model "x" has an invalid outputPer1M (NaN)',
    });
    const free = new ModelRegistry({ models: [{ id: 'free', tier: null, inputPer1M: 0, outputPer1M: 0 }] }, {});
    assert.equal(free.estimateCost('free', 1000, 1000), 0);
    assert.equal(free.tierOf('free'), null);
    assert.equal(free.cheapModel(), 'claude-haiku-4-5', 'no tier-routed model: the default');
    assert.deepEqual(free.tierModels(), []);
  });

  it('estimates cost from either token count, and none without both unknown', () => {
    const registry = new ModelRegistry(BUILT_IN_REGISTRY, {});
    assert.equal(registry.estimateCost('claude-haiku-4-5', 1_000_000, null), 1);
    assert.equal(registry.estimateCost('claude-haiku-4-5', null, 1_000_000), 5);
    assert.equal(registry.estimateCost('claude-haiku-4-5', null, null), null);
    assert.equal(registry.estimateCost('nobody', 10, 10), null);
  });

  it('an override names a known model without a tier: it takes the tier; blank overrides are ignored', () => {
    const registry = new ModelRegistry(BUILT_IN_REGISTRY, { ATTUNE_MODEL_PREMIUM: ' claude-opus-4-8 ', ATTUNE_MODEL_CHEAP: '   ' });
    assert.equal(registry.modelForTier('premium'), 'claude-opus-4-8');
    assert.equal(registry.tierOf('claude-opus-4-8'), 'premium');
    assert.equal(registry.get('claude-opus-4-8')?.inputPer1M, 5, 'its prices are kept');
    assert.equal(registry.modelForTier('cheap'), 'claude-haiku-4-5');
    assert.equal(registry.tierOf('claude-sonnet-5'), 'capable', 'a known model with a tier keeps it');
  });

  it('resolving the newest models: the later of two, ties by name, entries without a date, other models kept without a tier', () => {
    const data = resolveNewestModels([
      { id: 'claude-haiku-a', created_at: '2026-01-01T00:00:00Z' },
      { id: 'claude-haiku-b', created_at: '2026-01-01T00:00:00Z' },
      { id: 'claude-sonnet-x' },
      { id: 'claude-sonnet-y', created_at: 'not a date' },
      null as never,
      { id: 7 } as never,
    ]);
    const registry = new ModelRegistry(data, {});
    assert.equal(registry.modelForTier('cheap'), 'claude-haiku-b', 'same date: the later name');
    assert.equal(registry.modelForTier('capable'), 'claude-sonnet-y', 'no dates: the later name');
    assert.equal(registry.tierOf('claude-haiku-4-5'), null, 'the replaced base model stays, without a tier');
    assert.equal(registry.get('claude-haiku-4-5')?.inputPer1M, 1);
    assert.equal(data.models.filter((m) => m.id === 'claude-fable-5').length, 1, 'a kept model is listed once');
    assert.match(data.effectiveDate!, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(
      resolveNewestModels({})
        .models.slice(0, 3)
        .map((m) => m.tier),
      ['cheap', 'capable', 'premium'],
      'an empty listing keeps the base',
    );
    assert.equal(new ModelRegistry(resolveNewestModels(undefined as never), {}).modelForTier('cheap'), 'claude-haiku-4-5');
  });
});
