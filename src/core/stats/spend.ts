import type { ModelRegistry } from '../routing/registry';
import type { CallTotals } from '../types';
import { counted, dollars } from '../format';

/** What a set of calls cost, and where each part of that comes from. */
export interface Spend {
  /** USD billed, as the calls that reported a cost said. */
  reported: number;
  reportedCalls: number;
  /** Sum of the squares of the reported costs: their spread. */
  reportedSqSum: number;
  /** USD estimated from token counts and registry prices, for calls that reported no cost, and sources' own estimates. */
  estimated: number;
  estimatedCalls: number;
  /** Calls whose cost nobody knows: no cost, and no tokens or no price for their model. */
  unknownCalls: number;
}

export const NO_SPEND: Readonly<Spend> = { reported: 0, reportedCalls: 0, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 0 };

/** The spend of one model's calls: billed costs as reported, the rest priced from the registry where it can be. */
export function spendOf(model: string, totals: CallTotals, registry: ModelRegistry): Spend {
  const estimate =
    totals.unpricedCalls > 0
      ? registry.priceTokens(model, {
          input: totals.unpricedInputTokens,
          output: totals.unpricedOutputTokens,
          cacheRead: totals.unpricedCacheReadTokens,
          cacheWrite: totals.unpricedCacheWriteTokens,
          cacheWrite1h: totals.unpricedCacheWrite1hTokens,
        })
      : null;
  const priced = estimate == null ? 0 : totals.unpricedCalls;
  // Costs a source gave as its own estimate are known, but they are estimates, not bills.
  return {
    reported: totals.costSum - totals.sourceEstimatedSum,
    reportedCalls: totals.costKnown - totals.sourceEstimatedCalls,
    reportedSqSum: totals.costSqSum,
    estimated: (estimate ?? 0) + totals.sourceEstimatedSum,
    estimatedCalls: priced + totals.sourceEstimatedCalls,
    unknownCalls: totals.calls - totals.costKnown - priced,
  };
}

export function addSpend(a: Spend, b: Spend): Spend {
  return {
    reported: a.reported + b.reported,
    reportedCalls: a.reportedCalls + b.reportedCalls,
    reportedSqSum: a.reportedSqSum + b.reportedSqSum,
    estimated: a.estimated + b.estimated,
    estimatedCalls: a.estimatedCalls + b.estimatedCalls,
    unknownCalls: a.unknownCalls + b.unknownCalls,
  };
}

/** Reported plus estimated USD, or null when no call's cost is known. */
export function spendTotal(spend: Spend): number | null {
  return spend.reportedCalls + spend.estimatedCalls > 0 ? spend.reported + spend.estimated : null;
}

/**
 * "$12.40", "≈ $0.0042" (all estimated), "$12.40 (≈ $3.10 of it estimated)", "—" (nothing known),
 * with "; 3 calls of unknown cost" when some are: never an estimate passed off as a bill.
 */
export function spendText(spend: Spend): string {
  const total = spendTotal(spend);
  let text: string;
  if (total == null) text = '—';
  else if (spend.reportedCalls === 0) text = `≈ ${dollars(total)}`;
  else if (spend.estimatedCalls === 0) text = dollars(total);
  else text = `${dollars(total)} (≈ ${dollars(spend.estimated)} of it estimated)`;
  if (total != null && spend.unknownCalls > 0) text += `; ${counted(spend.unknownCalls, 'call')} of unknown cost`;
  return text;
}

/** The spend in a few characters for a tree row: "$12.40", "≈ $3.10" when any of it is estimated; undefined when nothing is known. */
export function spendShort(spend: Spend): string | undefined {
  const total = spendTotal(spend);
  if (total == null) return undefined;
  return `${spend.estimatedCalls > 0 ? '≈ ' : ''}${dollars(total)}`;
}
