/** Model tiers, cheapest first. The order is what "upgrade" means. */
export const TIERS = ['cheap', 'capable', 'premium'] as const;
export type Tier = (typeof TIERS)[number];

/** Accepts `cheap`, `CHEAP`, `ModelTier.CHEAP`; returns undefined for anything else. */
export function parseTier(value: unknown): Tier | undefined {
  if (typeof value !== 'string') return undefined;
  const last = value.trim().split('.').pop()?.toLowerCase();
  return (TIERS as readonly string[]).includes(last ?? '') ? (last as Tier) : undefined;
}

export function tierIndex(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** The next tier up, or the same tier when already at the top. */
export function nextTier(tier: Tier): Tier {
  return TIERS[Math.min(tierIndex(tier) + 1, TIERS.length - 1)];
}
