#!/usr/bin/env node
// Writes src/core/routing/priceCatalog.json from @pydantic/genai-prices (a maintained catalogue of
// LLM prices: dated and prefixed ids matched, cache prices, price history), keeping only what pricing a
// call needs: each model's match rule and its input, output and prompt-cache prices per million tokens,
// for the providers whose APIs people call directly or through a cloud (not the resellers' mirrors).
// Run after updating the package: `node scripts/build-price-catalog.mjs` (a unit test fails until then;
// `--print` writes the catalogue to standard output instead, for that test).
import { readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { createRequire } from 'module';
import { fileURLToPath } from 'url';

const require = createRequire(import.meta.url);
const prices = require('@pydantic/genai-prices');
// Its package.json is not exported: read beside the resolved entry (dist/index.cjs).
const { version } = JSON.parse(readFileSync(join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json'), 'utf8'));

export const PROVIDERS = [
  'anthropic',
  'openai',
  'google',
  'aws',
  'azure',
  'mistral',
  'deepseek',
  'x-ai',
  'cohere',
  'groq',
  'together',
  'fireworks',
  'cerebras',
  'moonshotai',
  'perplexity',
];
const KEYS = { input_mtok: 'input', output_mtok: 'output', cache_read_mtok: 'cacheRead', cache_write_mtok: 'cacheWrite', cache_write_1h_mtok: 'cacheWrite1h' };

/** Per-million prices under our names; a tiered price (long-context surcharge) as its base price and tiers. */
function pricesOf(raw) {
  const out = {};
  for (const [key, name] of Object.entries(KEYS)) {
    const value = raw[key];
    if (typeof value === 'number') out[name] = value;
    else if (value && typeof value.base === 'number') out[name] = { base: value.base, tiers: value.tiers.map((t) => ({ start: t.start, price: t.price })) };
  }
  return out;
}

export async function buildCatalog() {
  const providers = await prices.waitForUpdate();
  return {
    source: `@pydantic/genai-prices ${version}`,
    providers: PROVIDERS.map((id) => providers.find((p) => p.id === id))
      .filter(Boolean)
      .map((p) => ({
        id: p.id,
        ...(p.model_match ? { match: p.model_match } : {}),
        ...(p.fallback_model_providers ? { fallback: p.fallback_model_providers.filter((f) => PROVIDERS.includes(f)) } : {}),
        models: p.models
          .map((m) => ({
            id: m.id,
            match: m.match,
            prices: Array.isArray(m.prices)
              ? m.prices.map((c) => ({ ...(c.constraint ? { constraint: c.constraint } : {}), prices: pricesOf(c.prices) }))
              : pricesOf(m.prices),
          }))
          .filter((m) => (Array.isArray(m.prices) ? m.prices.some((c) => c.prices.input !== undefined) : m.prices.input !== undefined)),
      })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--print')) {
  process.stdout.write(JSON.stringify(await buildCatalog()) + '\n');
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../src/core/routing/priceCatalog.json', import.meta.url));
  const catalog = await buildCatalog();
  writeFileSync(target, JSON.stringify(catalog) + '\n');
  console.log(
    `${target}: ${catalog.providers.reduce((n, p) => n + p.models.length, 0)} models of ${catalog.providers.length} providers from ${catalog.source}`,
  );
}
