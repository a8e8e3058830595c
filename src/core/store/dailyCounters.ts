import type { Database } from 'sql.js';
import { DAY_MS } from '../timeWindow';
import { runInSlices } from '../timeSlices';
import type { CallTotals, LlmCall } from '../types';
import { UNPRICED_COLUMNS } from './schema';

/** Totals of one (stage, model, UTC day): what decisions and long-range statistics read. */
export interface DayCounter extends CallTotals {
  /** Tier (index) and time of the latest call counted here. */
  lastTier: number | null;
  lastTs: number;
}

/** What a counter takes from a call. */
type CountedCall = Pick<
  LlmCall,
  'ts' | 'success' | 'cost' | 'durationMs' | 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'cacheWrite1hTokens'
> & { costEstimated?: boolean | null };

/** A counter's fields in the order of the daily table's columns (COUNTER_COLUMNS). */
const COUNTER_FIELDS = [
  'calls',
  'successes',
  'costSum',
  'costKnown',
  'latencySum',
  'latencyKnown',
  'inputTokens',
  'outputTokens',
  'lastTier',
  'lastTs',
  'unpricedCalls',
  'unpricedInputTokens',
  'unpricedOutputTokens',
  'unpricedCacheReadTokens',
  'unpricedCacheWriteTokens',
  'unpricedCacheWrite1hTokens',
  'costSqSum',
  'sourceEstimatedSum',
  'sourceEstimatedCalls',
] as const satisfies ReadonlyArray<keyof DayCounter>;

/** The daily table's counter columns, in the order counterFromRow reads them. */
export const COUNTER_COLUMNS = `calls, successes, cost_sum, cost_known, latency_sum, latency_known, input_tokens, output_tokens, last_tier, last_ts, ${UNPRICED_COLUMNS.join(', ')}, cost_sq_sum, source_estimated_sum, source_estimated_calls`;

/**
 * A counter from COUNTER_FIELDS.length result columns starting at `at`, in the order of
 * COUNTER_COLUMNS (a missing last tier stays missing; every other column is a number).
 */
export function counterFromRow(r: ArrayLike<unknown>, at = 0): DayCounter {
  const counter = emptyCounter();
  COUNTER_FIELDS.forEach((field, i) => {
    const value = r[at + i];
    (counter as unknown as Record<string, number | null>)[field] = field === 'lastTier' && value == null ? null : Number(value);
  });
  return counter;
}

/** A counter's column values in the order of COUNTER_COLUMNS (a last time never set is stored as 0). */
function counterValues(c: DayCounter): Array<number | null> {
  return COUNTER_FIELDS.map((field) => (field === 'lastTs' && !Number.isFinite(c.lastTs) ? 0 : c[field]));
}

export function emptyCounter(): DayCounter {
  return {
    calls: 0,
    successes: 0,
    costSum: 0,
    costKnown: 0,
    costSqSum: 0,
    sourceEstimatedSum: 0,
    sourceEstimatedCalls: 0,
    latencySum: 0,
    latencyKnown: 0,
    inputTokens: 0,
    outputTokens: 0,
    lastTier: null,
    lastTs: -Infinity,
    unpricedCalls: 0,
    unpricedInputTokens: 0,
    unpricedOutputTokens: 0,
    unpricedCacheReadTokens: 0,
    unpricedCacheWriteTokens: 0,
    unpricedCacheWrite1hTokens: 0,
  };
}

/** Adds `c` into `total` (the latest tier wins). */
export function addInto(total: DayCounter, c: DayCounter): void {
  total.calls += c.calls;
  total.successes += c.successes;
  total.costSum += c.costSum;
  total.costKnown += c.costKnown;
  total.costSqSum += c.costSqSum;
  total.sourceEstimatedSum += c.sourceEstimatedSum;
  total.sourceEstimatedCalls += c.sourceEstimatedCalls;
  total.latencySum += c.latencySum;
  total.latencyKnown += c.latencyKnown;
  total.inputTokens += c.inputTokens;
  total.outputTokens += c.outputTokens;
  total.unpricedCalls += c.unpricedCalls;
  total.unpricedInputTokens += c.unpricedInputTokens;
  total.unpricedOutputTokens += c.unpricedOutputTokens;
  total.unpricedCacheReadTokens += c.unpricedCacheReadTokens;
  total.unpricedCacheWriteTokens += c.unpricedCacheWriteTokens;
  total.unpricedCacheWrite1hTokens += c.unpricedCacheWrite1hTokens;
  if (c.lastTs >= total.lastTs) {
    total.lastTs = c.lastTs;
    total.lastTier = c.lastTier;
  }
}

type RowKey = [stageId: number, modelId: number, day: number];

/** A counter as stored: where it belongs, and whether the table still has an older copy. */
interface StoredCounter extends DayCounter {
  stageId: number;
  modelId: number;
  day: number;
  dirty: boolean;
}

/**
 * Per (stage, model, day) counters of every call ever stored, kept in memory and mirrored in the
 * `daily` table. They make windowed aggregates cost a few dozen additions instead of a scan, and
 * they survive the retention that deletes old raw calls.
 */
export class DailyCounters {
  private readonly byStage = new Map<number, Map<number, Map<number, StoredCounter>>>();
  private readonly dirty: StoredCounter[] = [];

  static load(db: Database): DailyCounters {
    const counters = new DailyCounters();
    counters.readRows(db, () => false);
    return counters;
  }

  /** The same, yielding to other work every few milliseconds (a large file has tens of thousands of rows). */
  static async loadInSlices(db: Database, sliceMs = 8): Promise<{ counters: DailyCounters; longestSliceMs: number }> {
    const counters = new DailyCounters();
    let after: RowKey | undefined;
    const longestSliceMs = await runInSlices((stop) => (after = counters.readRows(db, stop, after)) === undefined, { sliceMs });
    return { counters, longestSliceMs };
  }

  /** Reads daily rows in key order after `after` until `stop()` says so; returns the last key read, or undefined at the end. */
  private readRows(db: Database, stop: () => boolean, after?: RowKey): RowKey | undefined {
    const statement = db.prepare(
      `SELECT stage_id, model_id, day, ${COUNTER_COLUMNS} FROM daily WHERE (stage_id, model_id, day) > (?, ?, ?) ORDER BY stage_id, model_id, day`,
    );
    let count = 0;
    try {
      statement.bind(after ?? [-Infinity, -Infinity, -Infinity]);
      while (statement.step()) {
        const r = statement.get() as number[];
        Object.assign(this.slot(r[0], r[1], r[2], true), counterFromRow(r, 3));
        if (++count % 256 === 0 && stop()) return [r[0], r[1], r[2]];
      }
    } finally {
      statement.free();
    }
    return undefined;
  }

  private slot(stageId: number, modelId: number, day: number, loading = false): StoredCounter {
    let models = this.byStage.get(stageId);
    if (!models) this.byStage.set(stageId, (models = new Map()));
    let days = models.get(modelId);
    if (!days) models.set(modelId, (days = new Map()));
    let counter = days.get(day);
    if (!counter) {
      counter = { stageId, modelId, day, dirty: false, ...emptyCounter() };
      days.set(day, counter);
    }
    if (!loading && !counter.dirty) {
      counter.dirty = true;
      this.dirty.push(counter);
    }
    return counter;
  }

  /** Counts one stored call (or one about to be stored: see PendingCalls). */
  add(stageId: number, modelId: number, call: CountedCall, tier: number | null): void {
    const c = this.count(stageId, modelId, call, 1);
    if (call.ts >= c.lastTs) {
      c.lastTs = call.ts;
      c.lastTier = tier;
    }
  }

  /**
   * Takes back a call counted ahead of its insert that turned out to be stored already (see
   * PendingCalls). The day's last tier stays as it was set: a tier label, not a total.
   */
  remove(stageId: number, modelId: number, call: CountedCall): void {
    this.count(stageId, modelId, call, -1);
  }

  private count(stageId: number, modelId: number, call: CountedCall, sign: 1 | -1): StoredCounter {
    const c = this.slot(stageId, modelId, Math.floor(call.ts / DAY_MS));
    c.calls += sign;
    if (call.success !== false) c.successes += sign;
    if (call.cost != null) {
      c.costSum += sign * call.cost;
      c.costKnown += sign;
      // The squares are of bills only, as spend's reported sum and count are (see spendOf).
      if (call.costEstimated) {
        c.sourceEstimatedSum += sign * call.cost;
        c.sourceEstimatedCalls += sign;
      } else c.costSqSum += sign * call.cost * call.cost;
    }
    if (call.durationMs != null) {
      c.latencySum += sign * call.durationMs;
      c.latencyKnown += sign;
    }
    c.inputTokens += sign * (call.inputTokens ?? 0);
    c.outputTokens += sign * (call.outputTokens ?? 0);
    if (call.cost == null && (call.inputTokens ?? call.outputTokens ?? call.cacheReadTokens ?? call.cacheWriteTokens) != null) {
      c.unpricedCalls += sign;
      c.unpricedInputTokens += sign * (call.inputTokens ?? 0);
      c.unpricedOutputTokens += sign * (call.outputTokens ?? 0);
      c.unpricedCacheReadTokens += sign * (call.cacheReadTokens ?? 0);
      c.unpricedCacheWriteTokens += sign * (call.cacheWriteTokens ?? 0);
      c.unpricedCacheWrite1hTokens += sign * (call.cacheWrite1hTokens ?? 0);
    }
    return c;
  }

  /** Stage ids, the most recently called first (by their latest call's time). */
  stagesByRecency(): number[] {
    const latest = new Map<number, number>();
    for (const [stageId, models] of this.byStage)
      for (const days of models.values())
        for (const c of days.values()) if (c.calls > 0 && c.lastTs > (latest.get(stageId) ?? -Infinity)) latest.set(stageId, c.lastTs);
    return [...latest].sort((a, b) => b[1] - a[1]).map(([stageId]) => stageId);
  }

  /** Per-model sums over the whole days from `fromDay` on (inclusive). */
  sumFrom(stageId: number, fromDay: number): Map<number, DayCounter> {
    const result = new Map<number, DayCounter>();
    const models = this.byStage.get(stageId);
    if (!models) return result;
    for (const [modelId, days] of models) {
      const total = emptyCounter();
      for (const [day, c] of days) if (day >= fromDay) addInto(total, c);
      if (total.calls > 0) result.set(modelId, total);
    }
    return result;
  }

  /** The stage's counters per day (from `fromDay` on, inclusive) and model, as [day, modelId, counter]. */
  days(stageId: number, fromDay: number): Array<[day: number, modelId: number, counter: DayCounter]> {
    const out: Array<[number, number, DayCounter]> = [];
    for (const [modelId, days] of this.byStage.get(stageId) ?? []) for (const [day, c] of days) if (day >= fromDay && c.calls > 0) out.push([day, modelId, c]);
    return out;
  }

  /** Whether the stage has any call counted on that day (if not, no raw call of it can be there either). */
  hasCalls(stageId: number, day: number): boolean {
    const models = this.byStage.get(stageId);
    if (!models) return false;
    for (const days of models.values()) if ((days.get(day)?.calls ?? 0) > 0) return true;
    return false;
  }

  /** Writes the changed counters to the `daily` table (inside the caller's transaction). */
  writeDirty(db: Database): void {
    if (this.dirty.length === 0) return;
    const statement = db.prepare(
      `INSERT OR REPLACE INTO daily (stage_id, model_id, day, ${COUNTER_COLUMNS}) VALUES (?, ?, ?${', ?'.repeat(COUNTER_COLUMNS.split(',').length)})`,
    );
    try {
      for (const c of this.dirty) statement.run([c.stageId, c.modelId, c.day, ...counterValues(c)]);
      for (const c of this.dirty) c.dirty = false;
      this.dirty.length = 0;
    } finally {
      statement.free();
    }
  }
}
