import * as vscode from 'vscode';
import { counted } from '../core/text';
import { AdaptiveModelRouter } from '../core/router';
import { ModelRegistry, RegistryData } from '../core/registry';
import { TelemetryStore } from '../core/telemetryStore';
import { TelemetryFileError } from '../core/schema';
import { addDecisions, buildOverviewInSlices, OverviewTiming, StageTargets, WorkflowOverview } from '../core/overview';
import { importJsonlBytes, isRotatedSibling, ImportReport, resumeOffset, sortRotated } from '../core/importers';
import { ManifestProblem, parseWorkflowsManifest, positionAt, TierDeclaration, WorkflowSettings } from '../core/declarations';
import { recommendStage, StageRecommendation } from '../core/recommendation';
import type { LlmCall, LlmCallInput } from '../core/types';
import { RANGE_LABELS, TimeRange, rangeDays, readSettings } from './settings';
import type { DeclarationIndex } from './declarationIndex';
import { createIntegrityCheck, createLocalImporter, createStorageBackend } from './storageFactory';
import { windowStart } from '../core/timeWindow';

export type ServiceState = 'closed' | 'no-workspace' | 'empty' | 'ready' | 'error';

const RANGE_KEY = 'adaptiveRouting.timeRange';
const REGISTRY_KEY = 'adaptiveRouting.registryCache';

/**
 * Owns the workspace's telemetry store: opens it lazily, reloads it when another process writes,
 * imports the upstream logs, and keeps one overview that every surface reads.
 */
export class TelemetryService implements vscode.Disposable {
  private store: TelemetryStore | undefined;
  private opening: Promise<TelemetryStore | undefined> | undefined;
  private overviewCache: WorkflowOverview[] | undefined;
  private manifest: { workflows: WorkflowSettings[]; declarations: TierDeclaration[] } = { workflows: [], declarations: [] };
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
  /** The file watchers and poll of the current paths; replaced when a path setting changes. */
  private watchers: vscode.Disposable[] = [];
  /** The integrity check scheduled for the store opened last (one at a time, not one per open). */
  private verifyLater: ReturnType<typeof setTimeout> | undefined;
  /** Syntax problems of the workflows manifest, shown in the Problems panel. */
  private readonly manifestProblems = vscode.languages.createDiagnosticCollection('adaptiveRouting.manifest');
  private registryWarned = false;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly declarations: DeclarationIndex,
  ) {
    this.disposables.push(
      this.changed,
      this.manifestProblems,
      { dispose: () => this.stopWatching() },
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
    const cached = this.context.globalState.get<RegistryData>(REGISTRY_KEY);
    try {
      return cached ? new ModelRegistry(cached) : new ModelRegistry();
    } catch (error) {
      // Unusable cached data (an older format, a bad refresh): the built-in registry serves, and the log says why.
      if (!this.registryWarned) {
        this.registryWarned = true;
        this.log.warn(
          `The cached model registry cannot be used (${(error as Error).message}); using the built-in one. Run "Adaptive Routing: Refresh Model Registry" to replace it.`,
        );
      }
      return new ModelRegistry();
    }
  }

  async setRegistry(data: RegistryData | undefined): Promise<void> {
    await this.context.globalState.update(REGISTRY_KEY, data);
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
      this.verifyLater = setTimeout(() => store.verification.catch((error: Error) => this.failVerification(store, uri, error)), 2000);
      store.onDidChange((event) => event.kind === 'unreadable' && this.failVerification(store, uri, event.error));
      store.onDidChange((event) => {
        if (event.kind === 'save-failed') this.reportSaveFailure(store.location, event.error);
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
      void this.offerRecovery(uri, error as Error);
    }
    this.fire();
    return this.store;
  }

  private failVerification(store: TelemetryStore, uri: vscode.Uri, error: Error): void {
    if (this.store !== store) return;
    this.store = undefined;
    store.dispose();
    this.state = 'error';
    this.error = error;
    this.log.error(`Telemetry failed the integrity check: ${error.message}`);
    this.invalidate(true);
    void this.offerRecovery(uri, error);
  }

  private async offerRecovery(uri: vscode.Uri, error: Error): Promise<void> {
    if (!(error instanceof TelemetryFileError) || !this.trusted) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Adaptive Routing: {0}', error.message));
      return;
    }
    const moveAside = vscode.l10n.t('Move Aside and Start New');
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t('Adaptive Routing cannot use the telemetry file (statistics are off until it is fixed): {0}', error.message),
      moveAside,
      vscode.l10n.t('Open Settings'),
    );
    if (choice === moveAside) await this.moveAside();
    else if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'adaptiveRouting.telemetryPath');
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

  private saveFailureShown = false;

  /** Logged every time; shown once per session, since the store keeps retrying on its own. */
  private reportSaveFailure(location: string, error: Error): void {
    this.log.error(`Saving ${location} failed (the calls are kept and the save is retried): ${error.message}`);
    if (this.saveFailureShown) return;
    this.saveFailureShown = true;
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Adaptive Routing could not save telemetry ({0}). The calls are kept in memory and the save is retried.', error.message),
    );
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
    for (const d of this.watchers.splice(0)) d.dispose();
  }

  private startWatching(uri: vscode.Uri): void {
    if (this.watchers.length) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const pattern = folder
      ? new vscode.RelativePattern(folder, vscode.workspace.asRelativePath(uri, false))
      : new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop() ?? '');
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const onFileChanged = () => void this.reloadFromDisk();
    this.watchers.push(watcher, watcher.onDidChange(onFileChanged), watcher.onDidCreate(onFileChanged));
    // Watchers can miss events (network drives, some remotes): a slow poll catches up.
    const poll = setInterval(onFileChanged, 5000);
    this.watchers.push({ dispose: () => clearInterval(poll) });
    const manifestWatcher = vscode.workspace.createFileSystemWatcher(`**/${readSettings().workflowsFile.replace(/^\.\//, '')}`);
    const onManifest = () => void this.loadManifest().then(() => this.invalidate());
    this.watchers.push(
      manifestWatcher,
      manifestWatcher.onDidChange(onManifest),
      manifestWatcher.onDidCreate(onManifest),
      manifestWatcher.onDidDelete(onManifest),
    );
    for (const source of this.importSourceUris()) {
      const sourceWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(source, '..'), '*.jsonl'));
      const onSource = () => void (this.readOnly ? undefined : this.importConfiguredSources());
      this.watchers.push(sourceWatcher, sourceWatcher.onDidChange(onSource), sourceWatcher.onDidCreate(onSource));
    }
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

  private importSourceUris(): vscode.Uri[] {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const home = typeof process !== 'undefined' ? (process.env.HOME ?? process.env.USERPROFILE) : undefined;
    return readSettings(folder?.uri).importSources.flatMap((source) => {
      if (source.startsWith('~/')) return home ? [vscode.Uri.file(`${home}/${source.slice(2)}`)] : [];
      if (isAbsolute(source)) return [vscode.Uri.file(source)];
      return folder ? [vscode.Uri.joinPath(folder.uri, source)] : [];
    });
  }

  /** Imports the configured upstream logs (and rotated siblings) through the idempotent importers. */
  async importConfiguredSources(): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    for (const uri of this.importSourceUris()) reports.push(...(await this.importUri(uri, true)));
    const imported = reports.reduce((n, r) => n + r.imported, 0);
    if (imported > 0)
      this.log.info(
        `Imported ${counted(imported, 'call')} from ${reports
          .filter((r) => r.imported)
          .map((r) => r.source)
          .join(', ')}`,
      );
    return reports;
  }

  /** Imports one JSONL file (and its rotated siblings when asked); nothing for a missing file. */
  async importUri(uri: vscode.Uri, withRotated = false): Promise<ImportReport[]> {
    const store = await this.writableStore();
    const files = withRotated ? await this.rotatedFiles(uri) : [uri];
    const reports: ImportReport[] = [];
    const importLocal = createLocalImporter();
    for (const file of files) {
      // Local files are read from where the last import stopped, not whole (logs grow large).
      if (importLocal && file.scheme === 'file') {
        const report = await importLocal(store, file.fsPath);
        if (report) reports.push(report);
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(file);
      } catch {
        continue;
      }
      const source = file.toString(true);
      const from = resumeOffset(store.getImportProgress(source), bytes.subarray(0, 1024), bytes.length);
      reports.push(importJsonlBytes(store, source, bytes.subarray(from), from, bytes.subarray(0, 1024)));
    }
    if (reports.some((r) => r.imported > 0 || r.linesRead > 0)) await this.save();
    return reports;
  }

  private async rotatedFiles(uri: vscode.Uri): Promise<vscode.Uri[]> {
    const name = uri.path.split('/').pop() ?? '';
    const dir = vscode.Uri.joinPath(uri, '..');
    try {
      await vscode.workspace.fs.stat(dir); // a missing folder is normal (no upstream logs yet)
    } catch {
      return [uri];
    }
    try {
      const entries = await vscode.workspace.fs.readDirectory(dir);
      const siblings = sortRotated(entries.filter(([entry, type]) => type === vscode.FileType.File && isRotatedSibling(name, entry)).map(([entry]) => entry));
      return [...siblings.map((entry) => vscode.Uri.joinPath(dir, entry)), uri];
    } catch {
      return [uri];
    }
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
    const settings = readSettings(this.telemetryUri);
    const disabled = new Set(settings.disabledWorkflows);
    for (const w of this.manifest.workflows) if (!w.adaptive) disabled.add(w.workflow);
    const router = new AdaptiveModelRouter(store, {
      registry: this.registry,
      failureRateThreshold: settings.failureRateThreshold,
      minSampleSize: settings.minSampleSize,
      days: rangeDays(this.range),
      disabledWorkflows: disabled,
      explorationBudget: settings.explorationBudget,
    });
    this.routerCache = { store, router, made: Date.now() };
    return router;
  }

  /** A stage's targets: the manifest's, else the target setting; its tier wherever it is declared. */
  stageTargets(workflow: string, stage: string): StageTargets {
    const declared = this.manifest.declarations.find((d) => d.workflow === workflow && d.stage === stage);
    return {
      tier: this.declarations.find(workflow, stage)?.tier ?? declared?.tier,
      minSuccessRate: declared?.minSuccessRate ?? readSettings(this.telemetryUri).targetSuccessRate,
      maxCost: declared?.maxCost,
      maxLatencyMs: declared?.maxLatencyMs,
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

  /**
   * Reads the workflows manifest. A missing file is normal (it is optional); a file that cannot be
   * read is logged; syntax errors go to the Problems panel, and what parsed still applies.
   */
  private async loadManifest(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const uri = vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).workflowsFile);
    this.manifestProblems.clear();
    this.manifest = { workflows: [], declarations: [] };
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const parsed = parseWorkflowsManifest(text);
      this.manifest = { workflows: parsed.workflows, declarations: parsed.declarations };
      if (parsed.problems.length) {
        this.manifestProblems.set(
          uri,
          parsed.problems.map((p) => manifestDiagnostic(text, p)),
        );
        this.log.warn(`${vscode.workspace.asRelativePath(uri)}: ${parsed.errors.join('; ')}`);
      }
    } catch (error) {
      if (!(error instanceof vscode.FileSystemError && error.code === 'FileNotFound'))
        this.log.error(`Cannot read the workflows manifest ${uri.fsPath}: ${(error as Error).message}`);
    }
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

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function manifestDiagnostic(text: string, problem: ManifestProblem): vscode.Diagnostic {
  const start = positionAt(text, problem.offset);
  const end = positionAt(text, problem.offset + Math.max(problem.length, 1));
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(start.line, start.character, end.line, end.character),
    problem.message,
    vscode.DiagnosticSeverity.Error,
  );
  diagnostic.source = 'Adaptive Routing';
  return diagnostic;
}
