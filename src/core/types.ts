import type { Tier } from './tiers';

/** One LLM call as callers hand it to `trackLlmCall`. */
export interface LlmCallInput {
  workflow: string;
  stage?: string | null;
  tier?: string | null;
  model: string;
  /** The exact id the call reported where it differs from `model` (a dated snapshot, a cloud id): a detail, never a model of its own. */
  modelVersion?: string | null;
  provider?: string | null;
  /** USD for this call as billed; omit when unknown (it is then estimated from the tokens and registry prices). */
  cost?: number | null;
  /** True when `cost` is the caller's own estimate rather than what was billed (it is then shown as one). */
  costEstimated?: boolean | null;
  /**
   * Token counts. `input` is the uncached input (Anthropic's convention: prompt-cache reads and
   * writes are counted apart). `cacheWrite` counts every cache-write token; `cacheWrite1h` says how
   * many of them were written with the 1-hour lifetime (the rest have the default 5 minutes).
   */
  tokens?: {
    input?: number | null;
    output?: number | null;
    cacheRead?: number | null;
    cacheWrite?: number | null;
    cacheWrite1h?: number | null;
  } | null;
  durationMs?: number | null;
  /** Missing means unknown: it counts as a success but is stored as NULL. */
  success?: boolean | null;
  error?: string | null;
  cacheHit?: boolean | null;
  ts?: Date | string | number;
  /** Stable identity of the call, so merges and re-imports never double count. */
  id?: string;
}

/** A validated call, as stored. */
export interface LlmCall {
  id: number;
  ts: number;
  workflow: string;
  stage: string;
  tier: Tier | null;
  model: string;
  /** The exact id the call reported, where it differs from `model`. */
  modelVersion?: string | null;
  provider: string | null;
  cost: number | null;
  /** The cost is the source's estimate, not a bill (null: not said, taken as billed). */
  costEstimated: boolean | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Prompt-cache tokens: read, written (all lifetimes), and written with the 1-hour lifetime. */
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  cacheWrite1hTokens: number | null;
  durationMs: number | null;
  success: boolean | null;
  error: string | null;
  cacheHit: boolean | null;
}

/** Sums over a set of calls (unknown outcomes count as successes). */
export interface CallTotals {
  calls: number;
  successes: number;
  /** Sum of known costs and how many calls had one; likewise for latency. */
  costSum: number;
  costKnown: number;
  /** Sum of the squares of billed costs (sources' own estimates left out): their spread, for a projection's interval. */
  costSqSum: number;
  /** The part of costSum (and of costKnown) that sources gave as their own estimates, not bills. */
  sourceEstimatedSum: number;
  sourceEstimatedCalls: number;
  latencySum: number;
  latencyKnown: number;
  inputTokens: number;
  outputTokens: number;
  /**
   * The calls without a billed cost that have token counts, and their tokens: what an estimate
   * from registry prices covers (see pricing.ts). Calls with neither are of unknown cost.
   */
  unpricedCalls: number;
  unpricedInputTokens: number;
  unpricedOutputTokens: number;
  unpricedCacheReadTokens: number;
  unpricedCacheWriteTokens: number;
  unpricedCacheWrite1hTokens: number;
}

/** Aggregate over a set of calls of one model. */
export interface ModelAggregate extends CallTotals {
  model: string;
  /** Most recent tier recorded for this model, if any. */
  tier: Tier | null;
}

export type Clock = () => Date;
