import type { Tier } from './tiers';

/** One LLM call as callers hand it to `trackLlmCall`. */
export interface LlmCallInput {
  workflow: string;
  stage?: string | null;
  tier?: string | null;
  model: string;
  provider?: string | null;
  /** USD for this call; omit when unknown (registry prices are then used). */
  cost?: number | null;
  tokens?: { input?: number | null; output?: number | null } | null;
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
  provider: string | null;
  cost: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
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
  latencySum: number;
  latencyKnown: number;
  inputTokens: number;
  outputTokens: number;
}

/** Aggregate over a set of calls of one model. */
export interface ModelAggregate extends CallTotals {
  model: string;
  /** Most recent tier recorded for this model, if any. */
  tier: Tier | null;
}

export type Clock = () => Date;
