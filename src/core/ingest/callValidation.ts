import { parseTier } from '../tiers';
import type { LlmCall, LlmCallInput } from '../types';

/** A call that cannot be stored; the message names the field. */
export class InvalidCallError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`Invalid LLM call: ${field} ${detail}`);
    this.name = 'InvalidCallError';
  }
}

/** 53-bit hash (cyrb53): stable call identities from the ids callers or log files give us. */
export function identityOf(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const randomWords = new Uint32Array(2048);
let randomNext = randomWords.length;

/** A fresh random 53-bit identity for calls that carry none (random words drawn in blocks: it is on the ingest path). */
export function randomIdentity(): number {
  if (randomNext >= randomWords.length) {
    globalThis.crypto.getRandomValues(randomWords);
    randomNext = 0;
  }
  const high = randomWords[randomNext++] & 0x1fffff;
  return 4294967296 * high + randomWords[randomNext++];
}

function text(value: unknown, field: string, required: boolean): string | null {
  if (value == null || value === '') {
    if (required) throw new InvalidCallError(field, 'is required');
    return null;
  }
  if (typeof value !== 'string') throw new InvalidCallError(field, `must be text, got ${typeof value}`);
  // Trim only when needed: this runs for several fields of every call.
  const trimmed = value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32 ? value.trim() : value;
  if (required && trimmed === '') throw new InvalidCallError(field, 'is required');
  if (trimmed.length > 200 && field !== 'error') throw new InvalidCallError(field, 'is longer than 200 characters');
  // PostgreSQL's text keeps no NUL (a team push would fail on it): a name with one is refused, an error message keeps a stand-in.
  if (trimmed.includes('\0')) {
    if (field !== 'error') throw new InvalidCallError(field, 'contains a NUL character (\\0)');
    return withoutNul(trimmed);
  }
  return trimmed;
}

/** Text with each NUL character replaced by U+FFFD, the replacement character. */
export function withoutNul(text: string): string {
  return text.replace(/\0/g, '\uFFFD');
}

function count(value: unknown, field: string): number | null {
  if (value == null) return null;
  // JSON reads 1e309 as Infinity, which JSON.stringify would print as null.
  if (typeof value === 'number' && !Number.isFinite(value)) throw new InvalidCallError(field, `is not a finite number (${value})`);
  if (typeof value !== 'number' || value < 0) {
    throw new InvalidCallError(field, `must be a number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(value: unknown, field: string): boolean | null {
  if (value == null) return null;
  if (typeof value !== 'boolean') throw new InvalidCallError(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** How far a call's time may run ahead of this machine's clock (another machine's clock may be a little fast). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The earliest time a call may have: 2000-01-01 (no LLM call is older; an earlier one is seconds read as milliseconds, or 0). */
export const EARLIEST_CALL_MS = Date.UTC(2000, 0, 1);

function timestamp(value: unknown, now: () => Date): number {
  const current = now().getTime();
  if (value == null) return current;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidCallError('ts', `is not a valid date: ${JSON.stringify(value)}`);
  if (ms < EARLIEST_CALL_MS) {
    throw new InvalidCallError('ts', `is before 2000-01-01 (${JSON.stringify(value)}): a time in seconds where milliseconds are meant, or none at all?`);
  }
  if (ms > current + CLOCK_SKEW_MS) {
    throw new InvalidCallError(
      'ts',
      `is in the future: ${new Date(ms).toISOString()} is more than 5 minutes after this machine's clock (${new Date(current).toISOString()})`,
    );
  }
  return Math.round(ms);
}

/**
 * A count kept as a whole number (tokens, milliseconds): rounded, and at most 2^53 - 1, which the
 * team database's bigint columns take as written (a fraction or 1e+21 there fails every push).
 */
function wholeCount(value: unknown, field: string): number | null {
  const n = count(value, field);
  if (n !== null && n > Number.MAX_SAFE_INTEGER) throw new InvalidCallError(field, `is too large to be a count (${n})`);
  return n === null ? null : Math.round(n);
}

/** The prompt-cache counts: the 1-hour writes are part of all writes (which default to them when alone). */
function cacheTokens(tokens: NonNullable<LlmCallInput['tokens']>): Pick<LlmCall, 'cacheReadTokens' | 'cacheWriteTokens' | 'cacheWrite1hTokens'> {
  const cacheReadTokens = wholeCount(tokens.cacheRead, 'tokens.cacheRead');
  const oneHour = wholeCount(tokens.cacheWrite1h, 'tokens.cacheWrite1h');
  const cacheWriteTokens = wholeCount(tokens.cacheWrite, 'tokens.cacheWrite') ?? oneHour;
  if (oneHour != null && cacheWriteTokens != null && oneHour > cacheWriteTokens) {
    throw new InvalidCallError('tokens.cacheWrite1h', `counts part of tokens.cacheWrite, so it cannot exceed it (${oneHour} > ${cacheWriteTokens})`);
  }
  return { cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens: oneHour };
}

/** Checks every field before anything is written, so an invalid call leaves no trace. */
export function validateCall(input: LlmCallInput, now: () => Date): LlmCall {
  if (input == null || typeof input !== 'object') throw new InvalidCallError('call', 'must be an object');
  const workflow = text(input.workflow, 'workflow', true) as string;
  const model = text(input.model, 'model', true) as string;
  const stage = text(input.stage, 'stage', false) ?? '';
  const tier = input.tier == null || input.tier === '' ? null : parseTier(input.tier);
  if (tier === undefined) throw new InvalidCallError('tier', `must be cheap, capable or premium, got ${JSON.stringify(input.tier)}`);
  const tokens = input.tokens ?? {};
  if (typeof tokens !== 'object') throw new InvalidCallError('tokens', 'must be an object { input, output, cacheRead, cacheWrite, cacheWrite1h }');
  const cache = cacheTokens(tokens);
  const durationMs = wholeCount(input.durationMs, 'durationMs');
  const id = input.id == null ? randomIdentity() : identityOf(String(input.id));
  return {
    id,
    ts: timestamp(input.ts, now),
    workflow,
    stage,
    tier,
    model,
    modelVersion: text(input.modelVersion, 'modelVersion', false),
    provider: text(input.provider, 'provider', false),
    cost: count(input.cost, 'cost'),
    costEstimated: flag(input.costEstimated, 'costEstimated'),
    inputTokens: wholeCount(tokens.input, 'tokens.input'),
    outputTokens: wholeCount(tokens.output, 'tokens.output'),
    // named one by one, not spread: a spread in the middle of the literal builds every call (a
    // million when ingesting) through a slow generic copy (bench:perf ingest)
    cacheReadTokens: cache.cacheReadTokens,
    cacheWriteTokens: cache.cacheWriteTokens,
    cacheWrite1hTokens: cache.cacheWrite1hTokens,
    durationMs: durationMs == null ? null : Math.round(durationMs),
    success: flag(input.success, 'success'),
    error: text(input.error, 'error', false)?.slice(0, 2000) ?? null,
    cacheHit: flag(input.cacheHit, 'cacheHit'),
  };
}

/** Checks a call read back from elsewhere (a teammate's row) as a call recorded here is checked; throws InvalidCallError. */
export function checkStoredCall(call: LlmCall, now: () => Date): void {
  validateCall(
    {
      workflow: call.workflow,
      stage: call.stage,
      tier: call.tier,
      model: call.model,
      provider: call.provider,
      cost: call.cost,
      costEstimated: call.costEstimated,
      tokens: {
        input: call.inputTokens,
        output: call.outputTokens,
        cacheRead: call.cacheReadTokens,
        cacheWrite: call.cacheWriteTokens,
        cacheWrite1h: call.cacheWrite1hTokens,
      },
      durationMs: call.durationMs,
      success: call.success,
      error: call.error,
      cacheHit: call.cacheHit,
      ts: call.ts,
    },
    now,
  );
}
