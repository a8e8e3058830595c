import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { validateCall } from './callValidation';
import { DailyCounters, DayCounter, addInto, counterFromRow, emptyCounter } from './dailyCounters';
import { DAY_MS } from './timeWindow';
import { TelemetryFileError, applyPragmas, checkHeader, damaged, prepareSchema } from './schema';
import { loadSqlJs } from './sqlite';
import { FileStamp, MemoryBackend, StorageBackend, sameStamp } from './storage';
import { TIERS, Tier } from './tiers';
import type { Clock, LlmCall, LlmCallInput, ModelAggregate } from './types';

export interface TelemetryStoreOptions {
  now?: Clock;
  /** sql.js wasm bytes, for hosts where the file cannot be located (VS Code web). */
  wasmBinary?: Uint8Array;
  /** Save this long after the first unsaved call when the caller never flushes; 0 turns it off. */
  autoSaveMs?: number;
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
  /** Write order (microseconds, strictly increasing per writer; null for calls of schema 2 files). */
  seq?: number | null;
}

let lastSeq = 0;

/**
 * Write order: microseconds of wall-clock time, strictly increasing within this process, so calls
 * of one millisecond keep the order they were written in (other writers' clocks are near enough).
 */
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000));
  return lastSeq;
}

export type StoreEvent =
  | { kind: 'calls'; added: number }
  | { kind: 'reloaded' }
  | { kind: 'saved' }
  | { kind: 'save-failed'; error: Error }
  /** The deferred integrity check failed: the store must not be saved (every save now throws). */
  | { kind: 'unreadable'; error: TelemetryFileError };

const MATERIALIZE_BATCH = 100_000;
/** Stage histories are read at least this deep, so every reader shares one cached read. */
const HISTORY_FLOOR = 1000;
const DEFAULT_MAX_FILE = 256 * 1024 * 1024;

/**
 * SQLite telemetry of LLM calls, held in memory by sql.js and saved as a whole file.
 * Calls are validated at once, buffered, and inserted in batches before any query reads them.
 */
export class TelemetryStore {
  private pending: LlmCall[] = [];
  /** Calls inserted since the last completed save: re-applied when another writer changed the file. */
  private unsaved: LlmCall[] = [];
  /** Importer bookmarks set since the last save, re-applied like calls when merging. */
  private unsavedProgress = new Map<string, { offset: number; fingerprint: string }>();
  private statements = new Map<string, Statement>();
  private stageIds = new Map<string, Map<string, number>>();
  private modelIds = new Map<string, number>();
  /** Newest-first recent calls per stage, kept up to date as calls arrive, so decisions never rescan. */
  private history = new Map<number, { calls: StageCall[]; limit: number }>();
  private knownStamp: FileStamp | undefined;
  private needsSave = false;
  private saving: Promise<void> | undefined;
  private autoSaveTimer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<(event: StoreEvent) => void>();
  private changes = 0;
  private closed = false;
  private counters: DailyCounters;
  private modelNames = new Map<number, string>();
  private lastRetention = -Infinity;
  private knownCount: number | undefined;
  private lastSaveMs = 0;
  /** Starts (once) the integrity check of the loaded file and resolves when it passed; saves wait for it. */
  private verify: () => Promise<void> = () => Promise.resolve();
  readonly now: Clock;

  private constructor(
    private db: Database,
    private readonly sql: SqlJsStatic,
    readonly backend: StorageBackend,
    private readonly options: TelemetryStoreOptions,
    counters?: DailyCounters,
  ) {
    this.now = options.now ?? (() => new Date());
    this.counters = counters ?? DailyCounters.load(db);
  }

  /** Opens (or prepares to create) the database behind a backend. Never writes a file it could not read. */
  static async open(backend: StorageBackend = new MemoryBackend(), options: TelemetryStoreOptions = {}): Promise<TelemetryStore> {
    const sql = await loadSqlJs(options.wasmBinary);
    const stamp = await backend.stat();
    const { db, created, verify, blockedMs } = await loadDatabase(sql, backend, options.maxFileBytes ?? DEFAULT_MAX_FILE, options.integrityCheck);
    // The daily counters of a large file are read in slices, so opening never holds the thread long.
    await yieldToEventLoop();
    const { counters, longestSliceMs } = await DailyCounters.loadInSlices(db, yieldToEventLoop);
    const store = new TelemetryStore(db, sql, backend, options, counters);
    store.knownStamp = stamp;
    let started: Promise<void> | undefined;
    store.verify = () => {
      if (!started) {
        started = verify();
        started.catch((error: TelemetryFileError) => store.emit({ kind: 'unreadable', error }));
      }
      return started;
    };
    // Retention runs with the first save (and hourly after), not here: opening stays quick.
    store.needsSave = created && stamp !== undefined;
    store.openBlockedMs = Math.max(blockedMs, longestSliceMs);
    return store;
  }

  /** How long opening held the thread in one stretch (parse, schema, counters, retention). */
  openBlockedMs = 0;

  /**
   * Settles when the loaded file passed (or failed) the integrity check, starting the check if no
   * save has yet (with `integrityCheck`, it runs only when asked, so it never competes with startup).
   */
  get verification(): Promise<void> {
    return this.verify();
  }

  /** Grows with every call added (and jumps on reload): lets readers keep derived data until it is stale. */
  get version(): number {
    this.materialize();
    return this.changes;
  }

  get location(): string {
    return this.backend.location;
  }

  onDidChange(listener: (event: StoreEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Records one call. Throws InvalidCallError (naming the field) before anything is written. */
  trackLlmCall(input: LlmCallInput): LlmCall {
    this.assertOpen();
    const call = validateCall(input, this.now);
    this.pending.push(call);
    if (this.pending.length >= MATERIALIZE_BATCH) this.materialize();
    this.scheduleAutoSave();
    return call;
  }

  /** Records many calls; all are validated first, so one bad call stores none. */
  trackLlmCalls(inputs: LlmCallInput[]): LlmCall[] {
    this.assertOpen();
    const calls = inputs.map((input) => validateCall(input, this.now));
    this.pending.push(...calls);
    this.materialize();
    this.scheduleAutoSave();
    return calls;
  }

  /** Whether there are calls not yet saved to the file. */
  get dirty(): boolean {
    return this.needsSave || this.pending.length > 0 || this.unsaved.length > 0;
  }

  /**
   * Saves to the file: merges what other writers saved meanwhile, then writes atomically.
   * Cheap when nothing changed. Concurrent calls share one save.
   */
  async flush(): Promise<void> {
    if (this.saving) {
      await this.saving.catch(() => undefined);
      if (!this.dirty) return;
    }
    if (!this.dirty) return;
    this.saving = this.save();
    try {
      await this.saving;
    } finally {
      this.saving = undefined;
    }
  }

  private async save(): Promise<void> {
    this.clearAutoSave();
    const started = Date.now();
    let release: (() => Promise<void>) | undefined;
    try {
      await this.verify(); // never write over a file that has not passed the integrity check
      // Under the writers' lock: take in what others saved since we read the file, then replace it.
      release = await this.backend.lock?.();
      this.materialize();
      const stamp = await this.backend.stat();
      if (stamp && !sameStamp(stamp, this.knownStamp)) await this.mergeFromFile();
      this.materialize();
      if (this.now().getTime() - this.lastRetention > 3_600_000) this.applyRetention();
      this.transaction(() => this.counters.writeDirty(this.db));
      const savedCount = this.unsaved.length;
      await this.backend.write(this.exportBytes());
      this.knownStamp = await this.backend.stat();
      this.unsaved = this.unsaved.slice(savedCount);
      this.unsavedProgress.clear();
      this.needsSave = false;
    } catch (error) {
      this.emit({ kind: 'save-failed', error: error as Error });
      this.scheduleAutoSave(); // nothing is dropped: the calls stay unsaved and the save is retried
      throw error;
    } finally {
      await release?.().catch(() => undefined);
    }
    this.lastSaveMs = Date.now() - started;
    this.emit({ kind: 'saved' });
  }

  /**
   * Re-reads the file when another process changed it, keeping our unsaved calls.
   * Returns true when something was reloaded.
   */
  async reloadIfChanged(): Promise<boolean> {
    this.assertOpen();
    const stamp = await this.backend.stat();
    if (!stamp || sameStamp(stamp, this.knownStamp)) return false;
    if (this.saving) await this.saving.catch(() => undefined);
    await this.mergeFromFile();
    return true;
  }

  private async mergeFromFile(): Promise<void> {
    const stamp = await this.backend.stat();
    const { db, verify } = await loadDatabase(this.sql, this.backend, this.options.maxFileBytes ?? DEFAULT_MAX_FILE, this.options.integrityCheck);
    try {
      await verify();
    } catch (error) {
      db.close();
      throw error;
    }
    this.materialize();
    this.replaceDatabase(db);
    this.pending = this.unsaved;
    this.unsaved = [];
    this.materialize();
    for (const [source, p] of this.unsavedProgress) this.writeProgress(source, p.offset, p.fingerprint);
    this.knownStamp = stamp;
    if (this.unsaved.length > 0) this.scheduleAutoSave();
    this.changes += 1_000_000; // a reload can change anything: caches keyed on this start over
    this.emit({ kind: 'reloaded' });
  }

  private replaceDatabase(db: Database): void {
    this.freeStatements();
    this.db.close();
    this.db = db;
    this.forgetDerivedState();
  }

  /** Drops every cache built from the database (ids, names, histories, count) and reloads the counters. */
  private forgetDerivedState(): void {
    this.stageIds.clear();
    this.modelIds.clear();
    this.modelNames.clear();
    this.history.clear();
    this.knownCount = undefined;
    this.counters = DailyCounters.load(this.db);
  }

  /**
   * Deletes raw calls older than the retention (their daily totals stay) and compacts the file
   * after a large deletion. Returns how many calls were deleted.
   */
  applyRetention(): number {
    this.lastRetention = this.now().getTime();
    const days = this.options.retentionDays ?? 90;
    if (!(days > 0)) return 0;
    this.materialize();
    const cutoff = this.now().getTime() - days * DAY_MS;
    const stageIds = this.all('SELECT id FROM stages', []).map((r) => Number(r[0]));
    let deleted = 0;
    this.transaction(() => {
      for (const stageId of stageIds) {
        this.run('DELETE FROM calls WHERE stage_id = ? AND ts < ?', [stageId, cutoff]);
        deleted += this.db.getRowsModified();
      }
    });
    if (deleted === 0) return 0;
    this.history.clear();
    this.knownCount = undefined;
    this.changes += deleted;
    const remaining = this.callCount();
    if (deleted > remaining * 0.2) {
      this.freeStatements();
      this.db.exec('VACUUM');
      applyPragmas(this.db);
    }
    return deleted;
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Flushes and releases the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.dispose();
    }
  }

  /** Releases without saving: for read-only views of files we must not write. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAutoSave();
    this.freeStatements();
    this.db.close();
    this.listeners.clear();
  }

  /** The database bytes as they would be saved. */
  exportBytes(): Uint8Array {
    this.materialize();
    this.freeStatements();
    const bytes = this.db.export();
    // export() closes and reopens the database: pragmas are reset, statements are gone.
    applyPragmas(this.db);
    return bytes;
  }

  // ---- queries -------------------------------------------------------------------------------

  /**
   * Per-model aggregates of the calls in scope: whole days from the daily counters (which include
   * calls past the retention), the partial first day from the raw calls.
   */
  aggregateByModel(scope: CallScope): ModelAggregate[] {
    const totals = new Map<number, DayCounter>();
    for (const stageId of this.stageIdsOf(scope)) this.addStageTotals(totals, stageId, scope.since ?? 0);
    return [...totals].map(([modelId, t]) => toAggregate(this.modelName(modelId), t)).sort((a, b) => a.model.localeCompare(b.model));
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
    const wholeFrom = since <= 0 ? -Infinity : since % DAY_MS === 0 ? firstDay : firstDay + 1;
    const add = (modelId: number, c: DayCounter) => {
      let t = totals.get(modelId);
      if (!t) totals.set(modelId, (t = emptyCounter()));
      addInto(t, c);
    };
    for (const [modelId, c] of this.counters.sumFrom(stageId, wholeFrom)) add(modelId, c);
    // The window starts inside a day: read that day's part from the calls, unless nothing happened that day.
    if (wholeFrom !== firstDay && since > 0 && this.counters.hasCalls(stageId, firstDay)) {
      const rows = this.all(
        `SELECT model_id, count(*), sum(coalesce(success, 1)), total(cost), count(cost), total(duration_ms), count(duration_ms),
                total(input_tokens), total(output_tokens), tier, max(ts)
         FROM calls WHERE stage_id = ? AND ts >= ? AND ts < ? GROUP BY model_id`,
        [stageId, since, (firstDay + 1) * DAY_MS],
      );
      for (const r of rows) add(Number(r[0]), counterFromRow(r, 1));
    }
  }

  /** Stage ids a scope covers. */
  private stageIdsOf(scope: CallScope): number[] {
    this.materialize();
    if (scope.stage !== undefined) {
      const id =
        this.stageIds.get(scope.workflow)?.get(scope.stage) ??
        this.all('SELECT id FROM stages WHERE workflow = ? AND stage = ?', [scope.workflow, scope.stage])[0]?.[0];
      return id == null ? [] : [Number(id)];
    }
    return [...this.stagesOfWorkflow(scope.workflow).keys()];
  }

  private stagesOfWorkflow(workflow: string): Map<number, string> {
    this.materialize();
    return new Map(this.all('SELECT id, stage FROM stages WHERE workflow = ?', [workflow]).map((r) => [Number(r[0]), String(r[1])]));
  }

  private modelName(modelId: number): string {
    let name = this.modelNames.get(modelId);
    if (name === undefined) {
      for (const r of this.all('SELECT id, name FROM models', [])) this.modelNames.set(Number(r[0]), String(r[1]));
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
    const cached = this.history.get(stageId);
    if (cached && cached.limit >= limit) return cached.calls.length > limit ? cached.calls.slice(0, limit) : cached.calls;
    const depth = cache ? Math.max(limit, HISTORY_FLOOR) : limit;
    const calls = this.all(
      `SELECT model_id, tier, coalesce(success, 1), cost, duration_ms, input_tokens, output_tokens, ts, seq
       FROM calls WHERE stage_id = ? ORDER BY ts DESC, seq DESC, id DESC LIMIT ?`,
      [stageId, depth],
    ).map((r): StageCall => ({
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

  /** Keeps cached stage histories current; an out-of-order call (an import of old data) drops the cache. */
  private rememberInHistory(stageId: number, call: LlmCall, seq: number): void {
    const cached = this.history.get(stageId);
    if (!cached) return;
    if (cached.calls.length && call.ts < cached.calls[0].ts) {
      this.history.delete(stageId);
      return;
    }
    cached.calls.unshift({
      model: call.model,
      tier: call.tier,
      success: call.success !== false,
      cost: call.cost,
      durationMs: call.durationMs,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      ts: call.ts,
      seq,
    });
    if (cached.calls.length > cached.limit) cached.calls.length = cached.limit;
  }

  /** The q-quantile (nearest rank) of known latencies per model in scope, from one read of the raw calls. */
  latencyQuantiles(scope: CallScope, q: number): Map<string, number> {
    const byModel = new Map<number, number[]>();
    for (const stageId of this.stageIdsOf(scope)) {
      for (const r of this.all('SELECT model_id, duration_ms FROM calls WHERE stage_id = ? AND ts >= ? AND duration_ms IS NOT NULL', [
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
    this.materialize();
    return this.all(`SELECT DISTINCT s.workflow FROM stages s WHERE EXISTS (SELECT 1 FROM calls c WHERE c.stage_id = s.id AND c.ts >= ?) ORDER BY s.workflow`, [
      since,
    ]).map((r) => String(r[0]));
  }

  /** Stages of a workflow with calls at or after `since`, sorted ('' is the workflow-level stage). */
  stages(workflow: string, since = 0): string[] {
    this.materialize();
    return this.all(
      `SELECT s.stage FROM stages s WHERE s.workflow = ? AND EXISTS (SELECT 1 FROM calls c WHERE c.stage_id = s.id AND c.ts >= ?) ORDER BY s.stage`,
      [workflow, since],
    ).map((r) => String(r[0]));
  }

  /** The most recent call of all, or undefined when there is none (one index probe per stage). */
  lastCall(): LlmCall | undefined {
    this.materialize();
    let best: { stageId: number; ts: number } | undefined;
    for (const r of this.all('SELECT id FROM stages', [])) {
      const ts = this.all('SELECT ts FROM calls WHERE stage_id = ? ORDER BY ts DESC LIMIT 1', [Number(r[0])])[0]?.[0];
      if (ts != null && (!best || Number(ts) > best.ts)) best = { stageId: Number(r[0]), ts: Number(ts) };
    }
    if (!best) return undefined;
    const row = this.all(
      `SELECT c.id, c.ts, s.workflow, s.stage, c.tier, m.name, m.provider, c.cost, c.input_tokens, c.output_tokens,
              c.duration_ms, c.success, c.error, c.cache_hit
       FROM calls c JOIN stages s ON s.id = c.stage_id JOIN models m ON m.id = c.model_id
       WHERE c.stage_id = ? AND c.ts = ? ORDER BY c.seq DESC, c.id DESC LIMIT 1`,
      [best.stageId, best.ts],
    )[0];
    return row ? rowToCall(row) : undefined;
  }

  /** Every stored call in scope, oldest first: for exports and tests, not for decisions. */
  calls(scope?: CallScope): LlmCall[] {
    this.materialize();
    const where = scope ? this.scopeSql(scope) : { sql: '1', params: [] as SqlValue[] };
    if (!where) return [];
    return this.all(
      `SELECT c.id, c.ts, s.workflow, s.stage, c.tier, m.name, m.provider, c.cost, c.input_tokens, c.output_tokens,
              c.duration_ms, c.success, c.error, c.cache_hit
       FROM calls c JOIN stages s ON s.id = c.stage_id JOIN models m ON m.id = c.model_id
       WHERE ${where.sql} ORDER BY c.ts, c.seq, c.id`,
      where.params,
    ).map(rowToCall);
  }

  /** The safety pragmas in force (they are re-applied after every save, which resets them). */
  safetySettings(): { trustedSchema: boolean; journalMode: string } {
    return {
      trustedSchema: Number(this.all('PRAGMA trusted_schema', [])[0][0]) === 1,
      journalMode: String(this.all('PRAGMA journal_mode', [])[0][0]),
    };
  }

  /** Raw calls stored (counted once, then kept current as calls arrive or are deleted). */
  callCount(): number {
    this.materialize();
    this.knownCount ??= Number(this.all('SELECT count(*) FROM calls', [])[0][0]);
    return this.knownCount;
  }

  /** Importer bookmarks, kept in the database so they travel with it. */
  getImportProgress(source: string): { offset: number; fingerprint: string } | undefined {
    const row = this.all('SELECT offset, fingerprint FROM import_progress WHERE source = ?', [source])[0];
    return row ? { offset: Number(row[0]), fingerprint: String(row[1]) } : undefined;
  }

  setImportProgress(source: string, offset: number, fingerprint: string): void {
    this.writeProgress(source, offset, fingerprint);
    this.unsavedProgress.set(source, { offset, fingerprint });
    this.needsSave = true;
  }

  private writeProgress(source: string, offset: number, fingerprint: string): void {
    this.run('INSERT OR REPLACE INTO import_progress (source, offset, fingerprint) VALUES (?, ?, ?)', [source, offset, fingerprint]);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Inserts buffered calls in one transaction; duplicates (same id) are ignored. */
  private materialize(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let added = 0;
    try {
      this.transaction(() => {
        const insert = this.statement(
          `INSERT OR IGNORE INTO calls (stage_id, ts, id, model_id, tier, cost, input_tokens, output_tokens, duration_ms, success, error, cache_hit, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const call of batch) {
          const stageId = this.stageId(call.workflow, call.stage);
          const modelId = this.modelId(call.model, call.provider);
          const tier = call.tier == null ? null : TIERS.indexOf(call.tier);
          const seq = nextSeq();
          insert.run([
            stageId,
            call.ts,
            call.id,
            modelId,
            tier,
            call.cost,
            call.inputTokens,
            call.outputTokens,
            call.durationMs,
            call.success == null ? null : call.success ? 1 : 0,
            call.error,
            call.cacheHit == null ? null : call.cacheHit ? 1 : 0,
            seq,
          ]);
          if (this.db.getRowsModified() > 0) {
            added++;
            this.counters.add(stageId, modelId, call, tier);
            this.rememberInHistory(stageId, call, seq);
          }
        }
      });
    } catch (error) {
      // Rolled back: ids, histories and counters may hold what was undone.
      this.forgetDerivedState();
      this.pending = batch.concat(this.pending);
      throw error;
    }
    this.unsaved.push(...batch);
    this.changes += added;
    if (this.knownCount !== undefined) this.knownCount += added;
    if (added > 0) this.emit({ kind: 'calls', added });
  }

  private stageId(workflow: string, stage: string): number {
    let stages = this.stageIds.get(workflow);
    if (!stages) this.stageIds.set(workflow, (stages = new Map()));
    let id = stages.get(stage);
    if (id === undefined) {
      this.statement('INSERT OR IGNORE INTO stages (workflow, stage) VALUES (?, ?)').run([workflow, stage]);
      id = Number(this.all('SELECT id FROM stages WHERE workflow = ? AND stage = ?', [workflow, stage])[0][0]);
      stages.set(stage, id);
    }
    return id;
  }

  private modelId(name: string, provider: string | null): number {
    let id = this.modelIds.get(name);
    if (id === undefined) {
      this.statement('INSERT OR IGNORE INTO models (name, provider) VALUES (?, ?)').run([name, provider]);
      id = Number(this.all('SELECT id FROM models WHERE name = ?', [name])[0][0]);
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

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all(sql: string, params: SqlValue[]): SqlValue[][] {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      const rows: SqlValue[][] = [];
      while (statement.step()) rows.push(statement.get());
      return rows;
    } finally {
      statement.reset();
    }
  }

  private run(sql: string, params: SqlValue[]): void {
    this.statement(sql).run(params);
  }

  private freeStatements(): void {
    for (const statement of this.statements.values()) {
      try {
        statement.free();
      } catch {
        // Already freed by export().
      }
    }
    this.statements.clear();
  }

  private scheduleAutoSave(): void {
    const base = this.options.autoSaveMs ?? 2000;
    if (base <= 0 || this.autoSaveTimer || this.backend instanceof MemoryBackend) return;
    // A whole-file save of a large file takes a while (the export is synchronous): space them so
    // that saving never takes more than about 5% of the time, within 15 s.
    const delay = Math.min(Math.max(base, this.lastSaveMs * 20), Math.max(base, 15_000));
    this.autoSaveTimer = setTimeout(() => {
      this.autoSaveTimer = undefined;
      this.flush().catch(() => undefined); // reported through the save-failed event and retried
    }, delay);
    (this.autoSaveTimer as { unref?: () => void }).unref?.();
  }

  private clearAutoSave(): void {
    if (this.autoSaveTimer) clearTimeout(this.autoSaveTimer);
    this.autoSaveTimer = undefined;
  }

  private emit(event: StoreEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`Telemetry store ${this.location} is closed`);
  }
}

async function loadDatabase(
  sql: SqlJsStatic,
  backend: StorageBackend,
  maxBytes: number,
  integrityCheck?: (bytes: Uint8Array) => Promise<string>,
): Promise<{ db: Database; created: boolean; verify: () => Promise<void>; blockedMs: number }> {
  const bytes = await backend.read();
  if (!bytes || bytes.length === 0) {
    const db = new sql.Database();
    prepareSchema(db, backend.location);
    return { db, created: true, verify: () => Promise.resolve(), blockedMs: 0 };
  }
  if (bytes.length > maxBytes) {
    throw new TelemetryFileError(
      backend.location,
      'too-large',
      `is ${(bytes.length / 1048576).toFixed(0)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit (setting adaptiveRouting.maxFileSizeMB). Raise the limit or move the file aside.`,
    );
  }
  checkHeader(backend.location, bytes);
  let db: Database;
  let blockedMs = 0;
  try {
    const started = Date.now();
    db = new sql.Database(bytes);
    blockedMs = Date.now() - started;
  } catch (error) {
    throw new TelemetryFileError(backend.location, 'corrupt', `cannot be opened (${(error as Error).message}). Move it aside to start a new one.`);
  }
  // Deferred check, on the bytes as read (the in-memory database may change meanwhile).
  const verify = () =>
    integrityCheck
      ? integrityCheck(new Uint8Array(bytes)).then(
          (result) => {
            if (result !== 'ok') throw damaged(backend.location, result);
          },
          (error: Error) => {
            throw damaged(backend.location, `the integrity check could not run: ${error.message}`);
          },
        )
      : Promise.resolve();
  try {
    await yieldToEventLoop();
    const started = Date.now();
    const created = prepareSchema(db, backend.location, { quickCheck: !integrityCheck });
    return { db, created, verify, blockedMs: Math.max(blockedMs, Date.now() - started) };
  } catch (error) {
    db.close();
    if (error instanceof TelemetryFileError) throw error;
    throw new TelemetryFileError(backend.location, 'corrupt', `cannot be read (${(error as Error).message}). Move it aside to start a new one.`);
  }
}

function rowToCall(r: SqlValue[]): LlmCall {
  const bool = (v: SqlValue) => (v == null ? null : Number(v) === 1);
  const num = (v: SqlValue) => (v == null ? null : Number(v));
  return {
    id: Number(r[0]),
    ts: Number(r[1]),
    workflow: String(r[2]),
    stage: String(r[3]),
    tier: r[4] == null ? null : (TIERS[Number(r[4])] ?? null),
    model: String(r[5]),
    provider: r[6] == null ? null : String(r[6]),
    cost: num(r[7]),
    inputTokens: num(r[8]),
    outputTokens: num(r[9]),
    durationMs: num(r[10]),
    success: bool(r[11]),
    error: r[12] == null ? null : String(r[12]),
    cacheHit: bool(r[13]),
  };
}

function toAggregate(model: string, t: DayCounter): ModelAggregate {
  return {
    model,
    calls: t.calls,
    successes: t.successes,
    costSum: t.costSum,
    costKnown: t.costKnown,
    latencySum: t.latencySum,
    latencyKnown: t.latencyKnown,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    tier: t.lastTier == null ? null : (TIERS[t.lastTier] ?? null),
  };
}

/** Lets other work run (timers, I/O, other extensions) between the steps of a long job. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
