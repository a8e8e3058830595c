/**
 * npm run bench:savings — are the savings estimates and downgrade suggestions right?
 * Replays outcome tables (../shared/data when present, the synthetic table, and random tables of
 * the many-models and short-stages families) in two halves. The first half is history: route()
 * picks a model per row (bandit feedback) and the calls are recorded over 14 days. At the midpoint
 * each stage gets what the editor would show: its savings estimate (stageSavings) and, for a stage
 * declared premium, a downgrade suggestion (confidentDowngrade). The second half is what happens
 * next, every row's outcome and cost known for every model:
 * - coverage: the estimate's 90% interval, scaled from the first half's calls to the second's,
 *   holds the savings realised by following it (the first half's model mix on the second half's
 *   rows, minus the recommended model on them);
 * - wrong suggestions: the suggested model's success on the second half misses the target by more
 *   than 2 points;
 * - reach (issue 32's measure): of the stages where a cheaper tier than premium suffices with
 *   margin (its true success >= the target + 3 points: the table's true rates where it has them, else
 *   the second half's outcomes) and whose first half could show a 95% chance at all, the share that
 *   got a suggestion. The stages where a cheaper tier merely meets the target are printed apart.
 * A benchmark, not a test: it prints each figure with its goal and exits 0 unless it crashed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AdaptiveModelRouter, ModelRegistry, buildOverview, openTelemetryStore } from '../../src/core';
import { seededRandom } from '../../src/core/random';
import { confidentDowngrade, stageSavings } from '../../src/core/stats/savings';
import { regularizedBeta } from '../../src/core/stats/statistics';
import type { StageOverview } from '../../src/core/stats/overview';
import { MANY_MODELS, OutcomeRow, OutcomeTable, SHORT_STAGES, interleave, loadTable, recordReplayedCall, stageKey, syntheticTable } from './replayData';

const DATA_DIR = process.env.ROUTING_DATA ? path.resolve(process.env.ROUTING_DATA) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
const TARGET = Number(process.env.TARGET ?? 0.8);
const SEEDS = Number(process.env.SEEDS ?? 3);
const HISTORY_DAYS = 14;
const DAY_MS = 86_400_000;
/** How far above the target a cheaper tier's true success must be for reach to count its stage (issue 32). */
const REACH_MARGIN = 0.03;

interface Outcome {
  table: string;
  stage: string;
  /** Estimate and interval for the second half, and what following it realised there; undefined without an estimate. */
  coverage?: { low: number; high: number; estimate: number; realised: number };
  /** A downgrade was suggested; whether it turned out wrong. */
  suggestion?: { model: string; wrong: boolean };
  /** The hindsight oracle says a cheaper tier than premium meets the target on the second half. */
  cheaperSuffices: boolean;
  /** ... and by a margin: its true success is at least the target + 3 points. */
  cheaperSufficesWithMargin: boolean;
  /** What the midpoint recommendation was, in words: why a stage got no suggestion. */
  midpoint: string;
  /**
   * Whether the first half could show it at all: all its calls on the cheapest sufficient model,
   * succeeding at that model's rate, would give a 95% posterior chance (uniform prior) of the target.
   */
  showable: boolean;
}

async function replay(table: OutcomeTable, seed: number): Promise<Outcome[]> {
  const start = Date.parse('2026-11-01T00:00:00Z');
  const end = start + HISTORY_DAYS * DAY_MS;
  const byStage = new Map<string, OutcomeRow[]>();
  for (const row of table.rows) (byStage.get(stageKey(row)) ?? byStage.set(stageKey(row), []).get(stageKey(row))!).push(row);
  const history = interleave(
    [...byStage.values()].flatMap((rows) => rows.slice(0, Math.floor(rows.length / 2))),
    seed,
  );
  const targetOf = (key: string) => table.targets?.[key] ?? TARGET;
  let clock = start;
  const store = await openTelemetryStore({ now: () => new Date(clock) });
  const registry = new ModelRegistry({ models: table.models }, {});
  const router = new AdaptiveModelRouter(store, { registry, random: seededRandom(seed), days: HISTORY_DAYS });
  history.forEach((row, i) => {
    clock = start + Math.floor(((i + 0.5) / history.length) * (end - start));
    const model = router.route({ workflow: row.workflow, stage: row.stage, minSuccessRate: targetOf(stageKey(row)), tier: 'premium' }).model;
    recordReplayedCall(store, registry, row, model, clock);
  });
  clock = end;
  const overview = buildOverview(store, router, (workflow, stage) => ({ minSuccessRate: targetOf(stageKey({ workflow, stage })), tier: 'premium' }));
  const outcomes: Outcome[] = [];
  for (const stage of overview.flatMap((w) => w.stages)) {
    const key = stageKey(stage);
    const rows = byStage.get(key) ?? [];
    const future = rows.slice(Math.floor(rows.length / 2));
    if (!future.length) continue;
    const target = targetOf(key);
    const rateOf = (model: string) => table.trueRates?.[key]?.[model] ?? successOn(future, model);
    outcomes.push({
      table: table.name,
      stage: key,
      coverage: coverageOf(stage, future, router.minSampleSize),
      suggestion: suggestionOf(stage, future, target, router.minSampleSize),
      // The oracle: the table's true rates where it has them, else the second half's own outcomes.
      cheaperSuffices: table.models.some((m) => m.tier !== 'premium' && rateOf(m.id) >= target),
      cheaperSufficesWithMargin: table.models.some((m) => m.tier !== 'premium' && rateOf(m.id) >= target + REACH_MARGIN),
      midpoint: midpointText(stage),
      showable: table.models.some((m) => {
        const n = rows.length - future.length;
        const k = Math.round(rateOf(m.id) * n);
        return m.tier !== 'premium' && rateOf(m.id) >= target && 1 - regularizedBeta(target, 1 + k, 1 + n - k) >= 0.95;
      }),
    });
  }
  store.dispose();
  return outcomes;
}

function coverageOf(stage: StageOverview, future: OutcomeRow[], minSampleSize: number): Outcome['coverage'] {
  const { estimate } = stageSavings(stage, { days: HISTORY_DAYS, minSampleSize });
  if (!estimate) return undefined;
  // The first half's mix of models, carried on to the second half's rows, against the recommended model on them.
  const mix = stage.models.map((m) => [m.model, m.calls / stage.calls] as const);
  const asBefore = future.reduce((usd, row) => usd + mix.reduce((sum, [model, share]) => sum + share * (row.cost[model] ?? 0), 0), 0);
  const following = future.reduce((usd, row) => usd + (row.cost[estimate.model] ?? 0), 0);
  // The estimate is per week at the first half's pace; the second half has its own number of calls.
  const scale = future.length / (stage.calls / (HISTORY_DAYS / 7));
  return { low: estimate.low * scale, high: estimate.high * scale, estimate: estimate.perWeek * scale, realised: asBefore - following };
}

function suggestionOf(stage: StageOverview, future: OutcomeRow[], target: number, minSampleSize: number): Outcome['suggestion'] {
  const suggested = confidentDowngrade(stage, 'premium', minSampleSize);
  if (!suggested) return undefined;
  return { model: suggested.model, wrong: successOn(future, suggested.model) < target - 0.02 };
}

function midpointText(stage: StageOverview): string {
  const r = stage.recommendation!;
  const alternative = r.decision.alternatives.find((a) => a.model === r.model);
  const calls = stage.models.find((m) => m.model === r.model)?.calls ?? 0;
  const others = r.decision.alternatives
    .filter((a) => a.model !== r.model && a.tier !== 'premium' && a.calls > 0)
    .map((a) => `${a.model} ${a.calls} calls ${((a.chanceOfTarget ?? 0) * 100).toFixed(1)}%`);
  return `${r.model} (${r.tier ?? '?'})${r.outOfReach ? ' out of reach' : ''}, ${calls} of ${stage.calls} calls, ${((alternative?.chanceOfTarget ?? 0) * 100).toFixed(1)}% chance of ${r.target}${others.length ? `; others below premium: ${others.join(', ')}` : ''}`;
}

function successOn(rows: OutcomeRow[], model: string): number {
  return rows.filter((r) => r.success[model]).length / rows.length;
}

async function main(): Promise<void> {
  const tables: OutcomeTable[] = [];
  if (fs.existsSync(DATA_DIR)) {
    for (const file of fs.readdirSync(DATA_DIR).filter((f) => f.endsWith('.models.json'))) tables.push(loadTable(DATA_DIR, file.replace('.models.json', '')));
  } else console.log(`(no outcome tables at ${DATA_DIR}: generated tables only)`);
  tables.push(syntheticTable(7, 600));
  for (let s = 1; s <= SEEDS; s++) tables.push(MANY_MODELS.generate(100 + s), SHORT_STAGES.generate(200 + s));
  console.log(
    `# bench:savings — ${tables.length} tables, first half history (route(), ${HISTORY_DAYS} days), second half what happens next; target ${TARGET} (short stages: their own)`,
  );
  const all: Outcome[] = [];
  for (const [i, table] of tables.entries()) {
    const outcomes = await replay(table, 1 + i);
    all.push(...outcomes);
    const covered = outcomes.filter((o) => o.coverage);
    const suggested = outcomes.filter((o) => o.suggestion);
    console.log(
      `  ${table.name.padEnd(24)} stages ${String(outcomes.length).padStart(3)}  estimates ${String(covered.length).padStart(3)} (interval holds the realised value: ${covered.filter(holds).length})  suggestions ${String(suggested.length).padStart(3)} (wrong: ${suggested.filter((o) => o.suggestion!.wrong).length})`,
    );
  }
  const covered = all.filter((o) => o.coverage);
  const suggested = all.filter((o) => o.suggestion);
  const reachable = all.filter((o) => o.cheaperSuffices);
  // Reach counts the stages where the cheaper tier clears the target by 3 points and the first half could show it at all.
  const measured = all.filter((o) => o.cheaperSufficesWithMargin && o.showable);
  const share = (part: number, whole: number) => (whole ? part / whole : NaN);
  const figures: Array<[string, number, string, (v: number) => boolean, string]> = [
    [
      'savings interval holds the realised value',
      share(covered.filter(holds).length, covered.length),
      '>= 85%',
      (v) => v >= 0.85,
      `of ${covered.length} estimates`,
    ],
    [
      'downgrade suggestions that were wrong',
      share(suggested.filter((o) => o.suggestion!.wrong).length, suggested.length),
      '<= 5%',
      (v) => v <= 0.05,
      `of ${suggested.length} suggestions`,
    ],
    [
      'reach: a cheaper tier suffices with margin, showable',
      share(measured.filter((o) => o.suggestion).length, measured.length),
      '>= 80%',
      (v) => v >= 0.8,
      `of ${measured.length} stages`,
    ],
  ];
  console.log('');
  for (const [name, value, goal, ok, n] of figures) {
    const verdict = Number.isNaN(value) ? 'NOT MEASURED' : ok(value) ? 'MET' : 'NOT MET';
    console.log(
      `  ${name.padEnd(54)} ${Number.isNaN(value) ? '—' : `${(value * 100).toFixed(1)}%`.padStart(6)} ${n.padEnd(18)} goal ${goal.padEnd(7)} ${verdict}`,
    );
  }
  const showable = reachable.filter((o) => o.showable);
  console.log(
    `  (a cheaper tier meets the target at all on ${reachable.length} stages; ${showable.length} of them could show a 95% chance with their first half's calls, even all on the sufficient model at its true rate, and ${showable.filter((o) => o.suggestion).length} got a suggestion; ${reachable.filter((o) => o.suggestion).length} of the ${reachable.length} did)`,
  );
  const unreached = measured.filter((o) => !o.suggestion).slice(0, Number(process.env.SHOW ?? 10));
  if (unreached.length) {
    console.log('\n  measured stages where nothing was suggested (the midpoint recommendation):');
    for (const o of unreached) console.log(`    ${o.table} ${o.stage}: ${o.midpoint}`);
  }
  const misses = covered.filter((o) => !holds(o)).slice(0, 8);
  if (misses.length) {
    console.log('\n  intervals that missed (estimate [low, high] vs realised, USD over the second half):');
    for (const o of misses)
      console.log(
        `    ${o.table} ${o.stage}: ${fmt(o.coverage!.estimate)} [${fmt(o.coverage!.low)}, ${fmt(o.coverage!.high)}] vs ${fmt(o.coverage!.realised)}`,
      );
  }
}

function holds(o: Outcome): boolean {
  return !!o.coverage && o.coverage.low <= o.coverage.realised && o.coverage.realised <= o.coverage.high;
}

function fmt(usd: number): string {
  return usd.toFixed(4);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
