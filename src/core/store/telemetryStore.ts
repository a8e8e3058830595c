import type { Database, SqlJsStatic } from 'sql.js';
import { validateCall } from '../ingest/callValidation';
import { DailyCounters } from './dailyCounters';
import { DAY_MS, startsOnDay } from '../timeWindow';
import type { TelemetryFileError } from './schema';
import { loadSqlJs } from './sqlite';
import { FileStamp, MemoryBackend, StorageBackend, sameStamp } from './storage';
import { loadDatabase } from './fileLoad';
import { readHistoriesAhead } from './historyPrefetch';
import { SqlSession } from './sqlSession';
import { StoreReader } from './storeReader';
import { PendingCalls } from './pendingCalls';
import { insertPendingCalls } from './callInsert';
import { StoreQueries } from './storeQueries';
import { StageCall, StoreEvent, TelemetryStoreOptions } from './types';
import { TeamOutbox } from './teamOutbox';
import type { CallJournal } from './nodeCallJournal';
import type { Tier } from '../tiers';
import type { Clock, LlmCall, LlmCallInput } from '../types';

export type { CallScope, StageCall, StoreEvent, TelemetryStoreOptions } from './types';

const MATERIALIZE_BATCH = 100_000;
const DEFAULT_MAX_FILE = 256 * 1024 * 1024;

/**
 * SQLite telemetry of LLM calls, held in memory by sql.js and saved as a whole file.
 * Calls are validated at once, buffered, and inserted in batches before any query reads them.
 */
export class TelemetryStore extends StoreQueries {
  private pending = new PendingCalls();
  /** Calls inserted since the last completed save: re-applied when another writer changed the file. */
  private unsaved: LlmCall[] = [];
  /** Importer bookmarks set since the last save, re-applied like calls when merging. */
  private unsavedProgress = new Map<string, { offset: number; fingerprint: string }>();
  private readonly session: SqlSession;
  /** Ids, names, histories, count, daily counters and the queries over them: replaced whole when the database changes. */
  private reader: StoreReader;
  private knownStamp: FileStamp | undefined;
  private needsSave = false;
  private saving: Promise<void> | undefined;
  private autoSaveTimer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<(event: StoreEvent) => void>();
  private changes = 0;
  private closed = false;
  private lastRetention = -Infinity;
  private lastSaveMs = 0;
  /** Where `recordDurably` puts calls on disk before a save (local files); undefined elsewhere. */
  private journal: CallJournal | undefined;
  /** Starts (once) the integrity check of the loaded file and resolves when it passed; saves wait for it. */
  private verify: () => Promise<void> = () => Promise.resolve();
  readonly now: Clock;

  private constructor(
    db: Database,
    private readonly sql: SqlJsStatic,
    readonly backend: StorageBackend,
    private readonly options: TelemetryStoreOptions,
    counters?: DailyCounters,
  ) {
    super();
    this.now = options.now ?? (() => new Date());
    this.session = new SqlSession(db);
    this.reader = new StoreReader(this.session, counters ?? DailyCounters.load(db));
  }

  /** Opens (or prepares to create) the database behind a backend. Never writes a file it could not read. */
  static async open(backend: StorageBackend = new MemoryBackend(), options: TelemetryStoreOptions = {}): Promise<TelemetryStore> {
    const sql = await loadSqlJs(options.wasmBinary);
    const stamp = await backend.stat();
    const { db, created, verify, blockedMs } = await loadDatabase(sql, backend, options.maxFileBytes ?? DEFAULT_MAX_FILE, options.integrityCheck);
    // The daily counters of a large file are read in slices, so opening never holds the thread long.
    const { counters, longestSliceMs } = await DailyCounters.loadInSlices(db);
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
    if (options.journal !== false && backend.journal) {
      store.journal = backend.journal();
      // Calls a writer acknowledged and then crashed before saving: in memory now, in the file with the next save.
      const recovered = await store.journal.recover();
      if (recovered.length) {
        store.pending.addAll(recovered);
        store.materialize();
        store.needsSave = true;
        store.scheduleAutoSave();
      }
    }
    store.openBlockedMs = Math.max(blockedMs, longestSliceMs);
    if (options.prefetchHistories !== false && !created)
      store.prefetched = readHistoriesAhead(
        () => store.read(),
        () => store.closed,
      );
    return store;
  }

  /** How long opening held the thread in one stretch (parse, schema, counters, retention). */
  openBlockedMs = 0;

  /** Settles when the background read of stage histories after opening has finished (or stopped). */
  prefetched: Promise<void> = Promise.resolve();

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

  /**
   * Grows with every call added to `workflow`, and jumps whenever the database changed under the
   * store (a reload, a merge, retention): what a cache of one workflow's records is keyed on, so
   * that calls of other workflows do not make it stale.
   */
  workflowVersion(workflow: string): number {
    // Pending calls count without being inserted: a decision asks this, and must not wait on SQLite.
    return this.reader.generation * 2 ** 32 + this.reader.addedTo(workflow) + this.pending.countIn(workflow);
  }

  /** Grows with every call tracked, inserted yet or not, and jumps on reload: a staleness check that never waits on SQLite. */
  get trackedVersion(): number {
    return this.reader.generation * 2 ** 32 + this.changes + this.pending.size;
  }

  get location(): string {
    return this.backend.location;
  }

  /** The stages whose recent calls are in memory (read by a decision or after opening), as [workflow, stage]. */
  cachedStages(): Array<[workflow: string, stage: string]> {
    return this.reader.cachedStages();
  }

  onDidChange(listener: (event: StoreEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Records one call. Throws InvalidCallError (naming the field) before anything is written. */
  trackLlmCall(input: LlmCallInput): LlmCall {
    this.assertOpen();
    const call = validateCall(input, this.now);
    this.pending.add(call, input.id == null ? this.reader : undefined);
    if (this.pending.size >= MATERIALIZE_BATCH) this.materialize();
    this.scheduleAutoSave();
    return call;
  }

  /** Records many calls; all are validated first, so one bad call stores none. */
  trackLlmCalls(inputs: LlmCallInput[]): LlmCall[] {
    this.assertOpen();
    const calls = inputs.map((input) => validateCall(input, this.now));
    this.pending.addAll(calls);
    this.materialize();
    this.scheduleAutoSave();
    return calls;
  }

  /**
   * Records calls and resolves once they are on disk: appended to this writer's journal and synced
   * (local files), else saved with the file. What a receiver acknowledges only after this survives a
   * crash; the normal save takes the calls into the file later.
   */
  async recordDurably(inputs: LlmCallInput[]): Promise<LlmCall[]> {
    const calls = this.trackLlmCalls(inputs);
    if (this.journal) await this.journal.append(calls);
    else await this.flush();
    return calls;
  }

  /** Calls another machine recorded (team sync): stored as they are, ids included, never pushed back. */
  trackPulledCalls(calls: LlmCall[]): void {
    this.assertOpen();
    for (const call of calls) this.session.pulled.add(call);
    this.pending.addAll(calls);
    this.materialize();
    this.scheduleAutoSave();
  }

  /** The team sync's outbox in this file: the calls the team database may not have yet. */
  teamOutbox(): TeamOutbox {
    this.materialize();
    this.needsSave = true; // what the sync changes (outbox rows, its bookmarks) is saved with the file
    return new TeamOutbox(this.session);
  }

  /** Whether there are calls not yet saved to the file. */
  get dirty(): boolean {
    return this.needsSave || this.pending.size > 0 || this.unsaved.length > 0;
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
      this.transaction(() => this.reader.counters.writeDirty(this.session.db));
      const savedCount = this.unsaved.length;
      // In the same turn as the export: every journal line sealed is of a call the export holds.
      this.journal?.seal();
      await this.backend.write(this.exportBytes());
      await this.journal?.commit();
      await this.journal?.forgetRecovered();
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
    this.pending.addAll(this.unsaved);
    this.unsaved = [];
    this.materialize();
    for (const [source, p] of this.unsavedProgress) this.writeProgress(source, p.offset, p.fingerprint);
    this.knownStamp = stamp;
    if (this.unsaved.length > 0) this.scheduleAutoSave();
    this.changes += 1_000_000; // a reload can change anything: caches keyed on this start over
    this.emit({ kind: 'reloaded' });
  }

  private replaceDatabase(db: Database): void {
    this.session.replace(db);
    this.forgetDerivedState();
  }

  /** Drops everything built from the database: a new reader starts from the database as it is. */
  private forgetDerivedState(): void {
    this.reader = new StoreReader(this.session, DailyCounters.load(this.session.db));
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
    const stageIds = this.session.all('SELECT id FROM stages', []).map((r) => Number(r[0]));
    let deleted = 0;
    this.transaction(() => {
      for (const stageId of stageIds) {
        this.session.run('DELETE FROM calls WHERE stage_id = ? AND ts < ?', [stageId, cutoff]);
        deleted += this.session.db.getRowsModified();
      }
    });
    if (deleted === 0) return 0;
    // Histories and the count are stale; the daily counters keep the deleted calls' totals.
    this.reader = new StoreReader(this.session, this.reader.counters);
    this.changes += deleted;
    const remaining = this.callCount();
    if (deleted > remaining * 0.2) this.session.vacuum();
    return deleted;
  }

  private transaction(work: () => void): void {
    this.session.transaction(work);
  }

  /** Flushes and releases the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      await this.journal?.close();
      this.dispose();
    }
  }

  /** Releases without saving: for read-only views of files we must not write. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    // What was journalled and not saved stays on disk, replayed at the next open.
    void this.journal?.close();
    this.clearAutoSave();
    this.session.close();
    this.listeners.clear();
  }

  /** The database bytes as they would be saved. */
  exportBytes(): Uint8Array {
    this.materialize();
    return this.session.exportBytes();
  }

  // ---- queries: pending calls are inserted first, then the reader answers ----------------------

  /** Calls and successes per (stage, model) of a workflow since `since`. */
  stageModelRecords(workflow: string, since: number): Array<{ stage: string; model: string; tier: Tier | null; calls: number; successes: number }> {
    // From whole days these are the daily counters alone, which already count the workflow's pending
    // calls unless one is late: a decision reading its priors then does not wait for their insert.
    return (startsOnDay(since) && !this.pending.isWorkflowLate(workflow) ? this.reader : this.read()).stageModelRecords(workflow, since);
  }

  /** The `limit` most recent calls of one stage, newest first, from memory after the first read. */
  recentStageCalls(workflow: string, stage: string, limit: number, cache = true): StageCall[] {
    // A decision after a tracked call is served from memory: the call went into the cached history
    // when tracked, and its insert waits for the next query or save (write-behind).
    const cached = this.pending.isLate(workflow, stage) ? undefined : this.reader.cachedStageCalls(workflow, stage, limit);
    return cached ?? this.read().recentStageCalls(workflow, stage, limit, cache);
  }

  protected read(): StoreReader {
    this.assertOpen(); // a closed store says so, rather than SQLite's "out of memory" from a freed database
    this.materialize();
    return this.reader;
  }

  /** Importer bookmarks, kept in the database so they travel with it. */
  getImportProgress(source: string): { offset: number; fingerprint: string } | undefined {
    const row = this.session.all('SELECT offset, fingerprint FROM import_progress WHERE source = ?', [source])[0];
    return row ? { offset: Number(row[0]), fingerprint: String(row[1]) } : undefined;
  }

  setImportProgress(source: string, offset: number, fingerprint: string): void {
    this.writeProgress(source, offset, fingerprint);
    this.unsavedProgress.set(source, { offset, fingerprint });
    this.needsSave = true;
  }

  private writeProgress(source: string, offset: number, fingerprint: string): void {
    this.session.run('INSERT OR REPLACE INTO import_progress (source, offset, fingerprint) VALUES (?, ?, ?)', [source, offset, fingerprint]);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Inserts buffered calls in one transaction; duplicates (same id) are ignored. */
  private materialize(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending.take();
    let added = 0;
    try {
      this.transaction(() => (added = insertPendingCalls(this.session, this.reader, this.pending, batch)));
    } catch (error) {
      // Rolled back: ids, histories and counters may hold what was undone.
      this.forgetDerivedState();
      this.pending.putBack(batch);
      throw error;
    }
    for (const call of batch) this.unsaved.push(call);
    this.changes += added;
    if (this.reader.knownCount !== undefined) this.reader.knownCount += added;
    if (added > 0) this.emit({ kind: 'calls', added });
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
