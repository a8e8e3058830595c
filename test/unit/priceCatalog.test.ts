import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ModelRegistry } from '../../src/core';
import { catalogModel, catalogTier } from '../../src/core/routing/priceCatalog';
import { canonicalModelId, modelOfCall } from '../../src/core/routing/modelIdentity';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const genaiPrices = require('@pydantic/genai-prices') as {
  calcPrice(
    usage: Record<string, number>,
    model: string,
  ): null | { model: { id: string }; input_price: number; output_price: number; provider: { id: string } };
};

const root = path.join(__dirname, '..', '..');
const catalogFile = path.join(root, 'src', 'core', 'routing', 'priceCatalog.json');

describe('model identity and the price catalogue', () => {
  it('one name per model family: dates, router prefixes, Bedrock and Vertex ids come off; other names stay', () => {
    const cases: Array<[string, string]> = [
      ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
      ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
      ['anthropic/claude-haiku-4-5', 'claude-haiku-4-5'],
      ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
      ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
      ['publishers/anthropic/models/claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
      ['gemini-2.5-flash', 'gemini-2.5-flash'],
      ['gpt-4.1', 'gpt-4.1'],
      ['o3-mini', 'o3-mini'],
      ['gpt-4o-2024-13-45', 'gpt-4o-2024-13-45'], // not a date
    ];
    for (const [id, family] of cases) assert.equal(canonicalModelId(id), family, id);
    // A response that is the request plus a version is the request; another model is that model.
    assert.equal(modelOfCall('gemini-1.5-pro', 'gemini-1.5-pro-002'), 'gemini-1.5-pro');
    assert.equal(modelOfCall('mistral-large-latest', 'mistral-large-2411'), 'mistral-large');
    assert.equal(modelOfCall('gpt-4o', 'gpt-4o-mini'), 'gpt-4o-mini');
    assert.equal(modelOfCall('gpt-4', 'gpt-4-turbo-2024-04-09'), 'gpt-4-turbo', 'a word after the name is another model, not a version');
    assert.equal(modelOfCall('openrouter/auto', 'anthropic/claude-sonnet-4.5'), 'claude-sonnet-4.5');
    assert.equal(modelOfCall(undefined, 'claude-haiku-4-5-20251001'), 'claude-haiku-4-5');
  });

  it('the bundled catalogue is what scripts/build-price-catalog.mjs makes of the installed @pydantic/genai-prices', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-price-catalog.mjs'), '--print'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(catalogFile, 'utf8')), JSON.parse(run.stdout), 'run: node scripts/build-price-catalog.mjs');
  });

  it("finds the model and its prices as the package's own calcPrice does, for every catalogue model and their dated ids", () => {
    const catalog = JSON.parse(fs.readFileSync(catalogFile, 'utf8')) as { providers: Array<{ id: string; models: Array<{ id: string }> }> };
    const ids = catalog.providers.filter((p) => ['anthropic', 'openai', 'google', 'mistral'].includes(p.id)).flatMap((p) => p.models.map((m) => m.id));
    ids.push(
      'claude-haiku-4-5-20251001',
      'gpt-4o-mini-2024-07-18',
      'gpt-4o-2024-08-06',
      'claude-3-5-haiku-20241022',
      'mistral-large-latest',
      'gemini-2.5-flash',
    );
    let compared = 0;
    for (const id of ids) {
      const theirs = genaiPrices.calcPrice({ input_tokens: 1_000_000, output_tokens: 1_000_000 }, id);
      const ours = catalogModel(id);
      if (!theirs) continue;
      assert.ok(ours, `${id}: ${theirs.model.id} there, nothing here`);
      assert.equal(ours.id, theirs.model.id, id);
      // Tiered (long-context) prices: the package prices 1M tokens past the tier; the base price is compared instead.
      if (theirs.input_price <= ours.prices.input + 1e-9) assert.equal(ours.prices.input.toFixed(6), theirs.input_price.toFixed(6), `${id} input`);
      compared++;
    }
    assert.ok(compared > 150, `compared ${compared} ids`);
    // Where the package finds nothing for a prefixed or cloud id, the family's model is priced.
    assert.equal(genaiPrices.calcPrice({ input_tokens: 1 }, 'anthropic/claude-haiku-4-5'), null);
    assert.equal(catalogModel('anthropic/claude-haiku-4-5')?.id, 'claude-haiku-4-5');
    assert.equal(catalogModel('us.anthropic.claude-haiku-4-5-20251001-v1:0')?.id, 'claude-haiku-4-5');
    assert.equal(catalogModel('no-such-model-anywhere'), undefined);
  });

  it('the registry prices catalogue models with their own cache prices, keeps declared prices, and ranks undeclared tiers by price within a provider', () => {
    const registry = new ModelRegistry(undefined, {});
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million; no cache-write price (input price then).
    assert.equal(registry.priceTokens('gpt-4o-mini', { input: 1e6, cacheRead: 1e6, output: 1e6 })!.toFixed(6), (0.15 + 0.075 + 0.6).toFixed(6));
    assert.equal(registry.priceTokens('gpt-4o-mini-2024-07-18', { input: 1e6 })!.toFixed(6), '0.150000', 'a dated id prices as its model');
    assert.equal(registry.priceTokens('gemini-2.5-flash', { output: 1e6 })!.toFixed(2), '2.50');
    // A user's registry still wins over the catalogue.
    const own = new ModelRegistry({ models: [{ id: 'gpt-4o-mini', tier: 'capable', inputPer1M: 1, outputPer1M: 1 }] }, {});
    assert.equal(own.priceTokens('gpt-4o-mini', { input: 1e6 }), 1);
    assert.equal(own.tierOf('gpt-4o-mini'), 'capable');
    // Undeclared: by price within the provider.
    const tierOf = (id: string) => catalogTier(catalogModel(id)!);
    assert.equal(registry.tierOf('gpt-4o-mini'), tierOf('gpt-4o-mini'));
    assert.equal(tierOf('gpt-4o-mini'), 'cheap');
    assert.equal(tierOf('gpt-4o'), 'capable');
    assert.equal(tierOf('o1-pro'), 'premium');
    assert.equal(registry.priceTokens('no-such-model', { input: 1 }), null, 'no price anywhere: unknown cost, not $0');
  });
});
