import { money } from '../format';
import type { ArmState, ModelEvidence } from './learningPolicy';
import type { ModelRegistry } from './registry';
import type { RouteQuery } from './routerTypes';
import type { WorkflowPriors } from './stagePriors';
import type { StageCall } from '../store/telemetryStore';
import type { Tier } from '../tiers';

/** Token counts assumed to compare registry prices when a stage has recorded none. */
const TYPICAL_INPUT_TOKENS = 1000;
const TYPICAL_OUTPUT_TOKENS = 500;

/** The models route() considers for a stage: the registry's tier models and those seen there, with their evidence, priors and expected cost. */
export function stageArms(
  registry: ModelRegistry,
  workflowPriors: WorkflowPriors,
  query: RouteQuery,
  stage: string,
  history: StageCall[],
  since: number,
  evidence: Map<string, ModelEvidence>,
): ArmState[] {
  const models = new Map<string, Tier | null>();
  // Every tier-routed model of the registry (a tier may have several, e.g. from a custom registry),
  // with the tier's configured model (environment overrides included) first.
  for (const { tier, model } of registry.tierModels()) models.set(model, tier);
  for (const info of registry.models()) if (info.tier && !models.has(info.id)) models.set(info.id, info.tier);
  for (const e of evidence.values()) if (!models.has(e.model)) models.set(e.model, e.tier ?? registry.tierOf(e.model));
  let tokenCalls = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  for (const c of history) {
    if (c.inputTokens == null && c.outputTokens == null) continue;
    tokenCalls++;
    tokensIn += c.inputTokens ?? 0;
    tokensOut += c.outputTokens ?? 0;
  }
  const avgIn = tokenCalls ? tokensIn / tokenCalls : null;
  const avgOut = tokenCalls ? tokensOut / tokenCalls : null;
  const listPrice = (model: string) => registry.estimateCost(model, avgIn ?? TYPICAL_INPUT_TOKENS, avgOut ?? TYPICAL_OUTPUT_TOKENS);
  const priceScale = stagePriceScale(evidence, listPrice);
  const priors = workflowPriors.forArms(
    query.workflow,
    stage,
    since,
    [...models].map(([model, tier]) => ({ model, tier: tier ?? evidence.get(model)?.tier ?? null })),
    evidence,
  );
  return [...models].map(([model, registryTier]): ArmState => {
    const e = evidence.get(model);
    const tier = registryTier ?? e?.tier ?? null;
    // Cost per call: this stage's telemetry where known, else registry prices on the stage's
    // tokens, scaled by what the stage's known costs say of its size (when it records no tokens).
    const price = listPrice(model);
    const expectedCost = e?.avgCost ?? (price == null ? null : price * priceScale);
    const prior = priors.get(model);
    const strength = prior?.strength ?? 0;
    const p = prior?.mean ?? 0.5;
    const arm: ArmState = {
      model,
      tier,
      successes: e?.successes ?? 0,
      failures: e?.failures ?? 0,
      calls: e?.calls ?? 0,
      priorAlpha: 1 + strength * p,
      priorBeta: 1 + strength * (1 - p),
      expectedCost,
      avgLatencyMs: e?.avgLatencyMs ?? null,
      changed: e?.changed ?? null,
    };
    if (query.maxCost != null && expectedCost != null && exceeds(expectedCost, query.maxCost))
      arm.excludedBy = `cost ${money(expectedCost)} > ${money(query.maxCost)}`;
    else if (query.maxLatencyMs != null && arm.avgLatencyMs != null && arm.avgLatencyMs > query.maxLatencyMs)
      arm.excludedBy = `latency ${Math.round(arm.avgLatencyMs)}ms > ${query.maxLatencyMs}ms`;
    return arm;
  });
}

/**
 * How the stage's known costs compare with the registry's list prices on the same token counts:
 * the calls-weighted ratio over models that have both (1 when none has). A stage whose telemetry
 * carries costs but no token counts (or cache discounts) then prices its untried models alike.
 */
export function stagePriceScale(evidence: Map<string, { avgCost: number | null; calls: number }>, listPrice: (model: string) => number | null): number {
  let known = 0;
  let listed = 0;
  for (const [model, e] of evidence) {
    const price = listPrice(model);
    if (e.avgCost == null || price == null || price <= 0) continue;
    known += e.avgCost * e.calls;
    listed += price * e.calls;
  }
  return listed > 0 && known > 0 ? known / listed : 1;
}

/**
 * A cost above a limit, with the rounding of summed floats forgiven: 60 calls of $0.007333 average
 * to 0.007333000000000001, which is the limit, not over it.
 */
export function exceeds(cost: number, limit: number): boolean {
  return cost > limit + Math.max(Math.abs(limit), 1e-6) * 1e-9;
}
