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
    assert.equal(registry.get('claude-sonnet-5')?.inputPer1M, 3, 'known prices are kept');
    const newer = new ModelRegistry(resolveNewestModels([{ id: 'claude-haiku-6', created_at: '2027-01-01T00:00:00Z' }]), {});
    assert.equal(newer.modelForTier('cheap'), 'claude-haiku-6');
    assert.equal(newer.get('claude-haiku-6')?.inputPer1M, null, 'unknown prices stay unknown');
    assert.equal(newer.modelForTier('capable'), 'claude-sonnet-5', 'families missing from the listing keep the base model');
  });
});
