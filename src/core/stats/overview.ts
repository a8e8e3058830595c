import { recommendStage, StageRecommendation, StageTargets } from '../routing/recommendation';
import type { AdaptiveModelRouter } from '../routing/router';
import type { ModelPerformance, TierUpgradeVerdict } from '../routing/routerTypes';
import type { TelemetryStore } from '../store/telemetryStore';
import { windowStart } from '../timeWindow';
import { NO_SPEND, Spend, addSpend, spendTotal } from './spend';

export type { StageTargets };

/** What the UI shows for one stage: statistics per model, the seed's verdict, the recommendation. */
export interface StageOverview {
  workflow: string;
  stage: string;
  calls: number;
  models: Array<ModelPerformance & { model: string; enoughData: boolean }>;
  /** The seed's recent-failure verdict (API contract); the surfaces follow `recommendation`. */
  verdict: TierUpgradeVerdict;
  /** The one recommendation for the stage; left out by a quick first pass (see addDecisions), filled in after. */
  recommendation?: StageRecommendation;
  /** What the stage's calls in the range cost (billed, estimated, unknown). */
  spend: Spend;
}

export interface WorkflowOverview {
  workflow: string;
  calls: number;
  stages: StageOverview[];
  /** Stages whose recommendation is a pricier tier than the one they run on. */
  upgradesNeeded: number;
  /** The sum of its stages' spend. */
  spend: Spend;
}

/** True when the stage's recommendation moves it to a pricier tier. */
export function needsUpgrade(stage: StageOverview): boolean {
  return stage.recommendation?.change === 'upgrade';
}

/**
 * One pass over the telemetry for every surface (tree, status bar, diagnostics, export), so that
 * they agree with each other and the work is done once per change.
 */
export function buildOverview(
  store: TelemetryStore,
  router: AdaptiveModelRouter,
  targets: (workflow: string, stage: string) => StageTargets = () => ({}),
  scope: OverviewScope = {},
): WorkflowOverview[] {
  const since = windowStart(store.now().getTime(), router.days);
  const workflows = store.workflows(since).filter((workflow) => !scope.workflows || scope.workflows.includes(workflow));
  return workflows.map((workflow) => workflowOverview(store, router, workflow, since, targets, recommending(router, scope)));
}

/** What a caller that needs part of the overview asks for (the CLI's --workflow and --stage). */
export interface OverviewScope {
  /** Only these workflows (the others are not read). */
  workflows?: readonly string[];
  /** Only this stage of each. */
  stage?: string;
  /** Recommendations the caller already worked out, used instead of working them out again. */
  recommendationOf?: (workflow: string, stage: string) => StageRecommendation | undefined;
}

type Recommending = (workflow: string, stage: string, target: StageTargets) => StageRecommendation | undefined;

function recommending(router: AdaptiveModelRouter, scope: OverviewScope): { stage?: string; recommend: Recommending } {
  return {
    stage: scope.stage,
    recommend: (workflow, stage, target) => scope.recommendationOf?.(workflow, stage) ?? recommendStage(router, workflow, stage, target),
  };
}

export interface OverviewTiming {
  totalMs: number;
  slices: number;
  longestSliceMs: number;
}

/**
 * The same overview built in slices of at most `sliceMs`, awaiting `pause` between them, so that a
 * large file never holds the extension host for long (other extensions keep responding).
 */
export async function buildOverviewInSlices(
  store: TelemetryStore,
  router: AdaptiveModelRouter,
  targets: (workflow: string, stage: string) => StageTargets,
  pause: () => Promise<void>,
  options: { decisions: boolean; sliceMs?: number },
): Promise<{ overview: WorkflowOverview[]; timing: OverviewTiming }> {
  const since = windowStart(store.now().getTime(), router.days);
  const overview: WorkflowOverview[] = [];
  const timing = await inSlices(
    store.workflows(since),
    (workflow) => overview.push(workflowOverview(store, router, workflow, since, targets, options.decisions ? recommending(router, {}) : {})),
    pause,
    options.sliceMs,
  );
  return { overview, timing };
}

/**
 * Second pass: the route() best guess of every stage (it reads each stage's recent calls, the
 * slow part on a large file), in slices. Returns a new overview; the one given is left as it was.
 */
export async function addDecisions(
  overview: WorkflowOverview[],
  router: AdaptiveModelRouter,
  targets: (workflow: string, stage: string) => StageTargets,
  pause: () => Promise<void>,
  sliceMs = 10,
): Promise<{ overview: WorkflowOverview[]; timing: OverviewTiming }> {
  const result: WorkflowOverview[] = [];
  const timing = await inSlices(
    overview,
    (w) => {
      const stages = w.stages.map((s) => ({ ...s, recommendation: recommendStage(router, s.workflow, s.stage, targets(s.workflow, s.stage)) }));
      result.push({ ...w, stages, upgradesNeeded: stages.filter(needsUpgrade).length });
    },
    pause,
    sliceMs,
  );
  return { overview: result, timing };
}

async function inSlices<T>(items: T[], work: (item: T) => void, pause: () => Promise<void>, sliceMs = 10): Promise<OverviewTiming> {
  const started = Date.now();
  let sliceStart = started;
  let slices = 1;
  let longest = 0;
  for (const item of items) {
    work(item);
    const elapsed = Date.now() - sliceStart;
    if (elapsed >= sliceMs) {
      longest = Math.max(longest, elapsed);
      await pause();
      sliceStart = Date.now();
      slices++;
    }
  }
  longest = Math.max(longest, Date.now() - sliceStart);
  return { totalMs: Date.now() - started, slices, longestSliceMs: longest };
}

function workflowOverview(
  store: TelemetryStore,
  router: AdaptiveModelRouter,
  workflow: string,
  since: number,
  targets: (workflow: string, stage: string) => StageTargets,
  part: { stage?: string; recommend?: Recommending },
): WorkflowOverview {
  const names = store.stages(workflow, since).filter((stage) => part.stage === undefined || stage === part.stage);
  const stages = names.map((stage): StageOverview => {
    const stats = router.getRoutingStats(workflow, { stage, days: router.days, latencyPercentiles: false });
    const target = targets(workflow, stage);
    return {
      workflow,
      stage,
      calls: stats.totalCalls,
      models: stats.modelsUsed.map((model) => ({
        model,
        ...stats.performanceByModel[model],
        enoughData: stats.performanceByModel[model].calls >= router.minSampleSize,
      })),
      verdict: router.recommendTierUpgrade(workflow, stage),
      recommendation: part.recommend?.(workflow, stage, target),
      spend: stats.spend,
    };
  });
  return {
    workflow,
    stages,
    calls: stages.reduce((n, s) => n + s.calls, 0),
    upgradesNeeded: stages.filter(needsUpgrade).length,
    spend: stages.reduce((total, s) => addSpend(total, s.spend), NO_SPEND),
  };
}

/** Flat rows for CSV/JSON export. */
export function overviewRows(overview: WorkflowOverview[]): Array<Record<string, string | number | boolean | null>> {
  return overview.flatMap((w) =>
    w.stages.flatMap((s) =>
      s.models.map((m) => ({
        workflow: w.workflow,
        stage: s.stage,
        model: m.model,
        tier: m.tier,
        calls: m.calls,
        successRate: m.successRate,
        avgCostUsd: m.avgCost,
        costPerSuccessUsd: m.costPerSuccess,
        avgLatencyMs: m.avgLatencyMs,
        p95LatencyMs: m.p95LatencyMs,
        // What the model's calls here cost in the range: the total, the estimated part of it, and calls nobody priced.
        spendUsd: spendTotal(m.spend),
        spendEstimatedUsd: m.spend.estimated,
        spendUnknownCalls: m.spend.unknownCalls,
        recommendedModel: s.recommendation?.model ?? null,
        recommendedTier: s.recommendation?.tier ?? null,
        needsUpgrade: needsUpgrade(s),
        recommendation: s.recommendation?.reason ?? null,
        verdict: s.verdict.reason,
      })),
    ),
  );
}

/** RFC 4180 CSV; cells that a spreadsheet would run as formulas are prefixed with a quote. */
export function toCsv(rows: Array<Record<string, string | number | boolean | null>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const cell = (value: string | number | boolean | null) => {
    if (value == null) return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}
