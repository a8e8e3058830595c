import { closestName } from '../names';
import { parseTier } from '../tiers';
import { identityOf } from './callValidation';
import type { TelemetryStore } from '../store/telemetryStore';
import type { LlmCallInput } from '../types';
import { addSkipped, callsFromOtlp, noSkippedSpans, spanEntries, type KnownSpans, type OtlpRules, type OtlpSpan, type SkippedSpans } from './otlpSpans';

/** Which writer produced a line. */
export type LineFormat = 'usage' | 'llm_calls' | 'call' | 'otlp';

export interface ImportReport {
  source: string;
  linesRead: number;
  imported: number;
  duplicates: number;
  skipped: number;
  /** The first few bad lines, with why. */
  problems: Array<{ line: number; message: string }>;
  formats: Partial<Record<LineFormat, number>>;
  /** OTLP spans that did not become calls, by reason (not model calls, without a model, not storable). */
  skippedSpans?: SkippedSpans;
  /** Byte range read this time: a re-import starts where the last one stopped. */
  fromOffset: number;
  toOffset: number;
}

const MAX_PROBLEMS = 20;

/**
 * Converts one JSON line of the upstream framework's logs (UsageTracker's usage.jsonl,
 * TelemetryStore's llm_calls.jsonl) or of our own `track` format into a call.
 * Throws with a readable message for anything else.
 */
export function parseTelemetryLine(line: string): { format: LineFormat; call: LlmCallInput } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  const o = value as Record<string, unknown>;
  if ('call_id' in o || 'workflow_name' in o) return { format: 'llm_calls', call: fromLlmCallsLine(o) };
  if ('duration_ms' in o || 'seq' in o || 'user_id' in o || ('v' in o && 'cache' in o)) return { format: 'usage', call: fromUsageLine(o) };
  if ('workflow' in o && 'model' in o) return { format: 'call', call: checkedCallFields(o) };
  throw new Error('unknown line shape (expected usage.jsonl, llm_calls.jsonl or {workflow, model, ...})');
}

/** The fields of a call line (LlmCallInput), and what people write instead. */
const CALL_FIELDS = [
  'workflow',
  'stage',
  'tier',
  'model',
  'provider',
  'cost',
  'costEstimated',
  'tokens',
  'durationMs',
  'success',
  'error',
  'cacheHit',
  'ts',
  'id',
];
const TOKEN_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h'];
const ALIASES: Record<string, string> = {
  timestamp: 'ts',
  time: 'ts',
  duration_ms: 'durationMs',
  latency_ms: 'durationMs',
  latencyMs: 'durationMs',
  duration: 'durationMs',
  cache_hit: 'cacheHit',
  step: 'stage',
  step_name: 'stage',
  model_id: 'model',
  workflow_name: 'workflow',
  ok: 'success',
  input_tokens: 'tokens.input',
  output_tokens: 'tokens.output',
  prompt_tokens: 'tokens.input',
  completion_tokens: 'tokens.output',
  cache_read_input_tokens: 'tokens.cacheRead',
  cache_creation_input_tokens: 'tokens.cacheWrite',
  'tokens.cache_read': 'tokens.cacheRead',
  'tokens.cache_write': 'tokens.cacheWrite',
  'tokens.cache_creation': 'tokens.cacheWrite',
};

/**
 * A call line with a field we do not know is refused rather than stored without it: a misspelt
 * "sucess" or "timestamp" would otherwise record a success or the import time without a word.
 */
function checkedCallFields(o: Record<string, unknown>): LlmCallInput {
  const unknown = Object.keys(o).filter((key) => !CALL_FIELDS.includes(key));
  const tokens = o.tokens;
  if (tokens && typeof tokens === 'object' && !Array.isArray(tokens))
    unknown.push(
      ...Object.keys(tokens)
        .filter((key) => !TOKEN_FIELDS.includes(key))
        .map((key) => `tokens.${key}`),
    );
  if (unknown.length) {
    const hints = unknown.map((key) => {
      const like = ALIASES[key] ?? closestName(key.replace(/^tokens\./, ''), key.startsWith('tokens.') ? TOKEN_FIELDS : CALL_FIELDS);
      return `"${key}"${like ? ` (did you mean "${key.startsWith('tokens.') && !like.startsWith('tokens.') ? `tokens.${like}` : like}"?)` : ''}`;
    });
    throw new Error(
      `unknown field${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}; a call has ${CALL_FIELDS.join(', ')} (tokens: ${TOKEN_FIELDS.join(', ')})`,
    );
  }
  return o as unknown as LlmCallInput;
}

/**
 * The upstream framework writes tiers of its own ("NONE", "UNKNOWN", "ULTRA"...): such a call is
 * kept, with no tier, rather than dropped whole.
 */
function upstreamTier(value: unknown): string | null {
  return typeof value === 'string' && parseTier(value) ? value : null;
}

function outcome(value: unknown): boolean | null {
  if (value != null && typeof value !== 'boolean') throw new Error('"success" is not true or false');
  return (value as boolean | null | undefined) ?? null;
}

function optionalNumber(o: Record<string, unknown>, key: string): number | null {
  const v = o[key];
  if (v == null) return null;
  if (typeof v !== 'number') throw new Error(`"${key}" is not a number`);
  return v;
}

/** Names the upstream logs may give prompt-cache counts under: its own, and those of Anthropic's usage object. */
const CACHE_READ_NAMES = ['cache_read', 'cache_read_tokens', 'cache_read_input_tokens', 'read_tokens'];
const CACHE_WRITE_NAMES = ['cache_write', 'cache_write_tokens', 'cache_creation_tokens', 'cache_creation_input_tokens', 'write_tokens', 'creation_tokens'];
const CACHE_WRITE_1H_NAMES = ['cache_write_1h', 'cache_write_1h_tokens', 'ephemeral_1h_input_tokens', 'write_1h_tokens'];

/**
 * Prompt-cache token counts found in any of the objects, under any of the names above; Anthropic's
 * `cache_creation: { ephemeral_1h_input_tokens }` breakdown gives the 1-hour part. Only those found are given.
 */
function promptCacheTokens(...objects: Array<Record<string, unknown>>): { cacheRead?: number; cacheWrite?: number; cacheWrite1h?: number } {
  const breakdowns = objects.flatMap((o) => (o.cache_creation && typeof o.cache_creation === 'object' ? [o.cache_creation as Record<string, unknown>] : []));
  const sources = [...objects, ...breakdowns];
  const find = (names: string[]) => {
    for (const o of sources)
      for (const name of names) {
        const value = optionalNumber(o, name);
        if (value != null) return value;
      }
    return null;
  };
  const found = { cacheRead: find(CACHE_READ_NAMES), cacheWrite: find(CACHE_WRITE_NAMES), cacheWrite1h: find(CACHE_WRITE_1H_NAMES) };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value != null));
}

function fromUsageLine(o: Record<string, unknown>): LlmCallInput {
  const tokens = (o.tokens ?? {}) as Record<string, unknown>;
  const cache = (o.cache ?? {}) as Record<string, unknown>;
  if (typeof tokens !== 'object' || typeof cache !== 'object') throw new Error('"tokens" and "cache" must be objects');
  if (typeof o.ts !== 'string') throw new Error('"ts" is missing');
  return {
    id: `usage|${String(o.ts)}|${String(o.user_id ?? '')}|${String(o.seq ?? '')}|${String(o.workflow)}|${String(o.stage ?? '')}|${String(o.model)}`,
    ts: o.ts,
    workflow: o.workflow as string,
    stage: (o.stage as string | undefined) ?? null,
    tier: upstreamTier(o.tier),
    model: o.model as string,
    provider: (o.provider as string | undefined) ?? null,
    cost: optionalNumber(o, 'cost'),
    tokens: { input: optionalNumber(tokens, 'input'), output: optionalNumber(tokens, 'output'), ...promptCacheTokens(tokens, cache) },
    durationMs: optionalNumber(o, 'duration_ms'),
    cacheHit: typeof cache.hit === 'boolean' ? cache.hit : null,
    // UsageTracker's lines carry no outcome (unknown, which counts as success) unless a writer added one.
    success: outcome(o.success),
  };
}

function fromLlmCallsLine(o: Record<string, unknown>): LlmCallInput {
  if (typeof o.call_id !== 'string' || o.call_id === '') throw new Error('"call_id" is missing');
  const actual = optionalNumber(o, 'actual_cost');
  const errorText = [o.error_type, o.error_message].filter((v) => typeof v === 'string' && v !== '').join(': ');
  return {
    id: `llm_calls|${o.call_id}`,
    ts: parseNaiveLocalTime(o.timestamp),
    workflow: o.workflow_name as string,
    stage: (o.step_name as string | undefined) ?? null,
    tier: upstreamTier(o.tier),
    model: o.model_id as string,
    provider: (o.provider as string | undefined) ?? null,
    // The framework's estimate stands in for a missing actual cost, marked as what it is.
    cost: actual ?? optionalNumber(o, 'estimated_cost'),
    costEstimated: actual == null && optionalNumber(o, 'estimated_cost') != null ? true : null,
    tokens: { input: optionalNumber(o, 'input_tokens'), output: optionalNumber(o, 'output_tokens'), ...promptCacheTokens(o) },
    durationMs: optionalNumber(o, 'latency_ms'),
    success: outcome(o.success),
    error: errorText || null,
  };
}

/**
 * Python's `datetime.now().isoformat()`: local wall-clock time without an offset, up to microseconds.
 * An explicit offset or Z is honoured when present.
 */
export function parseNaiveLocalTime(value: unknown): Date {
  if (typeof value !== 'string') throw new Error('"timestamp" is missing');
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) throw new Error(`"timestamp" is not an ISO date: ${JSON.stringify(value).slice(0, 40)}`);
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  if (zone) {
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s.padStart(2, '0')}.${String(ms).padStart(3, '0')}${zone === 'Z' ? 'Z' : zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`;
    return new Date(iso);
  }
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(date.getTime())) throw new Error(`"timestamp" is not a valid date: ${value}`);
  return date;
}

const FINGERPRINT_BYTES = 1024;

/**
 * Identifies a file by its first bytes (up to what was already read), so that a rotated or
 * truncated file is read from the start again while a growing one is read on from its bookmark.
 */
export function fingerprintOf(head: Uint8Array, readUpTo: number): string {
  const length = Math.min(FINGERPRINT_BYTES, readUpTo, head.length);
  let text = '';
  for (const byte of head.subarray(0, length)) text += String.fromCharCode(byte);
  return `${length}:${identityOf(text).toString(36)}`;
}

/** Where to resume reading a file whose first bytes are `head` and whose size is `size`. */
export function resumeOffset(progress: { offset: number; fingerprint: string } | undefined, head: Uint8Array, size: number): number {
  if (!progress || progress.offset > size) return 0;
  const length = Number(progress.fingerprint.split(':')[0]);
  return fingerprintOf(head, length) === progress.fingerprint ? progress.offset : 0;
}

/**
 * Imports the complete lines of `bytes` (the part of the source file from `fromOffset` on).
 * A trailing line without a newline is left for the next import, since its writer may be mid-line,
 * unless it is whole JSON already (no prefix of a JSON object is): one OTLP request saved by `curl >`
 * or by hand often has no newline at its end. Nothing throws for a bad line: it is counted and skipped.
 */
export function importJsonlBytes(
  store: TelemetryStore,
  source: string,
  bytes: Uint8Array,
  fromOffset: number,
  head: Uint8Array,
  otlpRules: OtlpRules = {},
): ImportReport {
  const lastNewline = bytes.lastIndexOf(0x0a);
  const complete = endsWhole(bytes, lastNewline) ? bytes : bytes.subarray(0, lastNewline + 1);
  const report: ImportReport = {
    source,
    linesRead: 0,
    imported: 0,
    duplicates: 0,
    skipped: 0,
    problems: [],
    formats: {},
    fromOffset,
    toOffset: fromOffset + complete.length,
  };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(complete);
  const before = store.callCount();
  let lineNumber = 0;
  // One OTLP export request per line (collectors' file exporters), or a whole file of one request.
  const whole = otlpDocument(text);
  let otlpCalls = 0;
  let otlpRequests = 0;
  const lines = whole ? [] : text.split('\n');
  // A model call's enclosing agent and workflow spans may be on a later line (a span is exported
  // after the spans it encloses): every span of the chunk is known to every line's mapping.
  const otlpLines = new Map<number, unknown>();
  const knownSpans = new Map<string, OtlpSpan>();
  lines.forEach((line, i) => {
    if (!line.includes('"resourceSpans"')) return;
    try {
      const request = JSON.parse(line) as unknown;
      otlpLines.set(i, request);
      for (const { span } of spanEntries(request)) if (typeof span?.spanId === 'string') knownSpans.set(span.spanId, span);
    } catch {
      // reported by the loop below, which parses it again
    }
  });
  for (const rawLine of lines) {
    lineNumber++;
    const line = rawLine.trim();
    if (line === '') continue;
    report.linesRead++;
    try {
      if (line.includes('"resourceSpans"')) {
        otlpCalls += importOtlp(store, otlpLines.get(lineNumber - 1) ?? JSON.parse(line), report, lineNumber, otlpRules, knownSpans);
        otlpRequests++;
        continue;
      }
      const { format, call } = parseTelemetryLine(line);
      store.trackLlmCall(call);
      report.formats[format] = (report.formats[format] ?? 0) + 1;
    } catch (error) {
      report.skipped++;
      if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line: lineNumber, message: (error as Error).message });
    }
  }
  if (whole) {
    report.linesRead = 1;
    try {
      otlpCalls += importOtlp(store, whole, report, 1, otlpRules);
      otlpRequests++;
    } catch (error) {
      report.skipped++;
      report.problems.push({ line: 1, message: (error as Error).message });
    }
  }
  // Lines of the other formats are one call each; an OTLP request is as many calls as its model-call spans.
  const accepted = report.linesRead - report.skipped - otlpRequests + otlpCalls;
  report.imported = store.callCount() - before;
  report.duplicates = accepted - report.imported;
  store.setImportProgress(source, report.toOffset, fingerprintOf(head, report.toOffset));
  return report;
}

/**
 * Whether the text after the last newline ends a whole JSON value: it is one by itself, or it closes
 * a pretty-printed document that starts at the beginning (a file saved without a final newline), not
 * a line its writer is still writing.
 */
function endsWhole(bytes: Uint8Array, lastNewline: number): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const rest = decoder.decode(bytes.subarray(lastNewline + 1)).trim();
  if (rest === '') return false;
  const parses = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };
  return parses(rest) || (rest.endsWith('}') && parses(decoder.decode(bytes)));
}

/** A file that is one OTLP export request written over several lines (pretty-printed), parsed; else undefined. */
function otlpDocument(text: string): unknown {
  const start = text.trimStart();
  if (!start.startsWith('{') || !start.slice(0, 200).includes('resourceSpans')) return undefined;
  const firstLine = start.slice(0, start.indexOf('\n') + 1 || undefined).trim();
  try {
    JSON.parse(firstLine);
    return undefined; // one request per line: the line loop reads them
  } catch {
    try {
      return JSON.parse(text);
    } catch {
      return undefined; // not JSON as a whole either: the line loop reports its lines
    }
  }
}

/** One OTLP request's LLM calls; a model-call span that cannot be stored is skipped alone, its reason among the problems. */
function importOtlp(store: TelemetryStore, request: unknown, report: ImportReport, line: number, rules: OtlpRules, known?: KnownSpans): number {
  const { calls, skipped, rejections } = callsFromOtlp(request, rules, known, store.now);
  store.trackLlmCalls(calls);
  report.formats.otlp = (report.formats.otlp ?? 0) + calls.length;
  report.skippedSpans = addSkipped(report.skippedSpans ?? noSkippedSpans(), skipped);
  for (const message of rejections) if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line, message });
  return calls.length;
}

/** Whether `candidate` is a rotated sibling of `base` (`usage.jsonl` → `usage.2026-11-20.jsonl`, `usage.2026-11-20.2.jsonl`). */
export function isRotatedSibling(base: string, candidate: string): boolean {
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  if (!candidate.startsWith(stem + '.') || !candidate.endsWith(ext)) return false;
  return /^\d{4}-\d{2}-\d{2}(\.\d+)?$/.test(candidate.slice(stem.length + 1, candidate.length - ext.length));
}

/** Oldest first: dates, then rotation numbers in numeric order. */
export function sortRotated(names: string[]): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}
