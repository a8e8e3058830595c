import * as vscode from 'vscode';
import type { AdaptiveModelRouter } from '../../core/routing/router';
import { createRoutingSetup, stageTargetsFrom, type RoutingSetupOptions } from '../../core/routing/routingSetup';
import { ModelRegistry, RegistryData } from '../../core/routing/registry';
import { TelemetryStore } from '../../core/store/telemetryStore';
import { addDecisions, buildOverviewInSlices, OverviewTiming, StageTargets, WorkflowOverview } from '../../core/stats/overview';
import type { ImportReport } from '../../core/ingest/importers';
import { recommendStage, StageRecommendation } from '../../core/routing/recommendation';
import type { LlmCall, LlmCallInput } from '../../core/types';
import { RANGE_LABELS, TimeRange, rangeDays, readSettings } from '../settings';
import type { DeclarationIndex } from '../diagnostics/declarationIndex';
import { createIntegrityCheck, createStorageBackend } from './storageFactory';
import { LogImports, isAbsolute } from './logImports';
import { WorkflowsManifest } from './workflowsManifest';
import { FileWatchers } from './fileWatchers';
import { RegistryCache } from './registryCache';
import { SaveFailureReporter, offerRecovery } from './recoveryPrompts';
import { windowStart } from '../../core/timeWindow';

export type ServiceState = 'closed' | 'no-workspace' | 'empty' | 'ready' | 'error';

const RANGE_KEY = 'adaptiveRouting.timeRange';

/**
 * Owns the workspace's telemetry store: opens it lazily, reloads it when another process writes,
 * imports the upstream logs, and keeps one overview that every surface reads.
 */
export class TelemetryService implements vscode.Disposable {
  private store: TelemetryStore | undefined;
  private opening: Promise<TelemetryStore | undefined> | undefined;
  private overviewCache: WorkflowOverview[] | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private wasmBytes: Uint8Array | undefined;
  private routerCache: { store: TelemetryStore; router: AdaptiveModelRouter; made: number } | undefined;
  state: ServiceState = 'closed';
  error: Error | undefined;
  /** How long the last load and overview took, for the log and the extension benchmark. */
  timings: { openMs?: number; openBlockedMs?: number; overview?: OverviewTiming; decisions?: OverviewTiming } = {};
  private decisionsReady: Promise<WorkflowOverview[]> | undefined;
  private overviewBuilding: Promise<WorkflowOverview[]> | undefined;
  /** Bumped by every invalidation: an overview built across one is not kept. */
  private generation = 0;
  /** The file watchers and poll of the current paths; restarted when a path setting changes. */
  private readonly watchers = new FileWatchers();
  private readonly saveFailures: SaveFailureReporter;
  /** The integrity check scheduled for the store opened last (one at a time, not one per open). */
  private verifyLater: ReturnType<typeof setTimeout> | undefined;
  /** Syntax problems of the workflows manifest, shown in the Problems panel. */
  /** The workflows manifest: targets, declared tiers, switched-off workflows, and its syntax problems. */
  readonly manifest: WorkflowsManifest;
  /** The upstream framework's logs, imported into the store. */
  private readonly imports: LogImports;
  private readonly registryCache: RegistryCache;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly declarations: DeclarationIndex,
  ) {
    this.manifest = new WorkflowsManifest(log);
    this.saveFailures = new SaveFailureReporter(log);
    this.registryCache = new RegistryCache(context.globalState, log);
    this.imports = new LogImports(
      log,
      () => this.writableStore(),
      () => this.save(),
    );
    this.disposables.push(
      this.changed,
      this.manifest,
      this.watchers,
      // A tier rewritten in a workflow file (a quick fix, an edit) changes what every surface says.
      declarations.onDidChange(() => this.invalidate(true)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('adaptiveRouting.telemetryPath') || e.affectsConfiguration('adaptiveRouting.maxFileSizeMB')) void this.reopen();
        else if (e.affectsConfiguration('adaptiveRouting.importSources') || e.affectsConfiguration('adaptiveRouting.workflowsFile')) void this.rewatch();
        else if (e.affectsConfiguration('adaptiveRouting')) {
          this.routerCache = undefined;
          this.invalidate();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reopen()),
    );
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Writes (imports, samples, quick fixes, tracking) need a trusted workspace and a readable file. */
  get readOnly(): boolean {
    return !this.trusted || this.state === 'error';
  }

  get range(): TimeRange {
    return this.context.workspaceState.get<TimeRange>(RANGE_KEY) ?? '7d';
  }

  get rangeLabel(): string {
    return RANGE_LABELS[this.range];
  }

  async setRange(range: TimeRange): Promise<void> {
    await this.context.workspaceState.update(RANGE_KEY, range);
    this.routerCache = undefined;
    this.invalidate();
  }

  get telemetryUri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const configured = readSettings(folder.uri).telemetryPath;
    return isAbsolute(configured) ? folder.uri.with({ path: configured.replace(/\\/g, '/') }) : vscode.Uri.joinPath(folder.uri, configured);
  }

  get registry(): ModelRegistry {
    return this.registryCache.get();
  }

  /**
   * Test hook: shifts the clock the store, its routers and budgets read, so a host test can stand in
   * another period without waiting (never set outside tests).
   */
  private clockOffsetMs = 0;

  setClockOffsetForTests(ms: number): void {
    this.clockOffsetMs = ms;
    this.routerCache = undefined;
    this.invalidate();
  }

  async setRegistry(data: RegistryData | undefined): Promise<void> {
    await this.registryCache.set(data);
    this.routerCache = undefined;
    this.invalidate();
  }

  /** Opens the store on first use. Resolves undefined when there is no workspace or the file is unreadable. */
  ensureOpen(): Promise<TelemetryStore | undefined> {
    if (this.store) return Promise.resolve(this.store);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<TelemetryStore | undefined> {
    const uri = this.telemetryUri;
    if (!uri) {
      this.state = 'no-workspace';
      this.fire();
      return undefined;
    }
    const settings = readSettings(uri);
    try {
      this.wasmBytes ??= await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'sql-wasm.wasm'));
      const openStarted = Date.now();
      const store = await TelemetryStore.open(createStorageBackend(uri), {
        wasmBinary: this.wasmBytes,
        autoSaveMs: 1000,
        now: () => new Date(Date.now() + this.clockOffsetMs),
        maxFileBytes: settings.maxFileSizeMB * 1024 * 1024,
        retentionDays: settings.retentionDays,
        integrityCheck: createIntegrityCheck(),
      });
      this.timings.openMs = Date.now() - openStarted;
      this.timings.openBlockedMs = store.openBlockedMs;
      this.store = store;
      this.error = undefined;
      // The integrity check runs in a worker once startup has settled (a save starts it sooner);
      // a damaged file is dropped and never written over.
      if (this.verifyLater) clearTimeout(this.verifyLater);
      this.verifyLater = setTimeout(() => store.verification.catch((error: Error) => this.failVerification(store, error)), 2000);
      store.onDidChange((event) => event.kind === 'unreadable' && this.failVerification(store, event.error));
      store.onDidChange((event) => {
        if (event.kind === 'save-failed') this.saveFailures.report(store.location, event.error);
        if (event.kind === 'calls' || event.kind === 'reloaded') this.invalidate();
      });
      this.log.info(
        `Opened telemetry ${store.location} (${store.callCount()} calls) in ${this.timings.openMs} ms${this.trusted ? '' : '; read-only: the workspace is not trusted'}`,
      );
      this.state = store.callCount() > 0 ? 'ready' : 'empty';
      this.startWatching(uri);
      await this.loadManifest();
      if (!this.readOnly) void this.importConfiguredSources();
    } catch (error) {
      this.state = 'error';
      this.error = error as Error;
      this.log.error(`Cannot open telemetry: ${(error as Error).message}`);
      void offerRecovery(error as Error, this.trusted, () => this.moveAside());
    }
    this.fire();
    return this.store;
  }

  private failVerification(store: TelemetryStore, error: Error): void {
    if (this.store !== store) return;
    this.store = undefined;
    store.dispose();
    this.state = 'error';
    this.error = error;
    this.log.error(`Telemetry failed the integrity check: ${error.message}`);
    this.invalidate(true);
    void offerRecovery(error, this.trusted, () => this.moveAside());
  }

  /**
   * Renames an unreadable telemetry file to `<name>.unreadable-<time>` (kept for recovery with
   * sqlite3) and starts a new one. Returns the new name of the old file.
   */
  async moveAside(): Promise<vscode.Uri | undefined> {
    const uri = this.telemetryUri;
    if (!uri || this.state !== 'error' || !this.trusted) return undefined;
    const aside = uri.with({ path: `${uri.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}` });
    await vscode.workspace.fs.rename(uri, aside, { overwrite: false });
    this.log.warn(`Moved ${uri.toString(true)} aside to ${aside.toString(true)}`);
    await this.reopen();
    return aside;
  }

  /** Closes and reopens, for a new path or after the trust changed. */
  async reopen(): Promise<void> {
    this.stopWatching();
    await this.closeStore();
    this.state = 'closed';
    await this.ensureOpen();
  }

  private async closeStore(): Promise<void> {
    if (this.verifyLater) clearTimeout(this.verifyLater);
    this.verifyLater = undefined;
    const store = this.store;
    this.store = undefined;
    this.overviewCache = undefined;
    if (!store) return;
    if (this.readOnly) store.dispose();
    else await store.close().catch((error: Error) => this.log.error(`Saving telemetry on close failed: ${error.message}`));
  }

  /** Watches the paths the settings name now: after a change of importSources or workflowsFile, the new ones. */
  private async rewatch(): Promise<void> {
    this.stopWatching();
    const uri = this.telemetryUri;
    if (this.store && uri) this.startWatching(uri);
    await this.loadManifest();
    this.invalidate();
    if (!this.readOnly && this.store) void this.importConfiguredSources();
  }

  private stopWatching(): void {
    this.watchers.stop();
  }

  private startWatching(uri: vscode.Uri): void {
    this.watchers.start(uri, this.imports.sourceUris(), {
      telemetryChanged: () => void this.reloadFromDisk(),
      manifestChanged: () => void this.loadManifest().then(() => this.invalidate()),
      sourceChanged: () => void (this.readOnly ? undefined : this.importConfiguredSources()),
    });
  }

  /** Picks up what another process wrote; our own saves are recognised by their stamp and ignored. */
  async reloadFromDisk(): Promise<void> {
    const store = this.store;
    if (!store) {
      if (this.state === 'error') return;
      if (this.state !== 'closed') await this.reopen();
      return;
    }
    try {
      if (await store.reloadIfChanged()) {
        this.log.info(`Reloaded ${store.location}: changed by another process`);
        this.invalidate(true);
      }
    } catch (error) {
      this.log.error(`Reloading telemetry failed: ${(error as Error).message}`);
    }
  }

  /** Imports the configured upstream logs (and rotated siblings) through the idempotent importers. */
  importConfiguredSources(): Promise<ImportReport[]> {
    return this.imports.importConfigured();
  }

  /** Imports one JSONL file (and its rotated siblings when asked); nothing for a missing file. */
  importUri(uri: vscode.Uri, withRotated = false): Promise<ImportReport[]> {
    return this.imports.importUri(uri, withRotated);
  }

  async trackLlmCall(call: LlmCallInput): Promise<LlmCall> {
    return (await this.writableStore()).trackLlmCall(call);
  }

  /** Calls in the file, all time, and when the latest was made (undefined until the file is open). */
  storedCalls(): { count: number; latest: Date | undefined } | undefined {
    if (!this.store) return undefined;
    const count = this.store.callCount();
    const latest = count ? this.store.lastCall()?.ts : undefined;
    return { count, latest: latest == null ? undefined : new Date(latest) };
  }

  async trackLlmCalls(calls: LlmCallInput[]): Promise<LlmCall[]> {
    const store = await this.writableStore();
    const tracked = store.trackLlmCalls(calls);
    await this.save();
    return tracked;
  }

  /** Records calls and resolves once they are on disk (the store's journal), without waiting for a whole-file save. */
  async recordDurably(calls: LlmCallInput[]): Promise<LlmCall[]> {
    const store = await this.writableStore();
    return store.recordDurably(calls);
  }

  /** Saves now; failures are logged and retried by the store's timer, never dropped. */
  async save(): Promise<void> {
    if (!this.store || this.readOnly) return;
    await this.store.flush();
  }

  private assertWritable(): void {
    if (!this.trusted)
      throw new Error(
        vscode.l10n.t('Restricted Mode: Adaptive Routing does not write telemetry in an untrusted workspace. Trust the workspace to record or import calls.'),
      );
    if (this.state === 'error') throw new Error(vscode.l10n.t('The telemetry file cannot be used: {0}', this.error?.message ?? ''));
  }

  /** The store, open and writable (trusted workspace, readable file), or a clear error. */
  private async writableStore(): Promise<TelemetryStore> {
    this.assertWritable();
    const store = await this.ensureOpen();
    if (!store) throw new Error(this.error?.message ?? vscode.l10n.t('No workspace folder is open: there is no telemetry file to record into.'));
    return store;
  }

  /** The router for the current settings, manifest and time range (kept: it caches per-workflow records). */
  async router(): Promise<AdaptiveModelRouter | undefined> {
    const store = await this.ensureOpen();
    if (!store) return undefined;
    if (this.routerCache?.store === store && (this.range !== 'today' || Date.now() - this.routerCache.made < 60_000)) return this.routerCache.router;
    const { router } = createRoutingSetup(store, this.routingOptions());
    this.routerCache = { store, router, made: Date.now() };
    return router;
  }

  /** A stage's targets: the manifest's, else the target setting; its tier wherever it is declared. */
  stageTargets(workflow: string, stage: string): StageTargets {
    return stageTargetsFrom(this.routingOptions())(workflow, stage);
  }

  /** What routing is set up from here: the manifest, the settings, and tiers declared in workflow files (the CLI and serve set theirs up the same way). */
  private routingOptions(): RoutingSetupOptions {
    const settings = readSettings(this.telemetryUri);
    return {
      manifest: this.manifest.routing,
      settings: {
        registry: this.registry,
        failureRateThreshold: settings.failureRateThreshold,
        minSampleSize: settings.minSampleSize,
        days: rangeDays(this.range),
        explorationBudget: settings.explorationBudget,
        target: settings.targetSuccessRate,
        disabledWorkflows: settings.disabledWorkflows,
        budgets: this.manifest.settingBudgets(settings.budget, this.log),
      },
      declaredTier: (workflow, stage) => this.declarations.find(workflow, stage)?.tier,
    };
  }

  /** Statistics of every workflow and stage, computed once per change, in slices that yield to other work. */
  async overview(): Promise<WorkflowOverview[]> {
    if (this.overviewCache) return this.overviewCache;
    this.overviewBuilding ??= this.buildOverview().finally(() => (this.overviewBuilding = undefined));
    return this.overviewBuilding;
  }

  /**
   * First pass: statistics and verdicts (from the daily counters, quick even on a large file).
   * The route() best guesses follow in a second pass, and the surfaces refresh when they arrive.
   */
  private async buildOverview(): Promise<WorkflowOverview[]> {
    const store = await this.ensureOpen();
    const router = await this.router();
    if (!store || !router) return [];
    await this.declarations.ready();
    const generation = this.generation;
    const targets = (workflow: string, stage: string) => this.stageTargets(workflow, stage);
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
    // A small file is done in one pass; a large one shows its numbers first.
    const large = store.callCount() > 50_000;
    const { overview, timing } = await buildOverviewInSlices(store, router, targets, pause, { decisions: !large });
    this.timings.overview = timing;
    if (timing.totalMs > 200) this.log.info(`Routing overview: ${timing.totalMs} ms in ${timing.slices} slices (longest ${timing.longestSliceMs} ms)`);
    this.state = overview.length > 0 || store.callCount() > 0 ? 'ready' : 'empty';
    if (store !== this.store || generation !== this.generation) return overview;
    this.overviewCache = overview;
    if (large) {
      this.decisionsReady = addDecisions(overview, router, targets, pause).then(({ overview: complete, timing: t }) => {
        this.timings.decisions = t;
        if (store === this.store && generation === this.generation) {
          this.overviewCache = complete;
          this.fire();
        }
        return complete;
      });
    } else this.decisionsReady = Promise.resolve(overview);
    return overview;
  }

  /** The overview once every stage has its route() best guess (what the status bar shows). */
  async overviewWithDecisions(): Promise<WorkflowOverview[]> {
    const first = await this.overview();
    if (first.every((w) => w.stages.every((s) => s.recommendation))) return first;
    return (await this.decisionsReady) ?? first;
  }

  /** The stage's recommendation (from the overview when it has the stage, else computed now). */
  async recommendation(workflow: string, stage: string): Promise<StageRecommendation> {
    const known = (await this.overviewWithDecisions()).find((w) => w.workflow === workflow)?.stages.find((s) => s.stage === stage)?.recommendation;
    if (known) return known;
    const router = await this.router();
    if (!router) throw new Error(this.error?.message ?? vscode.l10n.t('No workspace folder is open: there is no telemetry.'));
    await this.declarations.ready();
    return recommendStage(router, workflow, stage, this.stageTargets(workflow, stage));
  }

  /** p95 latency per model of one stage in the current range (read when the stage is expanded). */
  async stageP95(workflow: string, stage: string): Promise<Map<string, number>> {
    const store = await this.ensureOpen();
    const router = await this.router();
    if (!store || !router) return new Map();
    const since = windowStart(store.now().getTime(), router.days);
    return store.latencyQuantiles({ workflow, stage, since }, 0.95);
  }

  lastCall(): LlmCall | undefined {
    return this.store?.lastCall();
  }

  private async loadManifest(): Promise<void> {
    await this.manifest.load();
    this.routerCache = undefined;
  }

  /** Marks the overview stale and tells every surface, debounced so bursts of calls refresh once. */
  invalidate(immediate = false): void {
    this.overviewCache = undefined;
    this.overviewBuilding = undefined;
    this.generation++;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.fire(), immediate ? 0 : 150);
  }

  private fire(): void {
    this.refreshTimer = undefined;
    this.changed.fire();
  }

  async dispose(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    await this.closeStore();
  }
}
