import catalog from './priceCatalog.json';
import { canonicalModelId } from './modelIdentity';
import type { Tier } from '../tiers';

/**
 * List prices of the models of OpenAI, Google, Mistral, Bedrock, Azure and the rest, from
 * @pydantic/genai-prices (bundled as priceCatalog.json by scripts/build-price-catalog.mjs: no network).
 * A model is found by the catalogue's own match rules (dated and prefixed ids included), as the
 * package's calcPrice finds it; a unit test holds the two to the same answers.
 */
type MatchLogic =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { and: MatchLogic[] }
  | { or: MatchLogic[] };

type Price = number | { base: number; tiers: Array<{ start: number; price: number }> };
interface RawPrices {
  input?: Price;
  output?: Price;
  cacheRead?: Price;
  cacheWrite?: Price;
  cacheWrite1h?: Price;
}
interface RawModel {
  id: string;
  match: MatchLogic;
  prices: RawPrices | Array<{ constraint?: { type: string; start_date?: string }; prices: RawPrices }>;
}
interface RawProvider {
  id: string;
  match?: MatchLogic;
  fallback?: string[];
  models: RawModel[];
}

/** USD per million tokens; a long-context surcharge (tiered price) is left out: totals of many calls cannot say which call crossed it. */
export interface CatalogPrices {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

export interface CatalogModel {
  provider: string;
  /** The catalogue's id for the model. */
  id: string;
  prices: CatalogPrices;
}

const PROVIDERS = (catalog as { providers: RawProvider[] }).providers;
export const CATALOG_SOURCE = (catalog as { source: string }).source;

function matches(logic: MatchLogic, id: string): boolean {
  if ('equals' in logic) return id === logic.equals;
  if ('starts_with' in logic) return id.startsWith(logic.starts_with);
  if ('ends_with' in logic) return id.endsWith(logic.ends_with);
  if ('contains' in logic) return id.includes(logic.contains);
  if ('regex' in logic) return new RegExp(logic.regex).test(id);
  if ('and' in logic) return logic.and.every((l) => matches(l, id));
  return logic.or.some((l) => matches(l, id));
}

const base = (price: Price | undefined) => (price === undefined ? undefined : typeof price === 'number' ? price : price.base);

/** The prices in force at `at`: the latest start date reached (time-of-day discounts left aside). */
function pricesAt(model: RawModel, at: Date): CatalogPrices | undefined {
  let raw: RawPrices | undefined;
  if (!Array.isArray(model.prices)) raw = model.prices;
  else {
    const day = at.toISOString().slice(0, 10);
    for (const c of model.prices) {
      if (!c.constraint || (c.constraint.type === 'start_date' && (c.constraint.start_date ?? '') <= day)) raw = c.prices;
    }
  }
  const input = base(raw?.input);
  if (!raw || input === undefined) return undefined;
  // Embedding models have an input price only.
  const output = base(raw.output) ?? 0;
  return { input, output, cacheRead: base(raw.cacheRead), cacheWrite: base(raw.cacheWrite), cacheWrite1h: base(raw.cacheWrite1h) };
}

/** The catalogue's dates are written with dashes (`-2024-08-06`); ids often carry them without (`-20240806`). */
const withDashedDate = (id: string) => id.replace(/-(20\d{2})(\d{2})(\d{2})(?=-|:|$)/, '-$1-$2-$3');

function inProvider(provider: RawProvider, id: string, seen = new Set<string>()): RawModel | undefined {
  seen.add(provider.id);
  const found = provider.models.find((m) => matches(m.match, id));
  if (found) return found;
  for (const name of provider.fallback ?? []) {
    const other = PROVIDERS.find((p) => p.id === name);
    const fallback = other && !seen.has(name) ? inProvider(other, id, seen) : undefined;
    if (fallback) return fallback;
  }
  return undefined;
}

const found = new Map<string, CatalogModel | null>();

/**
 * The catalogue's model for an id, as reported or with its prefix, cloud version and date taken off
 * (`us.anthropic.claude-haiku-4-5-20251001-v1:0` is priced as `claude-haiku-4-5`), or undefined.
 */
export function catalogModel(modelId: string, at: Date = new Date()): CatalogModel | undefined {
  const key = `${modelId}\u0000${Math.floor(at.getTime() / 86_400_000)}`;
  if (found.has(key)) return found.get(key) ?? undefined;
  let result: CatalogModel | undefined;
  const lowered = modelId.toLowerCase().trim();
  // As the package's calcPrice: the provider whose model rule takes the id (clouds and resellers have
  // none: they are reached through the model's own provider), the id as given, then with a dashed date.
  for (const id of new Set([lowered, canonicalModelId(lowered)])) {
    for (const provider of PROVIDERS) {
      if (!provider.match || !matches(provider.match, id)) continue;
      const model = inProvider(provider, id) ?? inProvider(provider, withDashedDate(id));
      const prices = model && pricesAt(model, at);
      if (model && prices) {
        result = { provider: provider.id, id: model.id, prices };
        break;
      }
    }
    if (result) break;
  }
  found.set(key, result ?? null);
  return result;
}

const tiers = new Map<string, Map<string, Tier>>();

/**
 * A catalogue model's tier where nobody declared one: the provider's models ranked by the price of
 * a typical call (3 input tokens to 1 output), thirds from cheap to premium.
 */
export function catalogTier(model: CatalogModel): Tier {
  let ranks = tiers.get(model.provider);
  if (!ranks) {
    const provider = PROVIDERS.find((p) => p.id === model.provider);
    const now = new Date();
    const priced = (provider?.models ?? [])
      .map((m) => ({ id: m.id, prices: pricesAt(m, now) }))
      .filter((m): m is { id: string; prices: CatalogPrices } => m.prices !== undefined)
      .map((m) => ({ id: m.id, cost: 3 * m.prices.input + m.prices.output }))
      .sort((a, b) => a.cost - b.cost);
    ranks = new Map(priced.map((m, i) => [m.id, (['cheap', 'capable', 'premium'] as const)[Math.min(2, Math.floor((3 * i) / priced.length))]]));
    tiers.set(model.provider, ranks);
  }
  return ranks.get(model.id) ?? 'capable';
}
