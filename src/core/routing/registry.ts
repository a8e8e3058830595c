import { TIERS, Tier, parseTier } from '../tiers';
import { catalogModel, catalogTier } from './priceCatalog';

export interface ModelInfo {
  id: string;
  /** Null for a model that is priced but not tier-routed. */
  tier: Tier | null;
  /** USD per million tokens; null when unknown (cost then comes from telemetry). */
  inputPer1M: number | null;
  outputPer1M: number | null;
}

export interface RegistryData {
  effectiveDate?: string;
  models: Array<Omit<ModelInfo, 'tier'> & { tier?: string | null }>;
}

/**
 * The built-in tier map: which model serves each tier. Their prices come from the price catalogue
 * (priceCatalog.ts), like every model's that no registry setting prices.
 */
export const BUILT_IN_REGISTRY: Required<RegistryData> = {
  effectiveDate: '2026-11-01',
  models: [
    { id: 'claude-haiku-4-5', tier: 'cheap', inputPer1M: null, outputPer1M: null },
    { id: 'claude-sonnet-5', tier: 'capable', inputPer1M: null, outputPer1M: null },
    { id: 'claude-fable-5', tier: 'premium', inputPer1M: null, outputPer1M: null },
    { id: 'claude-opus-4-8', tier: null, inputPer1M: null, outputPer1M: null },
  ],
};

/** Prompt-cache tokens priced as multiples of the input price, as Anthropic bills them. */
export const CACHE_PRICE = { read: 0.1, write5m: 1.25, write1h: 2 } as const;

const ENV_OVERRIDE: Record<Tier, string> = {
  cheap: 'ATTUNE_MODEL_CHEAP',
  capable: 'ATTUNE_MODEL_CAPABLE',
  premium: 'ATTUNE_MODEL_PREMIUM',
};

function readEnv(): Record<string, string | undefined> {
  // The browser build has no process; overrides simply do not apply there.
  return typeof process !== 'undefined' && process.env ? process.env : {};
}

export class ModelRegistry {
  readonly effectiveDate: string | undefined;
  private readonly byId = new Map<string, ModelInfo>();
  private readonly tierModel = new Map<Tier, string>();
  /** What `get` found in the price catalogue for models without declared prices, and on which day. */
  private readonly listed = new Map<string, { day: number; info: ModelInfo | undefined }>();

  constructor(data: RegistryData = BUILT_IN_REGISTRY, env: Record<string, string | undefined> = readEnv()) {
    this.effectiveDate = data.effectiveDate;
    for (const raw of data.models) {
      if (!raw || typeof raw.id !== 'string' || raw.id.trim() === '') {
        throw new Error('Model registry: every model needs a non-empty "id"');
      }
      const tier = raw.tier == null ? null : parseTier(raw.tier);
      if (raw.tier != null && !tier) {
        throw new Error(`Model registry: model "${raw.id}" has unknown tier "${raw.tier}" (use cheap, capable or premium)`);
      }
      for (const key of ['inputPer1M', 'outputPer1M'] as const) {
        const price = raw[key];
        if (price != null && !(Number.isFinite(price) && price >= 0)) {
          throw new Error(`Model registry: model "${raw.id}" has an invalid ${key} (${String(price)})`);
        }
      }
      const info: ModelInfo = { id: raw.id, tier: tier ?? null, inputPer1M: raw.inputPer1M ?? null, outputPer1M: raw.outputPer1M ?? null };
      this.byId.set(info.id, info);
      if (info.tier && !this.tierModel.has(info.tier)) this.tierModel.set(info.tier, info.id);
    }
    for (const tier of TIERS) {
      const override = env[ENV_OVERRIDE[tier]]?.trim();
      if (!override) continue;
      this.tierModel.set(tier, override);
      const known = this.byId.get(override);
      if (!known) this.byId.set(override, { id: override, tier, inputPer1M: null, outputPer1M: null });
      else if (!known.tier) this.byId.set(override, { ...known, tier });
    }
  }

  /** The model that serves a tier (after environment overrides). */
  modelForTier(tier: Tier): string | undefined {
    return this.tierModel.get(tier);
  }

  /** The tier-routed models, cheapest tier first. */
  tierModels(): Array<{ tier: Tier; model: string }> {
    return TIERS.flatMap((tier) => {
      const model = this.tierModel.get(tier);
      return model ? [{ tier, model }] : [];
    });
  }

  /** The model used when there is no evidence at all. */
  cheapModel(): string {
    return this.tierModels()[0]?.model ?? 'claude-haiku-4-5';
  }

  /**
   * A model's tier and prices: as this registry declares them (the built-in entries, the user's
   * registry settings, the environment), else from the bundled price catalogue, its tier following
   * price within its provider.
   */
  get(id: string): ModelInfo | undefined {
    const declared = this.byId.get(id);
    if (declared && declared.inputPer1M != null && declared.outputPer1M != null) return declared;
    // route() asks for every model of a stage on each decision: the catalogue's answer is kept for the day (prices change by date).
    const day = Math.floor(Date.now() / 86_400_000);
    const kept = this.listed.get(id);
    if (kept && kept.day === day) return kept.info ?? declared;
    const listed = catalogModel(id);
    const info = listed && { id, tier: declared ? declared.tier : catalogTier(listed), inputPer1M: listed.prices.input, outputPer1M: listed.prices.output };
    this.listed.set(id, { day, info });
    return info ?? declared;
  }

  tierOf(id: string): Tier | null {
    return this.get(id)?.tier ?? null;
  }

  /** The declared models, as declared (`get` adds the catalogue's prices where none were declared). */
  models(): ModelInfo[] {
    return [...this.byId.values()];
  }

  /** Cost from prices and token counts, or null when either is unknown. */
  estimateCost(id: string, inputTokens: number | null, outputTokens: number | null): number | null {
    if (inputTokens == null && outputTokens == null) return null;
    return this.priceTokens(id, { input: inputTokens ?? 0, output: outputTokens ?? 0 });
  }

  /**
   * USD for token counts at the model's list prices, prompt-cache tokens as Anthropic bills them
   * (reads 0.1x the input price, writes 1.25x, 1-hour writes 2x), or null when the model has no
   * price. `cacheWrite` counts every write, `cacheWrite1h` the part of it written for an hour.
   */
  priceTokens(id: string, tokens: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; cacheWrite1h?: number }): number | null {
    const oneHour = tokens.cacheWrite1h ?? 0;
    const fiveMinutes = (tokens.cacheWrite ?? 0) - oneHour;
    const declared = this.byId.get(id);
    if (declared && declared.inputPer1M != null && declared.outputPer1M != null) {
      const inputLike = (tokens.input ?? 0) + CACHE_PRICE.read * (tokens.cacheRead ?? 0) + CACHE_PRICE.write5m * fiveMinutes + CACHE_PRICE.write1h * oneHour;
      return (inputLike * declared.inputPer1M + (tokens.output ?? 0) * declared.outputPer1M) / 1e6;
    }
    // The catalogue's own cache prices; where it has none the provider bills no discount: the input price.
    const listed = catalogModel(id)?.prices;
    if (!listed) return null;
    const write = listed.cacheWrite ?? listed.input;
    return (
      ((tokens.input ?? 0) * listed.input +
        (tokens.cacheRead ?? 0) * (listed.cacheRead ?? listed.input) +
        fiveMinutes * write +
        oneHour * (listed.cacheWrite1h ?? write) +
        (tokens.output ?? 0) * listed.output) /
      1e6
    );
  }

  toJSON(): Required<RegistryData> {
    return { effectiveDate: this.effectiveDate ?? '', models: this.models() };
  }
}

/** One entry of Anthropic's Models API (`GET /v1/models`). */
export interface ApiModelEntry {
  id: string;
  created_at?: string;
  display_name?: string;
}

const FAMILY_TIER: Array<{ pattern: RegExp; tier: Tier }> = [
  { pattern: /haiku/i, tier: 'cheap' },
  { pattern: /sonnet/i, tier: 'capable' },
  { pattern: /opus|fable/i, tier: 'premium' },
];

/**
 * Picks the newest model of each family (haiku, sonnet, opus/fable) from a Models API listing and
 * returns a registry with those models on their tiers. Prices are kept where the base registry knows
 * the model, else left null (cost then comes from telemetry).
 */
export function resolveNewestModels(
  listing: { data?: ApiModelEntry[] } | ApiModelEntry[],
  base: ModelRegistry = new ModelRegistry(BUILT_IN_REGISTRY, {}),
): RegistryData {
  const entries = Array.isArray(listing) ? listing : (listing?.data ?? []);
  const newest = new Map<Tier, { id: string; created: number }>();
  for (const entry of entries) {
    if (!entry || typeof entry.id !== 'string') continue;
    const family = FAMILY_TIER.find((f) => f.pattern.test(entry.id));
    if (!family) continue;
    const created = Date.parse(entry.created_at ?? '');
    const score = Number.isFinite(created) ? created : 0;
    const current = newest.get(family.tier);
    if (!current || score > current.created || (score === current.created && entry.id > current.id)) {
      newest.set(family.tier, { id: entry.id, created: score });
    }
  }
  const models: RegistryData['models'] = [];
  for (const tier of TIERS) {
    const chosen = newest.get(tier)?.id ?? base.modelForTier(tier);
    if (!chosen) continue;
    // Declared prices only: the catalogue's are looked up when used, so a newer catalogue is not shadowed by a copy.
    const known = base.models().find((m) => m.id === chosen);
    models.push({ id: chosen, tier, inputPer1M: known?.inputPer1M ?? null, outputPer1M: known?.outputPer1M ?? null });
  }
  for (const info of base.models()) {
    if (!models.some((m) => m.id === info.id)) models.push({ ...info, tier: null });
  }
  return { effectiveDate: new Date().toISOString().slice(0, 10), models };
}
