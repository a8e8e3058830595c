import type { Tier } from '../tiers';
import type { StageVerdict } from '../routing/stageVerdict';

// The dashboard's data as the page receives it: plain JSON, types only (the page's bundle imports
// them without the store and router behind them).

/** What the dashboard shows: one workflow, one stage of it, or (neither) the whole workspace. */
export interface DashboardScope {
  workflow: string | null;
  stage: string | null;
}

/** A stage's row of the dashboard's table: numbers to sort by, texts to show. */
export interface DashboardStageRow {
  workflow: string;
  stage: string;
  calls: number;
  /** USD known (billed and estimated); null when no call's cost is known. */
  spend: number | null;
  spendText: string;
  /** USD per week the recommendation would save (negative: what reaching the target costs); null without an estimate. */
  savingsPerWeek: number | null;
  savingsText: string;
  recommended: string;
  /** What the recommendation does to the stage's tier, and its words for people. */
  /** The recommendation's verdict (`working-out` until it is worked out). */
  verdict: StageVerdict | 'working-out';
  verdictText: string;
}

/** Everything the dashboard page draws, as plain JSON (the webview gets it by message). */
export interface DashboardData {
  scope: DashboardScope;
  rangeLabel: string;
  /** UTC days, oldest first; every series below is aligned with them. */
  days: string[];
  /** USD per day by model (billed and estimated from tokens), and the estimated part. */
  spend: Array<{
    model: string;
    tier: Tier | null;
    values: number[];
    estimated: number[];
    /** The model's place among the workspace's models (by name): its colour, the same in every scope and chart. */
    colour: number;
  }>;
  /** Calls in the range whose cost nobody knows (not in the spend series). */
  unknownCostCalls: number;
  callsByTier: Array<{ tier: Tier | 'unknown'; values: number[] }>;
  /** Success per day, all models pooled, with its exact 90% interval; target and threshold for a stage. */
  success: {
    calls: number[];
    rate: Array<number | null>;
    low: Array<number | null>;
    high: Array<number | null>;
    target: number | null;
    threshold: number | null;
  };
  stages: DashboardStageRow[];
  totals: { calls: number; spendText: string; savingsText: string };
}
