import { failureEvidence } from '../stats/failureEvidence';
import { NO_SPEND, Spend, addSpend, spendOf } from '../stats/spend';
import { money, pct } from '../format';
import {
  ArmAssessment,
  ArmState,
  DEFAULT_POLICY,
  ModelEvidence,
  PolicySettings,
  StageRecord,
  assessArms,
  evidenceFromHistory,
  pickArm,
  sameArms,
  stageRecord,
} from './learningPolicy';
import { ModelRegistry } from './registry';
import { explainChoice } from './routeReasons';
import type { BestModelQuery, ModelPerformance, RouteDecision, RouteQuery, RouterOptions, RoutingStats, TierUpgradeVerdict } from './routerTypes';
import { DEFAULT_DAYS, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_MIN_SAMPLE_SIZE, DEFAULT_RECENT_WINDOW, DEFAULT_TARGET } from './routerTypes';
import { WorkflowPriors, type StageBorrowing } from './stagePriors';
import type { BudgetDeclaration } from '../budgets/budgetDeclarations';
import { BudgetGuard } from '../budgets/budgetGuard';
import { pacedCheapest, takeCheapest, withBudget } from '../budgets/budgetRouting';
import { exceeds, stageArms } from './stageArms';
import type { CallScope, StageCall, TelemetryStore } from '../store/telemetryStore';
import { Tier, nextTier, parseTier } from '../tiers';
import { runInSlices } from '../timeSlices';
import { windowStart } from '../timeWindow';
import type { Clock, ModelAggregate } from '../types';

export type { BestModelQuery, ModelPerformance, RouteDecision, RouteQuery, RouterOptions, RoutingStats, TierUpgradeVerdict } from './routerTypes';
export { money, pct } from '../format';

/** Calls of a stage the learner looks back over (the oldest weigh a quarter). */
const HISTORY_LIMIT = 2 * DEFAULT_POLICY.halfLife;

/** Learns from telemetry which model each workflow stage needs. */
export class AdaptiveModelRouter {
  readonly registry: ModelRegistry;
  readonly failureRateThreshold: number;
  readonly minSampleSize: number;
  readonly recentWindowSize: number;
  readonly days: number;
  private readonly policy: Omit<PolicySettings, 'target'>;
  private readonly random: () => number;
  private readonly now: Clock;
  private readonly disabled: Set<string>;
  private readonly priors: WorkflowPriors;
  private budgets: BudgetGuard | undefined;
  /**
   * Per stage (by its cached history): its evidence and record, kept while the history (newest call
   * and length) is unchanged, and its last assessment, kept while the arms and target it was made
   * for are the same, so that decisions between two calls of a stage only draw again.
   */
  private readonly stages = new WeakMap<StageCall[], StageMemo>();

  constructor(
    private readonly store: TelemetryStore,
    options: RouterOptions = {},
  ) {
    this.registry = options.registry ?? new ModelRegistry();
    this.now = options.now ?? store.now;
    this.failureRateThreshold = checkRange('failureRateThreshold', options.failureRateThreshold ?? DEFAULT_FAILURE_RATE_THRESHOLD, 0, 1);
    this.minSampleSize = Math.max(1, Math.round(checkRange('minSampleSize', options.minSampleSize ?? DEFAULT_MIN_SAMPLE_SIZE, 1, 1e9)));
    this.recentWindowSize = Math.max(1, Math.round(checkRange('recentWindowSize', options.recentWindowSize ?? DEFAULT_RECENT_WINDOW, 1, 1e9)));
    this.days = checkRange('days', options.days ?? DEFAULT_DAYS, 0, 1e6);
    this.policy = {
      ...DEFAULT_POLICY,
      ...Object.fromEntries(Object.entries(options.learning ?? {}).filter(([, value]) => value !== undefined)),
      explorationBudget: checkRange('explorationBudget', options.explorationBudget ?? DEFAULT_POLICY.explorationBudget, 0, 1),
      halfLife: checkRange('halfLife', options.halfLife ?? DEFAULT_POLICY.halfLife, 1, 1e9),
    };
    this.random = options.random ?? Math.random;
    this.disabled = new Set(options.disabledWorkflows ?? []);
    this.priors = new WorkflowPriors(store, this.registry, this.policy);
    if (options.budgets?.length) this.setBudgets(options.budgets);
  }

  /** Replaces the spend budgets route() heeds (the manifest's and the setting's, as they change). */
  setBudgets(budgets: readonly BudgetDeclaration[]): void {
    this.budgets ??= new BudgetGuard(this.store, this.registry, this.now);
    this.budgets.setBudgets(budgets);
  }

  /** The cheapest model with enough evidence that meets the constraints, else the registry's cheap model. */
  getBestModel(query: BestModelQuery): string {
    const choice = this.rankCandidates(query).find((c) => !c.excludedBy);
    return choice?.model ?? this.registry.cheapModel();
  }

  /** The seed's tier-upgrade verdict, with the tiers involved and the statistical confidence. */
  recommendTierUpgrade(workflow: string, stage?: string): TierUpgradeVerdict {
    const scope = this.scope(workflow, stage, this.days);
    const aggregates = this.store.aggregateByModel(scope);
    const sampleSize = aggregates.reduce((sum, a) => sum + a.calls, 0);
    const base = { workflow, stage: stage ?? 'all', sampleSize };
    if (sampleSize < this.minSampleSize) {
      // Too few calls for a verdict, but the tier the stage runs on is still known from its latest call.
      const latest = sampleSize ? this.store.recentOutcomes(scope, 1)[0] : undefined;
      return {
        ...base,
        upgrade: false,
        reason: `Insufficient data (${sampleSize} calls, need ${this.minSampleSize})`,
        currentTier: latest ? (latest.tier ?? this.registry.tierOf(latest.model)) : null,
        recommendedTier: null,
        recentCalls: 0,
        recentFailures: 0,
        failureRate: 0,
        interval: { low: 0, high: 1 },
        confident: false,
        evidence: failureEvidence(0, 0, this.failureRateThreshold),
      };
    }
    const recent = this.store.recentOutcomes(scope, this.recentWindowSize);
    const recentFailures = recent.filter((r) => !r.success).length;
    const failureRate = recent.length ? recentFailures / recent.length : 0;
    const allFailures = aggregates.reduce((sum, a) => sum + a.calls - a.successes, 0);
    // An exact test over the whole window: a warning needs more evidence from 15 calls than from 150.
    const evidence = failureEvidence(allFailures, sampleSize, this.failureRateThreshold);
    const { interval, confident } = evidence;
    const currentTier = recent[0]?.tier ?? this.registry.tierOf(recent[0]?.model ?? '');
    // The seed's contract: the last `recentWindowSize` calls decide. `confident` (the whole window's
    // exact test) is extra information beside it, never a second way to say "upgrade".
    const upgrade = failureRate > this.failureRateThreshold;
    const reason = upgrade
      ? `High failure rate: ${pct(failureRate)} (${recentFailures}/${recent.length} failed in recent calls)`
      : `Performance acceptable: ${pct(failureRate)} failure rate`;
    return {
      ...base,
      upgrade,
      reason,
      currentTier,
      recommendedTier: currentTier ? (upgrade ? nextTier(currentTier) : currentTier) : upgrade ? 'capable' : null,
      recentCalls: recent.length,
      recentFailures,
      failureRate,
      interval,
      confident,
      evidence,
    };
  }

  /** Per-model statistics of a workflow (or one stage) over the last `days`. */
  getRoutingStats(workflow: string, options: { stage?: string; days?: number; latencyPercentiles?: boolean } = {}): RoutingStats {
    const days = options.days ?? this.days;
    const scope = this.scope(workflow, options.stage, days);
    const aggregates = this.store.aggregateByModel(scope);
    // p95 needs the raw calls; callers that do not show it (the overview) skip that read.
    const p95 = aggregates.length && options.latencyPercentiles !== false ? this.store.latencyQuantiles(scope, 0.95) : new Map<string, number>();
    const performanceByModel: Record<string, ModelPerformance> = {};
    let totalCalls = 0;
    let successes = 0;
    let costSum = 0;
    let costCalls = 0;
    let spend: Spend = NO_SPEND;
    for (const a of aggregates) {
      const avgCost = this.averageCost(a);
      const successRate = a.successes / a.calls;
      performanceByModel[a.model] = {
        calls: a.calls,
        successRate,
        avgCost,
        avgLatencyMs: a.latencyKnown ? a.latencySum / a.latencyKnown : null,
        p95LatencyMs: p95.get(a.model) ?? null,
        costPerSuccess: avgCost == null || a.successes === 0 ? null : (avgCost * a.calls) / a.successes,
        tier: a.tier ?? this.registry.tierOf(a.model),
        spend: spendOf(a.model, a, this.registry),
      };
      spend = addSpend(spend, performanceByModel[a.model].spend);
      totalCalls += a.calls;
      successes += a.successes;
      if (avgCost != null) {
        costSum += avgCost * a.calls;
        costCalls += a.calls;
      }
    }
    return {
      workflow,
      stage: options.stage ?? 'all',
      daysAnalyzed: days,
      modelsUsed: aggregates.map((a) => a.model).sort(),
      performanceByModel,
      totalCalls,
      avgCost: costCalls ? costSum / costCalls : totalCalls ? null : 0,
      avgSuccessRate: totalCalls ? successes / totalCalls : 0,
      spend: { ...spend },
    };
  }

  /**
   * The model a workflow stage should run now: the cheapest model whose success rate meets the
   * target, learned per stage from telemetry (see learningPolicy.ts). Explores a little, leaves a
   * model that degrades within a few calls, and serves out-of-reach stages with their best model.
   */
  route(query: RouteQuery, options: { explore?: boolean } = {}): RouteDecision {
    const target = checkRange('minSuccessRate', query.minSuccessRate ?? DEFAULT_TARGET, 0, 1);
    const declared = parseTier(query.tier ?? 'cheap') ?? 'cheap';
    const stage = query.stage ?? '';
    if (this.disabled.has(query.workflow)) {
      const model = this.registry.modelForTier(declared) ?? this.registry.cheapModel();
      // A spent "block" budget still blocks; the other effects shape adaptive choices only.
      const budget = this.budgets?.influenceOn(query.workflow, stage);
      return withBudget(
        {
          model,
          tier: declared,
          reason: `Adaptive routing is off for ${query.workflow}: using ${query.tier !== undefined ? `the declared ${declared} tier` : `the ${declared} tier (no tier is declared for this stage)`}`,
          explored: false,
          adaptive: false,
          outOfReach: false,
          fallback: false,
          limitsRelaxed: false,
          successRate: null,
          interval: null,
          sampleSize: 0,
          target,
          alternatives: [],
        },
        budget?.effect === 'blocked' ? budget : undefined,
      );
    }
    const since = windowStart(this.now().getTime(), this.days);
    const cached = this.store.recentStageCalls(query.workflow, stage, HISTORY_LIMIT);
    const history = withinWindow(cached, since);
    const memo = this.memoOf(cached, history);
    const arms = this.armsOf(memo, query, stage, history, since);
    let assessment = memo.assessment;
    // The learner aims a margin above the target asked for (where there is room), so the models it
    // settles on meet the target itself, not merely come near it on average.
    const aim = target + this.policy.targetMargin <= 1 ? target + this.policy.targetMargin : target;
    if (!assessment || assessment.settings.target !== aim || (memo.arms !== arms && !sameArms(memo.arms!, arms))) {
      assessment = assessArms(arms, { ...this.policy, target: aim }, memo.record);
      // Kept for a best guess (what the UI, recommendations and prepare() ask, again and again) and
      // from the second decision between two calls of the stage on: where every exploring decision
      // is followed by a call, kept assessments would never be reused, only promoted by the garbage
      // collector, whose longer pauses then land on decisions.
      if (memo.decided || options.explore === false) {
        memo.assessment = assessment;
        memo.arms = arms;
      }
    }
    memo.decided = true;
    let budget = this.budgets?.influenceOn(query.workflow, stage);
    const choice = pickArm(assessment, this.random, options.explore !== false, budget?.effect === 'no-pricier-exploration');
    // A "cheapest" budget takes the cheapest model once spent, or sooner when the rest of the period would overshoot it.
    const paced =
      budget?.effect === 'cheapest' || budget?.effect === 'blocked' ? undefined : pacedCheapest(this.budgets?.paceOf(query.workflow, stage), choice);
    if (paced) budget = paced;
    if (budget?.effect === 'cheapest') takeCheapest(choice);
    const declaredModel = query.tier !== undefined && history.length === 0 && options.explore === false ? this.registry.modelForTier(declared) : undefined;
    const defaultArm = declaredModel ? choice.summaries.find((a) => a.model === declaredModel) : undefined;
    if (defaultArm) {
      // No evidence yet and a declared tier: the recommendation is what the workflow declares.
      choice.arm = defaultArm;
      choice.greedy = defaultArm;
    }
    const { arm } = choice;
    const reason = defaultArm
      ? `No calls for this stage yet, so this is a default: ${arm.model}, the declared ${declared} tier's model, until there are calls to learn from`
      : explainChoice(choice, target, history.length, this.minSampleSize, options.explore !== false);
    const decision: RouteDecision = {
      model: arm.model,
      tier: arm.tier ?? this.registry.tierOf(arm.model),
      reason,
      explored: choice.explored,
      adaptive: true,
      outOfReach: choice.outOfReach,
      fallback: history.length === 0 || choice.limitsRelaxed,
      limitsRelaxed: choice.limitsRelaxed,
      successRate: arm.mean,
      interval: { ...arm.interval }, // a copy: the arm is kept for the next decision
      sampleSize: arm.calls,
      target,
      alternatives: choice.summaries.map((a): RouteDecision['alternatives'][number] => ({
        model: a.model,
        tier: a.tier,
        calls: a.calls,
        successRate: a.mean,
        avgCost: a.expectedCost,
        chanceOfTarget: a.chance,
        excludedBy: a.excludedBy,
      })),
    };
    return withBudget(decision, budget);
  }

  /**
   * Works out ahead what the first decision of each stage needs (its evidence, its workflow's
   * priors, its assessment), for the stages whose recent calls the store holds in memory (after
   * opening a file it reads them in the background: await `store.prefetched` first), in slices of
   * about `sliceMs` that leave the event loop free between them. `queryFor` gives a stage's target
   * and limits as its decisions will ask them (else the defaults); a decision that asks otherwise,
   * or comes first, does that part itself. Resolves to the number of stages prepared.
   */
  async prepare(
    options: { queryFor?: (workflow: string, stage: string) => Omit<RouteQuery, 'workflow' | 'stage'> | undefined; sliceMs?: number } = {},
  ): Promise<number> {
    const stages = this.store.cachedStages();
    let next = 0;
    let prepared = 0;
    await runInSlices(
      (stop) => {
        while (next < stages.length) {
          const [workflow, stage] = stages[next++];
          try {
            this.route({ ...options.queryFor?.(workflow, stage), workflow, stage }, { explore: false });
            prepared++;
          } catch {
            // A query its decisions will refuse too, or a store that closed: they will say so.
          }
          if (stop()) return false;
        }
        return true;
      },
      { sliceMs: options.sliceMs ?? 8 },
    );
    return prepared;
  }

  /**
   * A stage's memo, kept by its cached history (updated in place by the store) and started afresh
   * when the part of it in the window moves: a new call changes its newest call, the window's start
   * passing older calls its length. (Not by the window's part, a copy whenever the cached history
   * reaches back past the window's start: the usual case on a store of modest size.)
   */
  private memoOf(cached: StageCall[], history: StageCall[]): StageMemo {
    const known = this.stages.get(cached);
    if (known && known.newest === history[0] && known.length === history.length) return known;
    const memo: StageMemo = {
      newest: history[0],
      length: history.length,
      evidence: evidenceFromHistory(history, this.policy),
      record: stageRecord(history, this.policy.halfLife),
    };
    this.stages.set(cached, memo);
    return memo;
  }

  /**
   * The stage's arms, kept on its memo while what they are made of stands (its history, its
   * workflow's borrowed records, the query's limits): a warm decision then allocates no arms.
   */
  private armsOf(memo: StageMemo, query: RouteQuery, stage: string, history: StageCall[], since: number): ArmState[] {
    const borrowing = this.priors.borrowing(query.workflow, stage, since);
    const kept = memo.armsFor;
    if (kept && kept.borrowing === borrowing && kept.maxCost === query.maxCost && kept.maxLatencyMs === query.maxLatencyMs) return kept.arms;
    const arms = stageArms(this.registry, this.priors, query, stage, history, since, memo.evidence);
    memo.armsFor = { borrowing, maxCost: query.maxCost, maxLatencyMs: query.maxLatencyMs, arms };
    return arms;
  }

  /** Models seen for the stage, cheapest eligible first; ineligible ones say why. */
  private rankCandidates(query: BestModelQuery): Candidate[] {
    const minSuccessRate = query.minSuccessRate ?? DEFAULT_TARGET;
    const scope = this.scope(query.workflow, query.stage, this.days);
    const candidates: Candidate[] = this.store.aggregateByModel(scope).map((a) => {
      const avgCost = this.averageCost(a);
      const successRate = a.successes / a.calls;
      const avgLatencyMs = a.latencyKnown ? a.latencySum / a.latencyKnown : null;
      let excludedBy: string | undefined;
      if (a.calls < this.minSampleSize) excludedBy = `insufficient data (n=${a.calls})`;
      else if (successRate < minSuccessRate) excludedBy = `success ${pct(successRate)} < ${pct(minSuccessRate)}`;
      else if (query.maxCost != null && (avgCost == null || exceeds(avgCost, query.maxCost)))
        excludedBy = `cost ${avgCost == null ? 'unknown' : money(avgCost)} > ${money(query.maxCost)}`;
      else if (query.maxLatencyMs != null && (avgLatencyMs == null || avgLatencyMs > query.maxLatencyMs))
        excludedBy = `latency ${avgLatencyMs == null ? 'unknown' : Math.round(avgLatencyMs) + 'ms'} > ${query.maxLatencyMs}ms`;
      return { model: a.model, tier: a.tier ?? this.registry.tierOf(a.model), calls: a.calls, successes: a.successes, successRate, avgCost, excludedBy };
    });
    return candidates.sort(
      (x, y) =>
        Number(!!x.excludedBy) - Number(!!y.excludedBy) ||
        (x.avgCost ?? Infinity) - (y.avgCost ?? Infinity) ||
        y.successRate - x.successRate ||
        x.model.localeCompare(y.model),
    );
  }

  /** Known telemetry cost, else registry prices on the average token counts. */
  private averageCost(a: ModelAggregate): number | null {
    if (a.costKnown > 0) return a.costSum / a.costKnown;
    if (a.inputTokens === 0 && a.outputTokens === 0) return null;
    return this.registry.estimateCost(a.model, a.inputTokens / a.calls, a.outputTokens / a.calls);
  }

  private scope(workflow: string, stage: string | undefined, days: number): CallScope {
    if (typeof workflow !== 'string' || workflow.trim() === '') throw new Error('workflow is required');
    const since = windowStart(this.now().getTime(), days);
    return { workflow, stage, since };
  }
}

interface Candidate {
  model: string;
  tier: Tier | null;
  calls: number;
  successes: number;
  successRate: number;
  avgCost: number | null;
  excludedBy?: string;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

/** The calls of a newest-first history at or after `since` (binary search: no copy when all are). */
function withinWindow(history: StageCall[], since: number): StageCall[] {
  if (history.length === 0 || history[history.length - 1].ts >= since) return history;
  let low = 0;
  let high = history.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (history[mid].ts >= since) low = mid + 1;
    else high = mid;
  }
  return history.slice(0, low);
}

/** What route() keeps per stage between decisions (see AdaptiveModelRouter.stages). */
interface StageMemo {
  newest: StageCall | undefined;
  length: number;
  evidence: Map<string, ModelEvidence>;
  record: StageRecord;
  /** A decision was made with this memo (see route()). */
  decided?: boolean;
  arms?: ArmState[];
  assessment?: ArmAssessment;
  /** The last arms worked out for this history, and what else they were made of. */
  armsFor?: { borrowing: StageBorrowing; maxCost: number | undefined; maxLatencyMs: number | undefined; arms: ArmState[] };
}
