import * as vscode from 'vscode';
import type { AdaptiveModelRouter } from '../../core/routing/router';
import { createRoutingSetup, stageTargetsFrom, type RoutingSetupOptions } from '../../core/routing/routingSetup';
import { ModelRegistry, RegistryData } from '../../core/routing/registry';
import type { TelemetryStore } from '../../core/store/telemetryStore';
import { addDecisions, buildOverviewInSlices, OverviewTiming, StageTargets, WorkflowOverview } from '../../core/stats/overview';
import { recommendStage, StageRecommendation } from '../../core/routing/recommendation';
import { RANGE_LABELS, TimeRange, rangeDays, readSettings } from '../settings';
import type { DeclarationIndex } from '../diagnostics/declarationIndex';
import { WorkflowsManifest } from './workflowsManifest';
import { RegistryCache } from './registryCache';
import { TelemetryFile } from './telemetryFile';
import { windowStart } from '../../core/timeWindow';

const RANGE_KEY = 'adaptiveRouting.timeRange';

/**
 * What the surfaces read from the workspace's telemetry file (`file`): the time range, the router
 * set up from the settings and the manifest, and one overview of every workflow and stage, worked
 * out once per change.
 */
export class TelemetryService implements vscode.Disposable {
  /** The telemetry file: its store, state, watching, imports and writes. */
  readonly file: TelemetryFile;
  /** The workflows manifest: targets, declared tiers, switched-off workflows, budgets, and its syntax problems. */
  readonly manifest: WorkflowsManifest;
  private overviewCache: WorkflowOverview[] | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private routerCache: { store: TelemetryStore; router: AdaptiveModelRouter; made: number } | undefined;
  /** The manifest read for the file open now (the router waits for it). */
  private manifestLoaded: Promise<void> = Promise.resolve();
  /** How long the last overview and its decisions took, for the log and the extension benchmark. */
  timings: { overview?: OverviewTiming; decisions?: OverviewTiming } = {};
  private decisionsReady: Promise<WorkflowOverview[]> | undefined;
  private overviewBuilding: Promise<WorkflowOverview[]> | undefined;
  /** Bumped by every invalidation: an overview built across one is not kept. */
  private generation = 0;
  private readonly registryCache: RegistryCache;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly declarations: DeclarationIndex,
  ) {
    this.file = new TelemetryFile(context, log);
    this.manifest = new WorkflowsManifest(log);
    this.registryCache = new RegistryCache(context.globalState, log);
    this.disposables.push(
      this.changed,
      this.manifest,
      this.file.onDidChange((change) => {
        if (change.kind === 'calls') return this.invalidate(change.immediate);
        // A file opened (or a manifest changed on disk): its manifest read before the router is set up again.
        if (change.kind === 'manifest' || (change.kind === 'state' && this.file.current)) this.manifestLoaded = this.loadManifest();
        this.routerCache = undefined;
        this.invalidate(change.immediate);
      }),
      // A tier rewritten in a workflow file (a quick fix, an edit) changes what every surface says.
      declarations.onDidChange(() => this.invalidate(true)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('adaptiveRouting')) {
          this.routerCache = undefined;
          this.invalidate();
        }
      }),
    );
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

  /** The manifest as read for the file open now (once it is read). */
  async loadedManifest(): Promise<WorkflowsManifest> {
    await this.file.ensureOpen();
    await this.manifestLoaded;
    return this.manifest;
  }

  get registry(): ModelRegistry {
    return this.registryCache.get();
  }

  async setRegistry(data: RegistryData | undefined): Promise<void> {
    await this.registryCache.set(data);
    this.routerCache = undefined;
    this.invalidate();
  }

  /**
   * Test hook: shifts the clock the store, its routers and budgets read, so a host test can stand in
   * another period without waiting (never set outside tests).
   */
  setClockOffsetForTests(ms: number): void {
    this.file.clockOffsetMs = ms;
    this.routerCache = undefined;
    this.invalidate();
  }

  /** The router for the current settings, manifest and time range (kept: it caches per-workflow records). */
  async router(): Promise<AdaptiveModelRouter | undefined> {
    const store = await this.file.ensureOpen();
    if (!store) return undefined;
    await this.manifestLoaded;
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
    const settings = readSettings(this.file.uri);
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
    this.overviewBuilding ??= this.buildOverviewOfCurrentFile().finally(() => (this.overviewBuilding = undefined));
    return this.overviewBuilding;
  }

  /** The overview; empty when the file was closed (reopened, moved aside) while it was built: the change that closed it builds it again. */
  private async buildOverviewOfCurrentFile(): Promise<WorkflowOverview[]> {
    const store = await this.file.ensureOpen();
    if (!store) return [];
    try {
      return await this.buildOverview(store);
    } catch (error) {
      if (store !== this.file.current) return [];
      throw error;
    }
  }

  /**
   * First pass: statistics and verdicts (from the daily counters, quick even on a large file).
   * The route() best guesses follow in a second pass, and the surfaces refresh when they arrive.
   */
  private async buildOverview(store: TelemetryStore): Promise<WorkflowOverview[]> {
    const router = await this.router();
    if (!router) return [];
    await this.declarations.ready();
    const generation = this.generation;
    const targets = (workflow: string, stage: string) => this.stageTargets(workflow, stage);
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
    // A small file is done in one pass; a large one shows its numbers first.
    const large = store.callCount() > 50_000;
    const { overview, timing } = await buildOverviewInSlices(store, router, targets, pause, { decisions: !large });
    this.timings.overview = timing;
    if (timing.totalMs > 200) this.log.info(`Routing overview: ${timing.totalMs} ms in ${timing.slices} slices (longest ${timing.longestSliceMs} ms)`);
    if (this.file.state === 'ready' || this.file.state === 'empty') this.file.state = overview.length > 0 || store.callCount() > 0 ? 'ready' : 'empty';
    if (store !== this.file.current || generation !== this.generation) return overview;
    this.overviewCache = overview;
    if (large) {
      this.decisionsReady = addDecisions(overview, router, targets, pause).then(({ overview: complete, timing: t }) => {
        this.timings.decisions = t;
        if (store === this.file.current && generation === this.generation) {
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
    if (!router) throw new Error(this.file.error?.message ?? vscode.l10n.t('No workspace folder is open: there is no telemetry.'));
    await this.declarations.ready();
    return recommendStage(router, workflow, stage, this.stageTargets(workflow, stage));
  }

  /** p95 latency per model of one stage in the current range (read when the stage is expanded). */
  async stageP95(workflow: string, stage: string): Promise<Map<string, number>> {
    const store = await this.file.ensureOpen();
    const router = await this.router();
    if (!store || !router) return new Map();
    const since = windowStart(store.now().getTime(), router.days);
    return store.latencyQuantiles({ workflow, stage, since }, 0.95);
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
    await this.file.dispose();
  }
}
