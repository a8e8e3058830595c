/** Model tiers, cheapest first. The order is what "upgrade" means. */
export const TIERS = ['cheap', 'capable', 'premium'] as const;
export type Tier = (typeof TIERS)[number];

const parsed = new Map<string, Tier | undefined>();

/** Accepts `cheap`, `CHEAP`, `ModelTier.CHEAP`; returns undefined for anything else. (Memoized: it runs per call.) */
export function parseTier(value: unknown): Tier | undefined {
  if (typeof value !== 'string') return undefined;
  if (parsed.has(value)) return parsed.get(value);
  const last = value.trim().split('.').pop()?.toLowerCase();
  const tier = (TIERS as readonly string[]).includes(last ?? '') ? (last as Tier) : undefined;
  if (parsed.size < 1000) parsed.set(value, tier);
  return tier;
}

export function tierIndex(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** Position in the tier order, an unknown tier last (after premium). */
export function tierRank(tier: Tier | null | undefined): number {
  return tier ? tierIndex(tier) : TIERS.length;
}

/** The next tier up, or the same tier when already at the top. */
export function nextTier(tier: Tier): Tier {
  return TIERS[Math.min(tierIndex(tier) + 1, TIERS.length - 1)];
}
