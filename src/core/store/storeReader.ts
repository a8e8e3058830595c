import type { SqlValue } from 'sql.js';
import { DailyCounters, DayCounter, addInto, counterFromRow, emptyCounter } from './dailyCounters';
import { DAY_MS, startsOnDay } from '../timeWindow';
import { TIERS, Tier, tierIndex } from '../tiers';
import type { LlmCall, ModelAggregate } from '../types';
import type { SqlSession } from './sqlSession';
import { UNPRICED_SUMS } from './schema';
import type { CallScope, StageCall } from './types';
import { CALL_COLUMNS, CALL_TABLES, rowToCall } from './callRows';
import { callPages } from './callPages';

/** Stage histories are read at least this deep, so every reader shares one cached read. */
const HISTORY_FLOOR = 1000;

let readers = 0;

/** Newest first: by time, then write order (rows without one, written before schema 3, last), then id. */
function newestFirst(a: SqlValue[], b: SqlValue[]): number {
  return Number(b[7]) - Number(a[7]) || (b[8] == null ? -1 : Number(b[8])) - (a[8] == null ? -1 : Number(a[8])) || Number(b[9]) - Number(a[9]);
}

/**
 * Everything derived from the database (stage and model ids, names, stage histories, the call
 * count, the daily counters) and the queries that read through it. The store replaces the whole
 * object when the database changes under it (a merge, a rollback), so no cache can be forgotten.
 * Callers insert pending calls first: the reader only reads (save the calls it counts ahead).
 */
export class StoreReader {
  private stageIds = new Map<string, Map<string, number>>();
  private modelIds = new Map<string, number>();
  private modelNames = new Map<number, string>();
  /** Newest-first recent calls per stage, kept up to date as calls arrive, so decisions never rescan. */
  private history = new Map<number, { calls: StageCall[]; limit: number }>();
  /** Raw calls stored: counted once, then kept current by the store. */
  knownCount: number | undefined;
  /** Calls added per workflow since this reader was made (see TelemetryStore.workflowVersion). */
  private workflowChanges = new Map<string, number>();
  /** Tells this reader from the one before it: a new reader means anything may have changed. */
  readonly generation = ++readers;

  constructor(
    private readonly session: SqlSession,
    readonly counters: DailyCounters,
  ) {}

  /** Counts a call added to `workflow`; the store calls it for every call it inserts. */
  countAdded(workflow: string): void {
    this.workflowChanges.set(workflow, (this.workflowChanges.get(workflow) ?? 0) + 1);
  }

  addedTo(workflow: string): number {
    return this.workflowChanges.get(workflow) ?? 0;
  }

  /**
   * Per-model aggregates of the calls in scope: whole days from the daily counters (which include
   * calls past the retention), the partial first day from the raw calls.
   */
  aggregateByModel(scope: CallScope): ModelAggregate[] {
    const totals = new Map<number, DayCounter>();
    for (const stageId of this.stageIdsOf(scope)) this.addStageTotals(totals, stageId, scope.since ?? 0);
    return [...totals].map(([modelId, t]) => toAggregate(this.modelName(modelId), t)).sort((a, b) => a.model.localeCompare(b.model));
  }

  /** The scope's totals per UTC day (from `fromDay` on) and model, oldest first: the daily counters alone. */
  dailyAggregates(scope: CallScope, fromDay: number): Array<ModelAggregate & { day: number }> {
    const sums = new Map<string, { day: number; modelId: number; t: DayCounter }>();
    for (const stageId of this.stageIdsOf(scope))
      for (const [day, modelId, c] of this.counters.days(stageId, fromDay)) {
        const key = `${day}:${modelId}`;
        const sum = sums.get(key) ?? sums.set(key, { day, modelId, t: emptyCounter() }).get(key)!;
        addInto(sum.t, c);
      }
    return [...sums.values()]
      .map(({ day, modelId, t }) => ({ day, ...toAggregate(this.modelName(modelId), t) }))
      .sort((a, b) => a.day - b.day || a.model.localeCompare(b.model));
  }

  /** Calls and successes per (stage, model) of a workflow since `since`. */
  stageModelRecords(workflow: string, since: number): Array<{ stage: string; model: string; tier: Tier | null; calls: number; successes: number }> {
    const records: Array<{ stage: string; model: string; tier: Tier | null; calls: number; successes: number }> = [];
    for (const [stageId, stage] of this.stagesOfWorkflow(workflow)) {
      const totals = new Map<number, DayCounter>();
      this.addStageTotals(totals, stageId, since);
      for (const [modelId, t] of totals)
        records.push({
          stage,
          model: this.modelName(modelId),
          tier: t.lastTier == null ? null : (TIERS[t.lastTier] ?? null),
          calls: t.calls,
          successes: t.successes,
        });
    }
    return records;
  }

  private addStageTotals(totals: Map<number, DayCounter>, stageId: number, since: number): void {
    const firstDay = Math.floor(since / DAY_MS);
    const whole = startsOnDay(since);
    const wholeFrom = since <= 0 ? -Infinity : whole ? firstDay : firstDay + 1;
    const add = (modelId: number, c: DayCounter) => {
      let t = totals.get(modelId);
      if (!t) totals.set(modelId, (t = emptyCounter()));
      addInto(t, c);
    };
    for (const [modelId, c] of this.counters.sumFrom(stageId, wholeFrom)) add(modelId, c);
    // The window starts inside a day: read that day's part from the calls, unless nothing happened that day.
    if (!whole && this.counters.hasCalls(stageId, firstDay)) {
      const rows = this.session.all(
        `SELECT model_id, count(*), sum(coalesce(success, 1)), total(cost), count(cost), total(duration_ms), count(duration_ms),
                total(input_tokens), total(output_tokens), tier, max(ts), ${UNPRICED_SUMS}, total(CASE WHEN cost_estimated IS NOT 1 THEN cost * cost END),
                total(CASE WHEN cost_estimated = 1 THEN cost END), count(CASE WHEN cost_estimated = 1 THEN cost END)
         FROM calls WHERE stage_id = ? AND ts >= ? AND ts < ? GROUP BY model_id`,
        [stageId, since, (firstDay + 1) * DAY_MS],
      );
      for (const r of rows) add(Number(r[0]), counterFromRow(r, 1));
    }
  }

  /** Stage ids a scope covers. */
  private stageIdsOf(scope: CallScope): number[] {
    if (scope.stage !== undefined) {
      const known = this.stageIds.get(scope.workflow)?.get(scope.stage);
      if (known !== undefined) return [known];
      const id = this.session.all('SELECT id FROM stages WHERE workflow = ? AND stage = ?', [scope.workflow, scope.stage])[0]?.[0];
      // Kept: ids never change under one reader (a stage this store adds goes through stageId()).
      return id == null ? [] : [this.rememberStageId(scope.workflow, scope.stage, Number(id))];
    }
    return [...this.stagesOfWorkflow(scope.workflow).keys()];
  }

  private stagesOfWorkflow(workflow: string): Map<number, string> {
    return new Map(this.session.all('SELECT id, stage FROM stages WHERE workflow = ?', [workflow]).map((r) => [Number(r[0]), String(r[1])]));
  }

  private modelName(modelId: number): string {
    let name = this.modelNames.get(modelId);
    if (name === undefined) {
      for (const r of this.session.all('SELECT id, name FROM models', [])) this.modelNames.set(Number(r[0]), String(r[1]));
      name = this.modelNames.get(modelId) ?? `model #${modelId}`;
    }
    return name;
  }

  /** Outcomes of the most recent calls in scope, newest first (unknown counts as success). */
  recentOutcomes(scope: CallScope, limit: number): Array<{ success: boolean; tier: Tier | null; model: string; ts: number }> {
    const since = scope.since ?? 0;
    const stages = scope.stage !== undefined ? [scope.stage] : [...this.stagesOfWorkflow(scope.workflow).values()];
    // Each stage's history is newest first: merge them and keep the newest `limit`. A stage whose
    // history is not cached yet is read only as deep as asked (verdicts need 20 calls, not 1000).
    const merged = stages.flatMap((stage) => this.recentStageCalls(scope.workflow, stage, limit, false).slice(0, limit));
    if (stages.length > 1) merged.sort((a, b) => b.ts - a.ts || (b.seq ?? -1) - (a.seq ?? -1));
    return merged
      .filter((c) => c.ts >= since)
      .slice(0, limit)
      .map(({ success, tier, model, ts }) => ({ success, tier, model, ts }));
  }

  /**
   * The `limit` most recent calls of one stage, newest first, served from memory after the first
   * read (which reads at least HISTORY_FLOOR calls, so every reader shares it). With `cache` false
   * an uncached stage is read just `limit` deep and nothing is kept.
   */
  recentStageCalls(workflow: string, stage: string, limit: number, cache = true): StageCall[] {
    const [stageId] = this.stageIdsOf({ workflow, stage });
    if (stageId === undefined) return [];
    const cached = this.cachedStageCalls(workflow, stage, limit);
    if (cached) return cached;
    const depth = cache ? Math.max(limit, HISTORY_FLOOR) : limit;
    const columns = 'model_id, tier, coalesce(success, 1), cost, duration_ms, input_tokens, output_tokens, ts, seq, id';
    // Read in the primary key's order (no sort in SQLite: ordering by seq as well made it sort the
    // stage's calls, several milliseconds on a large file), one row past the limit to see whether the
    // last millisecond was cut; a cut millisecond is read whole. Calls of one millisecond are then
    // put in write order (seq) here.
    let rows = this.session.all(`SELECT ${columns} FROM calls WHERE stage_id = ? ORDER BY ts DESC, id DESC LIMIT ?`, [stageId, depth + 1]);
    if (depth > 0 && rows.length > depth && rows[depth][7] === rows[depth - 1][7]) {
      const cutTs = rows[depth][7];
      rows = rows.filter((r) => r[7] !== cutTs).concat(this.session.all(`SELECT ${columns} FROM calls WHERE stage_id = ? AND ts = ?`, [stageId, cutTs]));
    }
    rows.sort(newestFirst);
    if (rows.length > depth) rows.length = depth;
    const calls = rows.map((r): StageCall => ({
      model: this.modelName(Number(r[0])),
      tier: r[1] == null ? null : (TIERS[Number(r[1])] ?? null),
      success: Number(r[2]) === 1,
      cost: r[3] == null ? null : Number(r[3]),
      durationMs: r[4] == null ? null : Number(r[4]),
      inputTokens: r[5] == null ? null : Number(r[5]),
      outputTokens: r[6] == null ? null : Number(r[6]),
      ts: Number(r[7]),
      seq: r[8] == null ? null : Number(r[8]),
    }));
    if (cache) this.history.set(stageId, { calls, limit: depth });
    return calls.length > limit ? calls.slice(0, limit) : calls;
  }

  /**
   * Reads the histories of stages not cached yet, the most recently called first, until `stop()`
   * says so or `budget` calls are cached; true when there is nothing left to read.
   */
  prefetchHistories(stop: () => boolean, budget: number): boolean {
    let cached = 0;
    for (const h of this.history.values()) cached += h.calls.length;
    for (const [stageId, workflow, stage] of (this.prefetchOrder ??= this.stagesToPrefetch())) {
      if (cached >= budget) return true;
      if (this.history.has(stageId)) continue;
      if (stop()) return false;
      cached += this.recentStageCalls(workflow, stage, HISTORY_FLOOR).length;
    }
    return true;
  }

  /** Every stage with its names, the most recently called first: worked out once per reader, not per slice. */
  private prefetchOrder: Array<[number, string, string]> | undefined;

  private stagesToPrefetch(): Array<[number, string, string]> {
    for (const [id, workflow, stage] of this.session.all('SELECT id, workflow, stage FROM stages', []))
      this.rememberStageId(String(workflow), String(stage), Number(id));
    const names = this.stageNamesById();
    return this.counters.stagesByRecency().flatMap((id) => {
      const name = names.get(id);
      return name ? [[id, ...name] as [number, string, string]] : [];
    });
  }

  /** The stages whose history is cached, as [workflow, stage], in the order they were read. */
  cachedStages(): Array<[workflow: string, stage: string]> {
    const names = this.stageNamesById();
    return [...this.history.keys()].flatMap((id) => (names.has(id) ? [names.get(id)!] : []));
  }

  /** Workflow and stage by id, for the stages whose ids are known. */
  private stageNamesById(): Map<number, [string, string]> {
    const names = new Map<number, [string, string]>();
    for (const [workflow, stages] of this.stageIds) for (const [stage, id] of stages) names.set(id, [workflow, stage]);
    return names;
  }

  /** The stage's history from memory alone (no SQL), or undefined when it is not cached that deep. */
  cachedStageCalls(workflow: string, stage: string, limit: number): StageCall[] | undefined {
    const stageId = this.historyStageId(workflow, stage);
    const cached = stageId === undefined ? undefined : this.history.get(stageId);
    if (!cached || cached.limit < limit) return undefined;
    return cached.calls.length > limit ? cached.calls.slice(0, limit) : cached.calls;
  }

  /** The id of a stage whose history is cached, else undefined (memory only: no SQL). */
  historyStageId(workflow: string, stage: string): number | undefined {
    const stageId = this.stageIds.get(workflow)?.get(stage);
    return stageId !== undefined && this.history.has(stageId) ? stageId : undefined;
  }

  forgetHistory(stageId: number): void {
    this.history.delete(stageId);
  }

  /**
   * Counts a tracked call in the daily counters before its insert (a call with a fresh id, so no
   * duplicate: see PendingCalls), so that the priors a decision reads from them need not wait for it.
   */
  countAhead(stageId: number, call: LlmCall): void {
    this.counters.add(stageId, this.modelId(call.model, call.provider), call, call.tier == null ? null : tierIndex(call.tier));
  }

  /** Takes back a call counted ahead whose insert found it stored already. */
  uncount(stageId: number, call: LlmCall): void {
    this.counters.remove(stageId, this.modelId(call.model, call.provider), call);
  }

  /**
   * Keeps cached stage histories current. A call older than the newest cached one (a teammate's
   * call pulled after this machine's own, an import of older logs) takes its place by time in a new
   * array, so that whoever keeps something per history array (route()'s memo) sees a new history;
   * one older than every call of a full cache is not among the newest and changes nothing.
   */
  rememberInHistory(stageId: number, call: LlmCall, seq: number): void {
    const cached = this.history.get(stageId);
    if (!cached) return;
    const entry: StageCall = {
      model: call.model,
      tier: call.tier,
      success: call.success !== false,
      cost: call.cost,
      durationMs: call.durationMs,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      ts: call.ts,
      seq,
    };
    const calls = cached.calls;
    if (!calls.length || call.ts >= calls[0].ts) {
      calls.unshift(entry); // the usual case: the newest call (its seq is the highest, so first among equal times)
      if (calls.length > cached.limit) calls.length = cached.limit;
      return;
    }
    if (calls.length >= cached.limit && call.ts < calls[calls.length - 1].ts) return;
    // Newest first by time, then seq: the new call goes before the calls of its millisecond.
    let low = 0;
    let high = calls.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (calls[mid].ts > call.ts) low = mid + 1;
      else high = mid;
    }
    const next = [...calls.slice(0, low), entry, ...calls.slice(low)];
    if (next.length > cached.limit) next.length = cached.limit;
    cached.calls = next;
  }

  /** The q-quantile (nearest rank) of known latencies per model in scope, from one read of the raw calls. */
  latencyQuantiles(scope: CallScope, q: number): Map<string, number> {
    const byModel = new Map<number, number[]>();
    for (const stageId of this.stageIdsOf(scope)) {
      for (const r of this.session.all('SELECT model_id, duration_ms FROM calls WHERE stage_id = ? AND ts >= ? AND duration_ms IS NOT NULL', [
        stageId,
        scope.since ?? 0,
      ])) {
        const list = byModel.get(Number(r[0])) ?? [];
        list.push(Number(r[1]));
        byModel.set(Number(r[0]), list);
      }
    }
    const result = new Map<string, number>();
    for (const [modelId, values] of byModel) {
      values.sort((a, b) => a - b);
      result.set(this.modelName(modelId), values[Math.max(0, Math.ceil(q * values.length) - 1)]);
    }
    return result;
  }

  /** Workflows with calls at or after `since`, sorted. */
  workflows(since = 0): string[] {
    return this.session
      .all(`SELECT DISTINCT s.workflow FROM stages s WHERE EXISTS (SELECT 1 FROM calls c WHERE c.stage_id = s.id AND c.ts >= ?) ORDER BY s.workflow`, [since])
      .map((r) => String(r[0]));
  }

  /** Stages of a workflow with calls at or after `since`, sorted ('' is the workflow-level stage). */
  stages(workflow: string, since = 0): string[] {
    return this.session
      .all(`SELECT s.stage FROM stages s WHERE s.workflow = ? AND EXISTS (SELECT 1 FROM calls c WHERE c.stage_id = s.id AND c.ts >= ?) ORDER BY s.stage`, [
        workflow,
        since,
      ])
      .map((r) => String(r[0]));
  }

  /** The most recent call of all, or undefined when there is none (one index probe per stage). */
  lastCall(): LlmCall | undefined {
    let best: { stageId: number; ts: number } | undefined;
    for (const r of this.session.all('SELECT id FROM stages', [])) {
      const ts = this.session.all('SELECT ts FROM calls WHERE stage_id = ? ORDER BY ts DESC LIMIT 1', [Number(r[0])])[0]?.[0];
      if (ts != null && (!best || Number(ts) > best.ts)) best = { stageId: Number(r[0]), ts: Number(ts) };
    }
    if (!best) return undefined;
    const row = this.session.all(
      `SELECT ${CALL_COLUMNS} FROM ${CALL_TABLES}
       WHERE c.stage_id = ? AND c.ts = ? ORDER BY c.seq DESC, c.id DESC LIMIT 1`,
      [best.stageId, best.ts],
    )[0];
    return row ? rowToCall(row) : undefined;
  }

  /** Every stored call in scope, oldest first: for exports and tests, not for decisions. */
  calls(scope?: CallScope): LlmCall[] {
    const where = scope ? this.scopeSql(scope) : { sql: '1', params: [] as SqlValue[] };
    if (!where) return [];
    return this.session
      .all(
        `SELECT ${CALL_COLUMNS} FROM ${CALL_TABLES}
       WHERE ${where.sql} ORDER BY c.ts, c.seq, c.id`,
        where.params,
      )
      .map(rowToCall);
  }

  /** The calls of a scope (every workflow without one) a page at a time: see callPages.ts. */
  callPages(scope: Partial<CallScope> = {}, pageSize = 10_000): Generator<LlmCall[]> {
    const stageIds = scope.workflow
      ? this.stageIdsOf({ workflow: scope.workflow, stage: scope.stage })
      : this.session.all('SELECT id FROM stages ORDER BY id', []).map((r) => Number(r[0]));
    return callPages(this.session, stageIds, scope.since ?? 0, pageSize);
  }

  /** Raw calls stored (counted once, then kept current as calls arrive or are deleted). */
  callCount(): number {
    this.knownCount ??= Number(this.session.all('SELECT count(*) FROM calls', [])[0][0]);
    return this.knownCount;
  }

  stageId(workflow: string, stage: string): number {
    const id = this.stageIds.get(workflow)?.get(stage);
    if (id !== undefined) return id;
    this.session.statement('INSERT OR IGNORE INTO stages (workflow, stage) VALUES (?, ?)').run([workflow, stage]);
    return this.rememberStageId(workflow, stage, Number(this.session.all('SELECT id FROM stages WHERE workflow = ? AND stage = ?', [workflow, stage])[0][0]));
  }

  private rememberStageId(workflow: string, stage: string, id: number): number {
    let stages = this.stageIds.get(workflow);
    if (!stages) this.stageIds.set(workflow, (stages = new Map()));
    stages.set(stage, id);
    return id;
  }

  modelId(name: string, provider: string | null): number {
    let id = this.modelIds.get(name);
    if (id === undefined) {
      this.session.statement('INSERT OR IGNORE INTO models (name, provider) VALUES (?, ?)').run([name, provider]);
      id = Number(this.session.all('SELECT id FROM models WHERE name = ?', [name])[0][0]);
      this.modelIds.set(name, id);
      this.modelNames.set(id, name);
    }
    return id;
  }

  /** SQL filter for a scope, or undefined when the scope matches nothing. */
  private scopeSql(scope: CallScope): { sql: string; params: SqlValue[] } | undefined {
    const ids = this.stageIdsOf(scope);
    if (ids.length === 0) return undefined;
    const stageFilter = ids.length === 1 ? 'c.stage_id = ?' : `c.stage_id IN (${ids.map(() => '?').join(',')})`;
    return { sql: `${stageFilter} AND c.ts >= ?`, params: [...ids, scope.since ?? 0] };
  }
}

function toAggregate(model: string, t: DayCounter): ModelAggregate {
  return {
    model,
    calls: t.calls,
    successes: t.successes,
    costSum: t.costSum,
    costKnown: t.costKnown,
    costSqSum: t.costSqSum,
    sourceEstimatedSum: t.sourceEstimatedSum,
    sourceEstimatedCalls: t.sourceEstimatedCalls,
    latencySum: t.latencySum,
    latencyKnown: t.latencyKnown,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    unpricedCalls: t.unpricedCalls,
    unpricedInputTokens: t.unpricedInputTokens,
    unpricedOutputTokens: t.unpricedOutputTokens,
    unpricedCacheReadTokens: t.unpricedCacheReadTokens,
    unpricedCacheWriteTokens: t.unpricedCacheWriteTokens,
    unpricedCacheWrite1hTokens: t.unpricedCacheWrite1hTokens,
    tier: t.lastTier == null ? null : (TIERS[t.lastTier] ?? null),
  };
}
