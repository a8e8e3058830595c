import { capitalised, pct } from '../format';
import { describeEvidence, failureEvidence, FailureEvidence } from '../stats/failureEvidence';
import type { AdaptiveModelRouter } from './router';
import type { RouteDecision } from './routerTypes';
import { Tier, parseTier, tierIndex } from '../tiers';
import type { StageVerdict } from './stageVerdict';

export type { StageVerdict } from './stageVerdict';

/** What a workflow declares for a stage (manifest or workflow class), and its targets. */
export interface StageTargets {
  minSuccessRate?: number;
  maxCost?: number;
  maxLatencyMs?: number;
  tier?: string;
}

/** The verdict in words, as every surface writes it. */
export function verdictText(r: StageRecommendation): string {
  switch (r.verdict) {
    case 'held-by-budget':
      return 'held on the cheapest model by a spent budget';
    case 'out-of-reach':
      return 'target out of reach';
    case 'upgrade':
    case 'downgrade':
      return `${r.verdict} ${tierMove(r)}`;
    case 'thin-evidence':
      return 'too few calls to judge';
    case 'no-tier':
      return 'no tier known';
    case 'keep':
      return 'keeps its tier';
  }
}

/** Where a stage moves between two tiers: up, down, nowhere, or unknown when either is. */
export function tierChange(from: Tier | null | undefined, to: Tier | null | undefined): 'upgrade' | 'downgrade' | 'keep' | 'unknown' {
  if (!from || !to) return 'unknown';
  const step = tierIndex(to) - tierIndex(from);
  return step > 0 ? 'upgrade' : step < 0 ? 'downgrade' : 'keep';
}

/**
 * The one answer to "which model for this stage?": what the tree, status bar, tooltips, Best Model
 * command, routing-check reports, CLI and diagnostics all show. It is route()'s best guess without
 * exploration at the stage's own target, with the direction it moves the stage in and the evidence
 * behind that move.
 */
export interface StageRecommendation {
  workflow: string;
  stage: string;
  model: string;
  tier: Tier | null;
  reason: string;
  target: number;
  /** True when no evidence stands behind the model (no calls yet, or every model breaks a hard limit). */
  fallback: boolean;
  /** The stage's calls in the router's window, all models. */
  calls: number;
  /** Enough calls (the router's minimum sample) that the verdict rests on this stage's own record. */
  judged: boolean;
  /** What the recommendation says of the stage: the one state every surface shows. */
  verdict: StageVerdict;
  outOfReach: boolean;
  adaptive: boolean;
  /** The declared tier, else the tier of the stage's most recent call (null when neither is known). */
  currentTier: Tier | null;
  /** Where the recommendation moves the stage from `currentTier`. */
  change: 'upgrade' | 'downgrade' | 'keep' | 'unknown';
  /** How the current tier's calls at this stage compare with the target (null without such calls). */
  evidence: FailureEvidence | null;
  /** An upgrade backed by an exact test on the current tier's calls: the Problems panel shows a Warning. */
  confident: boolean;
  /** route()'s decision, with every model's posterior behind it. */
  decision: RouteDecision;
}

export function recommendStage(router: AdaptiveModelRouter, workflow: string, stage: string, targets: StageTargets = {}): StageRecommendation {
  const declared = parseTier(targets.tier);
  const decision = router.route({ workflow, stage, ...definedOnly(targets), tier: declared }, { explore: false });
  const stats = router.getRoutingStats(workflow, { stage, days: router.days, latencyPercentiles: false });
  const latest = declared ? null : router.recommendTierUpgrade(workflow, stage).currentTier;
  const currentTier = declared ?? latest ?? null;
  // The current tier's calls here, against the failure rate the stage's target allows.
  let calls = 0;
  let failures = 0;
  for (const model of stats.modelsUsed) {
    const p = stats.performanceByModel[model];
    if (!currentTier || p.tier !== currentTier) continue;
    calls += p.calls;
    failures += Math.round(p.calls * (1 - p.successRate));
  }
  const evidence = calls > 0 ? failureEvidence(failures, calls, 1 - decision.target) : null;
  // A spent "cheapest" budget holds the stage on its cheapest model: no tier move stands while it does.
  const heldByBudget = decision.budget?.effect === 'cheapest';
  const change = !decision.adaptive || decision.fallback || heldByBudget ? 'keep' : tierChange(currentTier, decision.tier);
  const judged = !decision.fallback && stats.totalCalls >= router.minSampleSize;
  const verdict: StageVerdict = heldByBudget
    ? 'held-by-budget'
    : decision.outOfReach && decision.sampleSize >= router.minSampleSize
      ? 'out-of-reach'
      : change === 'upgrade' || change === 'downgrade'
        ? change
        : !judged
          ? 'thin-evidence'
          : change === 'unknown'
            ? 'no-tier'
            : 'keep';
  return {
    workflow,
    stage,
    model: decision.model,
    tier: decision.tier,
    reason: decision.reason,
    target: decision.target,
    fallback: decision.fallback,
    calls: stats.totalCalls,
    judged,
    verdict,
    outOfReach: decision.outOfReach,
    adaptive: decision.adaptive,
    currentTier,
    change,
    evidence,
    confident: change === 'upgrade' && evidence !== null && evidence.confident,
    decision,
  };
}

/** "CAPABLE → PREMIUM": the tiers the recommendation moves the stage between, or undefined when it does not move it. */
export function tierMove(r: StageRecommendation): string | undefined {
  if (r.change !== 'upgrade' && r.change !== 'downgrade') return undefined;
  return `${r.currentTier?.toUpperCase()} → ${r.tier?.toUpperCase()}`;
}

/** "capable calls here: failure rate ...": the current tier's evidence, or undefined without such calls. */
export function evidenceText(r: StageRecommendation): string | undefined {
  return r.evidence ? `${r.currentTier} calls here: ${describeEvidence(r.evidence)}` : undefined;
}

/** One line on why the stage should move tier, or undefined when it should not move. */
export function changeText(r: StageRecommendation): string | undefined {
  const move = tierMove(r);
  if (!move) return undefined;
  const evidence = evidenceText(r);
  return `${move}: ${r.model} is recommended for the ${pct(r.target)} target.${evidence ? ` ${capitalised(evidence)}.` : ''}`;
}

/** The fields that are set: a query's undefined fields must not override defaults they are spread over. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
