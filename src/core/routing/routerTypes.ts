import type { BudgetDeclaration } from '../budgets/budgetDeclarations';
import type { BudgetInfluence } from '../budgets/budgetGuard';
import type { Spend } from '../stats/spend';
import type { FailureEvidence } from '../stats/failureEvidence';
import type { PolicySettings } from './learningPolicy';
import type { ModelRegistry } from './registry';
import type { Interval } from '../stats/statistics';
import type { Tier } from '../tiers';
import type { Clock } from '../types';

/** The router's public shapes: its options, queries and answers (re-exported by router.ts). */

/** The defaults, defined once: the seed's values, and the success-rate target a stage has when nobody sets one. */
export const DEFAULT_TARGET = 0.8;
export const DEFAULT_FAILURE_RATE_THRESHOLD = 0.2;
export const DEFAULT_MIN_SAMPLE_SIZE = 10;
export const DEFAULT_RECENT_WINDOW = 20;
export const DEFAULT_DAYS = 7;

export interface RouterOptions {
  registry?: ModelRegistry;
  now?: Clock;
  /** A recent failure rate strictly above this recommends an upgrade (seed: 0.2). */
  failureRateThreshold?: number;
  /** Fewer calls than this in the window: no verdict (seed: 10). */
  minSampleSize?: number;
  /** How many of the most recent calls the failure rate is taken over (seed: 20). */
  recentWindowSize?: number;
  /** History window in days (seed: 7). */
  days?: number;
  /** @deprecated Ignored: `confident` is an exact test at a fixed level (see failureEvidence.ts). */
  confidenceLevel?: number;
  /** @deprecated Ignored: `confident` is an exact test at a fixed level (see failureEvidence.ts). */
  verdictPriorCalls?: number;
  /** Largest share of a stage's calls route() spends exploring once the stage has minSampleSize calls. */
  explorationBudget?: number;
  /** Evidence half-life in calls of the stage. */
  halfLife?: number;
  /** Finer settings of route()'s learner (see PolicySettings); the defaults suit most uses. */
  learning?: Partial<Omit<PolicySettings, 'target' | 'explorationBudget' | 'halfLife'>>;
  /** Source of randomness for route()'s posterior sampling (seed it for reproducible replays). */
  random?: () => number;
  /** Workflows that keep their declared tiers: route() does not adapt them. */
  disabledWorkflows?: Iterable<string>;
  /** Spend budgets route() heeds (see BudgetDeclaration and `onExceeded`); setBudgets() replaces them. */
  budgets?: readonly BudgetDeclaration[];
}

export interface BestModelQuery {
  workflow: string;
  stage?: string;
  maxCost?: number;
  maxLatencyMs?: number;
  minSuccessRate?: number;
}

export interface TierUpgradeVerdict {
  upgrade: boolean;
  reason: string;
  workflow: string;
  stage: string;
  /** Tier of the stage's most recent call (null when unknown). */
  currentTier: Tier | null;
  recommendedTier: Tier | null;
  /** Calls in the history window. */
  sampleSize: number;
  recentCalls: number;
  recentFailures: number;
  /** Failure rate over the recent calls. */
  failureRate: number;
  /** Exact 90% interval of the failure rate over the whole window. */
  interval: Interval;
  /** True only when that interval lies wholly above a healthy stage's failure rate: the UI shows a warning, else a hint. */
  confident: boolean;
  /** The numbers behind `confident`, for a sentence a user can check (see describeEvidence). */
  evidence: FailureEvidence;
}

export interface ModelPerformance {
  calls: number;
  successRate: number;
  /** USD per call; null when neither telemetry nor the registry knows the price. */
  avgCost: number | null;
  avgLatencyMs: number | null;
  p95LatencyMs: number | null;
  costPerSuccess: number | null;
  tier: Tier | null;
  /** What its calls in the period cost: billed where reported, else estimated from tokens (see spend.ts). */
  spend: Spend;
}

export interface RoutingStats {
  workflow: string;
  stage: string;
  daysAnalyzed: number;
  modelsUsed: string[];
  performanceByModel: Record<string, ModelPerformance>;
  totalCalls: number;
  avgCost: number | null;
  avgSuccessRate: number;
  /** The sum of the models' spend. */
  spend: Spend;
}

export interface RouteQuery extends BestModelQuery {
  /** The tier the workflow declares for this stage (default cheap). */
  tier?: string;
}

export interface RouteDecision {
  model: string;
  tier: Tier | null;
  /** Why, in words that read well in the UI. */
  reason: string;
  /** True when this call tries a model other than the current best guess, to keep learning. */
  explored: boolean;
  /** False when adaptive routing is off for the workflow (the declared tier is used). */
  adaptive: boolean;
  /** True when no model meets the target: the most successful one is used. */
  outOfReach: boolean;
  /**
   * True when no evidence stands behind the model: the stage has no calls in the window, or every
   * model breaks the cost or latency limit (then `limitsRelaxed` too).
   */
  fallback: boolean;
  limitsRelaxed: boolean;
  /** Posterior mean success rate of the chosen model at this stage. */
  successRate: number | null;
  interval: Interval | null;
  /** Calls of the chosen model behind that estimate. */
  sampleSize: number;
  target: number;
  alternatives: Array<{
    model: string;
    tier: Tier | null;
    calls: number;
    successRate: number;
    avgCost: number | null;
    /** Posterior probability that the model's success rate at this stage meets the target. */
    chanceOfTarget: number;
    excludedBy?: string;
  }>;
  /** The spend budget that shaped this decision, if one did (the reason says how). */
  budget?: BudgetInfluence;
  /** True when a budget with `onExceeded: "block"` is spent: the caller decides whether to call `model` anyway. */
  blocked?: boolean;
}
