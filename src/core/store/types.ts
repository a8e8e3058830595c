import type { TelemetryFileError } from './schema';
import type { Tier } from '../tiers';
import type { Clock } from '../types';

/** The telemetry store's options, scopes and events (re-exported by telemetryStore.ts). */

export interface TelemetryStoreOptions {
  now?: Clock;
  /** sql.js wasm bytes, for hosts where the file cannot be located (VS Code web). */
  wasmBinary?: Uint8Array;
  /** Save this long after the first unsaved call when the caller never flushes; 0 turns it off. */
  autoSaveMs?: number;
  /**
   * Keep a journal beside the file where `recordDurably` puts calls on disk before a save (default
   * true where the backend has one: local files); journals left by a crash are replayed on open.
   */
  journal?: boolean;
  /** Refuse to load files larger than this (default 256 MB). */
  maxFileBytes?: number;
  /**
   * Raw calls older than this many days are deleted (their daily totals stay, so long-range
   * statistics still count them); 0 keeps everything. Default 90.
   */
  retentionDays?: number;
  /**
   * Runs SQLite's integrity check (`PRAGMA quick_check`) somewhere else, e.g. a worker thread, and
   * resolves to its result ('ok' or what is wrong). The file is then usable at once; saves wait
   * for the verdict and a damaged file is never written over. Without it the check runs inline.
   */
  integrityCheck?: (bytes: Uint8Array) => Promise<string>;
  /**
   * After opening a file, read the recent calls of its most recently used stages in the background
   * (in slices of a few milliseconds), so that each stage's first decision finds them in memory.
   * Default true.
   */
  prefetchHistories?: boolean;
}

/** Everything a query needs to name the calls it looks at. */
export interface CallScope {
  workflow: string;
  /** Undefined: every stage of the workflow. */
  stage?: string;
  /** Only calls at or after this time (ms since epoch). */
  since?: number;
}

/** One call of a stage's recent history, as the learning router reads it. */
export interface StageCall {
  model: string;
  tier: Tier | null;
  /** Unknown outcomes count as success, as everywhere else. */
  success: boolean;
  cost: number | null;
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  ts: number;
  /** Write order (strictly increasing per writing process; null for calls of schema 2 files). */
  seq?: number | null;
}

let lastSeq = 0;

/**
 * Write order: a counter strictly increasing within this process, so calls of one millisecond keep
 * the order they were written in. (Small numbers on purpose: SQLite stores them in a byte or three.
 * Between writers, calls of the same millisecond have no order to keep.)
 */
export function nextSeq(): number {
  return ++lastSeq;
}

export type StoreEvent =
  | { kind: 'calls'; added: number }
  | { kind: 'reloaded' }
  | { kind: 'saved' }
  | { kind: 'save-failed'; error: Error }
  /** The deferred integrity check failed: the store must not be saved (every save now throws). */
  | { kind: 'unreadable'; error: TelemetryFileError };
