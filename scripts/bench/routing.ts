/**
 * npm run bench:routing — replays full-information outcome tables with bandit feedback and
 * compares route() with the seed's fixed rule, always-cheapest, always-premium and the per-stage
 * hindsight oracle; then random table families it was not tuned on (at targets 0.7, 0.8, 0.9 and
 * their own), a drift scenario and the false-alarm table of recommendTierUpgrade. Everything with a
 * goal is run over several seed sets (orders, router sampling, random tables) and printed with its
 * goal, its lowest and its median value; a goal is met when its lowest value meets it.
 * Reads ../shared/data when present (dev tables) and always runs a synthetic 3-tier table.
 * Latency is not in the tables and is not synthesised: route() is run without latency limits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { budgetScenario } from './budgetScenario';
import { performance } from 'perf_hooks';
import { AdaptiveModelRouter, ModelRegistry, openTelemetryStore } from '../../src/core';
import type { RouterOptions } from '../../src/core/routing/router';
import { seededRandom } from '../../src/core/random';
import type { TelemetryStore } from '../../src/core/store/telemetryStore';
import {
  Goals,
  MARGIN,
  StageTruth,
  Tally,
  TargetOf,
  emptyGoals,
  emptyTally,
  groupByStage,
  pool,
  savingsOf,
  score,
  servedSuccess,
  stageTruths,
  sum,
} from './routingScore';
import { TABLE_FAMILIES } from './tableFamilies';
import {
  MANY_MODELS,
  OutcomeRow,
  OutcomeTable,
  TableFamily,
  cheapestModel,
  interleave,
  loadTable,
  priciestModel,
  recordReplayedCall,
  stageKey,
  syntheticTable,
  withDip,
  withDrift,
} from './replayData';

/** The dev tables' target (their goals are set at 0.8). */
const TARGET = Number(process.env.TARGET ?? 0.8);
/** Every family is run at each of these targets, and at its own per-stage targets where it has them. */
const FAMILY_TARGETS = (process.env.FAMILY_TARGETS ?? '0.7,0.8,0.9').split(',').map(Number);
const ORDERS = Number(process.env.ORDERS ?? 5);
/** Seed sets: each shifts every seed (orders, the router's sampling, the random tables). */
const SEED_SETS = Number(process.env.SEED_SETS ?? 3);
/** Shifts every seed set, to check that results do not hang on the default ones. */
const SEED_OFFSET = Number(process.env.SEED_OFFSET ?? 0);
/** Feasible stages a family with goals is judged on at least (pooled over seed sets), and the most seed sets run for them. */
const FEASIBLE_STAGES = Number(process.env.FEASIBLE_STAGES ?? 100);
const MAX_SEED_SETS = Number(process.env.MAX_SEED_SETS ?? 12);
/** Only the families whose name contains this (for working on one). */
const ONLY_FAMILY = process.env.FAMILY;
/** Extra router options as JSON, for trying policy variants: ROUTER_OPTIONS='{"learning":{"plausibility":0.5}}'. */
const ROUTER_OPTIONS = JSON.parse(process.env.ROUTER_OPTIONS ?? '{}') as RouterOptions;
/** Outcome tables (format v1 of shared/data/README.md); ROUTING_DATA points elsewhere. */
const DATA_DIR = process.env.ROUTING_DATA ? path.resolve(process.env.ROUTING_DATA) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

interface Policy {
  name: string;
  pick(row: OutcomeRow): string;
  record(row: OutcomeRow, model: string): void;
  /** What the policy would run at a stage now, without exploring (after the replay: where it settled). */
  settled?(row: OutcomeRow): string;
  close(): Promise<void>;
}

/** route() decision times by what was replayed: the dev tables, or a family (more models, more work per decision). */
const decisionMs = new Map<string, number[]>();
let timing = 'dev tables';

function targetsOf(table: OutcomeTable, target: number | 'own'): TargetOf {
  return (key) => (target === 'own' ? (table.targets?.[key] ?? TARGET) : target);
}

async function routePolicy(table: OutcomeTable, seed: number, targetOf: TargetOf = () => TARGET): Promise<Policy> {
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const store: TelemetryStore = await openTelemetryStore({ now: () => new Date(clock) });
  const registry = new ModelRegistry({ models: table.models }, {});
  const router = new AdaptiveModelRouter(store, { registry, random: seededRandom(seed), ...ROUTER_OPTIONS });
  return {
    name: 'route()',
    pick(row) {
      const started = performance.now();
      const model = router.route({ workflow: row.workflow, stage: row.stage, minSuccessRate: targetOf(stageKey(row)) }).model;
      const elapsed = performance.now() - started;
      (decisionMs.get(timing) ?? decisionMs.set(timing, []).get(timing)!).push(elapsed);
      return model;
    },
    record(row, model) {
      recordReplayedCall(store, registry, row, model, clock);
      clock += 60_000;
    },
    settled: (row) => router.route({ workflow: row.workflow, stage: row.stage, minSuccessRate: targetOf(stageKey(row)) }, { explore: false }).model,
    close: () => store.close(),
  };
}

/** Start on the cheapest tier; move up one tier when >= 10 calls were seen and > 20% of the last 20 failed; never down. */
function seedRulePolicy(table: OutcomeTable): Policy {
  const ladder = [...table.models].sort((a, b) => tierRank(a.tier) - tierRank(b.tier)).map((m) => m.id);
  const state = new Map<string, { rung: number; outcomes: boolean[] }>();
  const get = (row: OutcomeRow) => state.get(stageKey(row)) ?? state.set(stageKey(row), { rung: 0, outcomes: [] }).get(stageKey(row))!;
  return {
    name: "seed's fixed rule",
    pick: (row) => ladder[get(row).rung],
    record(row, model) {
      const s = get(row);
      s.outcomes.push(row.success[model]);
      const recent = s.outcomes.slice(-20);
      if (s.outcomes.length >= 10 && recent.filter((ok) => !ok).length / recent.length > 0.2) s.rung = Math.min(s.rung + 1, ladder.length - 1);
    },
    close: async () => undefined,
  };
}

function fixedPolicy(name: string, model: (row: OutcomeRow) => string): Policy {
  return { name, pick: model, record: () => undefined, close: async () => undefined };
}

function tierRank(tier: string): number {
  return ['cheap', 'capable', 'premium'].indexOf(tier);
}

async function replay(
  table: OutcomeTable,
  makePolicies: (seed: number) => Promise<Policy[]>,
  orders: number,
  seedBase: number,
): Promise<Map<string, Map<string, Tally>>> {
  const totals = new Map<string, Map<string, Tally>>();
  const stageSize = new Map([...groupByStage(table.rows)].map(([key, rows]) => [key, rows.length]));
  for (let order = 1; order <= orders; order++) {
    const rows = interleave(table.rows, 1000 + order + seedBase);
    for (const policy of await makePolicies(order)) {
      const perStage = totals.get(policy.name) ?? new Map<string, Tally>();
      totals.set(policy.name, perStage);
      const seen = new Map<string, number>();
      for (const row of rows) {
        const key = stageKey(row);
        const model = policy.pick(row);
        policy.record(row, model);
        const t = perStage.get(key) ?? emptyTally();
        t.models[model] = (t.models[model] ?? 0) + 1;
        const index = seen.get(key) ?? 0;
        seen.set(key, index + 1);
        if (index >= stageSize.get(key)! / 2) {
          t.late[model] = (t.late[model] ?? 0) + 1;
          if (row.success[model]) t.lateSuccesses++;
        }
        t.calls++;
        if (row.success[model]) t.successes++;
        t.cost += row.cost[model];
        perStage.set(key, t);
      }
      if (policy.settled)
        for (const [key, rows] of groupByStage(table.rows)) {
          const t = perStage.get(key)!;
          const model = policy.settled(rows[0]);
          t.settled[model] = (t.settled[model] ?? 0) + 1;
        }
      await policy.close();
    }
  }
  return totals;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const usd = (x: number) => `$${x.toFixed(4)}`;
function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

const MARGIN_ORACLE = 'margin oracle';

/** One line per stage kind of a policy's goals: "feasible 3/3 (deepest miss 0.0 pts), borderline 1/1, out of reach 1/1". */
function kinds(g: Goals): string {
  const parts: string[] = [];
  if (g.feasible) parts.push(`feasible ${g.compliant}/${g.feasible} (deepest miss ${points(g.deepestMiss)})`);
  if (g.borderline) parts.push(`borderline ${g.borderlineOk}/${g.borderline}`);
  if (g.outOfReach) parts.push(`out of reach ${g.outOfReachOk}/${g.outOfReach}`);
  return parts.join(', ');
}

/** A shortfall in points ("0.0 pts" when none). */
function points(shortfall: number): string {
  return `${(Math.max(0, shortfall) * 100).toFixed(1)} pts`;
}

async function qualityReport(table: OutcomeTable, seedBase: number, verbose: boolean): Promise<Goals> {
  const truths = stageTruths(table, () => TARGET);
  const cheap = cheapestModel(table);
  const premium = priciestModel(table);
  const totals = await replay(
    table,
    async (seed) => [
      await routePolicy(table, seed + seedBase),
      seedRulePolicy(table),
      fixedPolicy('always cheapest', () => cheap),
      fixedPolicy('always premium', () => premium),
      fixedPolicy(MARGIN_ORACLE, (row) => truths.get(stageKey(row))!.oracle),
    ],
    ORDERS,
    seedBase,
  );
  const premiumCost = sum(totals.get('always premium')!.values()).cost;
  const oracleCost = sum(totals.get(MARGIN_ORACLE)!.values()).cost;
  const goals = score(table, totals.get('route()')!, truths, premiumCost, oracleCost);
  if (!verbose) return goals;
  console.log(
    `\n## ${table.name}: ${table.rows.length} rows, ${truths.size} stages, target ${pct(TARGET)}, ${ORDERS} seeded orders of the first seed set (figures pooled over orders)`,
  );
  const widths = [20, 9, 10, 12, 14, 56];
  console.log(pad(['policy', 'success', 'cost', 'cost/success', 'oracle savings', 'stages served as decided'], widths));
  for (const [name, perStage] of totals) {
    const total = sum(perStage.values());
    const g = score(table, perStage, truths, premiumCost, oracleCost);
    const savings = savingsOf(g);
    console.log(
      pad(
        [
          name,
          pct(total.successes / total.calls),
          usd(total.cost / ORDERS),
          usd(total.cost / Math.max(total.successes, 1)),
          savings == null ? 'n/a' : pct(savings),
          kinds(g),
        ],
        widths,
      ),
    );
  }
  console.log("per stage (realised success of route() | seed rule | margin oracle's model and its rate; route()'s model shares):");
  for (const [key, truth] of truths) {
    const r = totals.get('route()')!.get(key)!;
    const s = totals.get("seed's fixed rule")!.get(key)!;
    const shares = Object.entries(r.models)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${pct(n / r.calls)}`)
      .join(', ');
    console.log(
      `  ${key.padEnd(28)} ${pct(r.successes / r.calls).padStart(6)} | ${pct(s.successes / s.calls).padStart(6)} | ${`${truth.oracle} ${pct(truth.truth[truth.oracle])}${truth.kind === 'feasible' ? '' : ` (${truth.kind})`}`.padEnd(36)} ${shares}`,
    );
  }
  return goals;
}

/**
 * Random tables of one family (see tableFamilies.ts) at one target, in one seed set: route()'s and
 * the seed rule's results by stage kind and savings against the margin oracle, pooled over the
 * family's tables. Not tuned on: a check that route() generalises beyond the dev tables.
 */
async function familyRun(family: TableFamily, target: number | 'own', seedSet: number, tables: number, orders: number): Promise<Map<string, Goals>> {
  const pooled = new Map<string, Goals>();
  for (let t = 1; t <= tables; t++) {
    const table = family.generate(100 + t + 100 * seedSet + SEED_OFFSET);
    const targetOf = targetsOf(table, target);
    const truths = stageTruths(table, targetOf);
    const premium = priciestModel(table);
    const seedBase = 1000 * seedSet + SEED_OFFSET;
    const totals = await replay(
      table,
      async (seed) => [
        await routePolicy(table, seed + seedBase, targetOf),
        seedRulePolicy(table),
        fixedPolicy('always premium', () => premium),
        fixedPolicy(MARGIN_ORACLE, (row) => truths.get(stageKey(row))!.oracle),
      ],
      orders,
      seedBase,
    );
    const premiumCost = sum(totals.get('always premium')!.values()).cost;
    const oracleCost = sum(totals.get(MARGIN_ORACLE)!.values()).cost;
    if (process.env.FAMILY_DETAIL) printStages(table, totals, truths);
    for (const name of ['route()', "seed's fixed rule"])
      pooled.set(name, pool(pooled.get(name) ?? emptyGoals(), score(table, totals.get(name)!, truths, premiumCost, oracleCost)));
  }
  return pooled;
}

/** Per stage: each model's rate, the oracle's pick, route()'s served success and model shares (FAMILY_DETAIL=1). */
function printStages(table: OutcomeTable, totals: Map<string, Map<string, Tally>>, truths: Map<string, StageTruth>): void {
  const premiumCost = sum(totals.get('always premium')!.values()).cost;
  const oracleCost = sum(totals.get(MARGIN_ORACLE)!.values()).cost;
  const savings = savingsOf(score(table, totals.get('route()')!, truths, premiumCost, oracleCost));
  console.log(`  ${table.name}: savings ${savings == null ? 'n/a' : pct(savings)}`);
  for (const [key, rows] of groupByStage(table.rows)) {
    const truth = truths.get(key)!;
    const rates = table.models.map((m) => `${m.id} ${pct(rows.filter((r) => r.success[m.id]).length / rows.length)} (${pct(truth.truth[m.id])})`).join(', ');
    const r = totals.get('route()')!.get(key)!;
    const shares = Object.entries(r.models)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${pct(n / r.calls)}`)
      .join(', ');
    console.log(
      `    ${key.padEnd(16)} n=${rows.length} target ${pct(truth.target)} ${truth.kind}  ${rates}  | oracle ${truth.oracle}, cheapest in band ${truth.cheapestInBand} | route ${pct(r.successes / r.calls)} (served ${pct(servedSuccess(table, truth, r))}, second half ${pct(servedSuccess(table, truth, r, true))}; settled on ${Object.keys(r.settled).join(', ')}): ${shares}`,
    );
  }
}

/** Replays rows through a policy, telling `seen` each stage's pick with its index in the stage; closes the policy. */
async function replayIndexed(rows: OutcomeRow[], policy: Policy, seen: (key: string, index: number, model: string) => void): Promise<void> {
  const index = indexInStage(rows);
  rows.forEach((row, i) => {
    const model = policy.pick(row);
    policy.record(row, model);
    seen(stageKey(row), index[i], model);
  });
  await policy.close();
}

async function driftReport(table: OutcomeTable, seedBase: number, verbose: boolean): Promise<{ after: number[]; before: number[] }> {
  const { table: drifted, dropIndex } = withDrift(table, 99);
  const cheap = cheapestModel(table);
  const index = indexInStage(table.rows);
  const preDrop = stageTruths({ ...table, rows: table.rows.filter((r, i) => index[i] < (dropIndex.get(stageKey(r)) ?? 0)) }, () => TARGET);
  const after: number[] = [];
  const before: number[] = [];
  const seedAfter: number[] = [];
  for (let order = 1; order <= ORDERS; order++) {
    const rows = interleave(drifted.rows, 2000 + order + seedBase);
    for (const policy of [await routePolicy(drifted, order + seedBase), seedRulePolicy(drifted)]) {
      const stats = new Map<string, { before: number; beforeCheap: number; afterCheap: number }>();
      await replayIndexed(rows, policy, (key, index, model) => {
        const s = stats.get(key) ?? { before: 0, beforeCheap: 0, afterCheap: 0 };
        if (index < dropIndex.get(key)!) {
          s.before++;
          if (model === cheap) s.beforeCheap++;
        } else if (model === cheap) s.afterCheap++;
        stats.set(key, s);
      });
      for (const [key, s] of stats) {
        if (preDrop.get(key)?.oracle !== cheap) continue; // only stages the cheap model served well before the drop
        if (policy.name === 'route()') {
          after.push(s.afterCheap);
          before.push(s.beforeCheap / s.before);
        } else seedAfter.push(s.afterCheap);
      }
    }
  }
  if (!verbose) return { after, before };
  if (!after.length) console.log(`  ${table.name}: no stage where ${cheap} met the target before the drop`);
  else
    console.log(
      `  ${table.name}: ${after.length / ORDERS} stage(s) where ${cheap} met the target before the drop; route(): median ${median(after)} calls to it after the drop (max ${Math.max(...after)}), median share before ${pct(median(before))}; seed rule: median ${median(seedAfter)} after`,
    );
  return { after, before };
}

/**
 * Recovery: the cheapest model fails twice as often in the middle third of each stage, then is
 * itself again. How many of the stage's calls after the recovery until route() sends it at least
 * half of a 20-call window again (stages where it met the target outside the dip).
 */
async function recoveryReport(table: OutcomeTable): Promise<number[]> {
  const { table: dipped, dip } = withDip(table, 98);
  const cheap = cheapestModel(table);
  const index = indexInStage(table.rows);
  const outside = stageTruths(
    {
      ...table,
      rows: table.rows.filter((r, i) => {
        const [from, to] = dip.get(stageKey(r))!;
        return index[i] < from || index[i] >= to;
      }),
    },
    () => TARGET,
  );
  const delays: number[] = [];
  for (let order = 1; order <= ORDERS; order++) {
    const rows = interleave(dipped.rows, 3000 + order + SEED_OFFSET);
    const picks = new Map<string, boolean[]>();
    await replayIndexed(rows, await routePolicy(dipped, order + SEED_OFFSET), (key, index, model) => {
      if (index >= dip.get(key)![1]) picks.set(key, [...(picks.get(key) ?? []), model === cheap]);
    });
    for (const [key, after] of picks) {
      if (outside.get(key)?.oracle !== cheap) continue;
      let delay = Infinity;
      for (let i = 0; i + 20 <= after.length; i++)
        if (after.slice(i, i + 20).filter(Boolean).length >= 10) {
          delay = i;
          break;
        }
      delays.push(delay);
    }
  }
  const shown = delays.map((d) => (Number.isFinite(d) ? String(d) : 'never'));
  console.log(
    `  ${table.name}: ${delays.length / ORDERS} stage(s); calls after the recovery until ${cheap} has half of a 20-call window again: median ${shown.length ? (Number.isFinite(median(delays)) ? median(delays) : 'never') : 'n/a'} (all: ${shown.join(', ')})`,
  );
  return delays;
}

/** Each row's position among its stage's rows. */
function indexInStage(rows: OutcomeRow[]): number[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const index = seen.get(stageKey(row)) ?? 0;
    seen.set(stageKey(row), index + 1);
    return index;
  });
}

function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How often recommendTierUpgrade says `confident` (exact, over every failure count) and `upgrade` (simulated). */
async function falseAlarmTable(): Promise<{ maxFineRate: number; minPower: number }> {
  const ns = [10, 20, 30, 50, 100, 200];
  const rates = [0.1, 0.15, 0.35];
  const now = Date.parse('2026-11-20T00:00:00Z');
  const store = await openTelemetryStore({ now: () => new Date(now) });
  const router = new AdaptiveModelRouter(store);
  const random = seededRandom(5);
  // One stage per (n, k): `confident` depends only on how many of the n calls failed.
  const confident = new Map<string, boolean>();
  for (const n of ns) {
    for (let k = 0; k <= n; k++) {
      const stage = `n${n}-k${k}`;
      store.trackLlmCalls(
        Array.from({ length: n }, (_, i) => ({ workflow: 'fa', stage, model: 'm', tier: 'cheap', success: i >= k, ts: now - (n - i) * 1000 })),
      );
      confident.set(stage, router.recommendTierUpgrade('fa', stage).confident);
    }
  }
  console.log(`\n## recommendTierUpgrade: how often it says upgrade (threshold 20%)`);
  console.log('confident = exact probability over the binomial failure count; upgrade (seed window rule or confident) = 400 simulated stages per cell');
  console.log(pad(['true failure', ...ns.map((n) => `n=${n}`)], [14, ...ns.map(() => 16)]));
  let maxFineRate = 0;
  let minPower = 1;
  for (const p of rates) {
    const cells: string[] = [];
    for (const n of ns) {
      let exact = 0;
      for (let k = 0; k <= n; k++) if (confident.get(`n${n}-k${k}`)) exact += binomialPmf(k, n, p);
      let upgrades = 0;
      const trials = 400;
      for (let t = 0; t < trials; t++) {
        const stage = `sim-${p}-${n}-${t}`;
        store.trackLlmCalls(
          Array.from({ length: n }, (_, i) => ({ workflow: 'sim', stage, model: 'm', tier: 'cheap', success: random() >= p, ts: now - (n - i) * 1000 })),
        );
        if (router.recommendTierUpgrade('sim', stage).upgrade) upgrades++;
      }
      cells.push(`${pct(exact)} / ${pct(upgrades / trials)}`);
      if (p <= 0.15) maxFineRate = Math.max(maxFineRate, p === 0.15 ? exact : 0);
      if (p === 0.35 && n >= 50) minPower = Math.min(minPower, exact);
    }
    console.log(pad([`${pct(p)}`, ...cells], [14, ...ns.map(() => 16)]));
  }
  console.log('(cells: confident / upgrade)');
  await store.close();
  return { maxFineRate, minPower };
}

function binomialPmf(k: number, n: number, p: number): number {
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log((n - k + i) / i);
  return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log(1 - p));
}

/** One goal's values over the seed sets: printed with the goal, its worst and its median. */
interface GoalLine {
  text: string;
  goal: string;
  better: 'higher' | 'lower';
  meets: (value: number) => boolean;
  values: Array<{ value: number; shown: string }>;
}

const goalLines = new Map<string, GoalLine>();

function recordGoal(text: string, goal: string, value: number, shown: string, meets: (value: number) => boolean, better: 'higher' | 'lower' = 'higher'): void {
  const line = goalLines.get(text) ?? goalLines.set(text, { text, goal, better, meets, values: [] }).get(text)!;
  line.values.push({ value, shown });
}

/**
 * The goals on stages by kind (see routingScore.ts): compliance on feasible stages and the deepest
 * miss there, borderline and out-of-reach stages served within their bands, the cheapest in band.
 */
function recordStageGoals(
  what: string,
  g: Goals,
  goals: { compliance: number; borderline?: number; outOfReach?: number; settledInBand?: number; settledCheapest?: number },
): void {
  const share = (text: string, goal: number, ok: number, of: number) =>
    recordGoal(`${what}: ${text}`, goal >= 1 ? 'all' : `>= ${pct(goal)}`, ok / of, `${ok}/${of}`, (v) => v >= goal - 1e-9);
  if (g.feasible) {
    share(`feasible stages served at the target - ${MARGIN * 100} point or better`, goals.compliance, g.compliant, g.feasible);
    recordGoal(
      `${what}: deepest miss under the target on a feasible stage`,
      '<= 3.0 pts',
      g.deepestMiss,
      points(g.deepestMiss),
      (v) => v <= 0.03 + 1e-9,
      'lower',
    );
  }
  if (g.borderline && goals.borderline != null)
    share('borderline stages served within 2 points of their best model', goals.borderline, g.borderlineOk, g.borderline);
  if (g.outOfReach && goals.outOfReach != null)
    share('out-of-reach stages served within 5 points of their best model', goals.outOfReach, g.outOfReachOk, g.outOfReach);
  if (g.settledRuns && goals.settledInBand != null)
    share('out-of-reach stage replays settled on a model within 5 points of the best', goals.settledInBand, g.settledInBand, g.settledRuns);
  if (g.settledRuns && goals.settledCheapest != null)
    share('out-of-reach stage replays settled on the cheapest model within 5 points of the best', goals.settledCheapest, g.settledCheapest, g.settledRuns);
}

async function main(): Promise<void> {
  const started = performance.now();
  const tables: OutcomeTable[] = [];
  if (fs.existsSync(DATA_DIR)) {
    for (const file of fs
      .readdirSync(DATA_DIR)
      .filter((f) => f.endsWith('.models.json'))
      .sort())
      tables.push(loadTable(DATA_DIR, file.replace('.models.json', '')));
  } else console.log(`(no outcome tables at ${DATA_DIR}: synthetic table only)`);
  tables.push(syntheticTable());
  const driftTables = [...tables, { ...syntheticTable(8, 600), name: 'synthetic-3-tier, 600 rows a stage' }];

  console.log(`# Routing replay benchmark (bandit feedback: only the chosen model's outcome and cost are recorded), ${SEED_SETS} seed set(s)`);
  const skipDev = process.env.DEV_TABLES === '0';
  for (let set = 0; set < SEED_SETS && !skipDev; set++) {
    const seedBase = 1000 * set + SEED_OFFSET;
    for (const table of tables) {
      const g = await qualityReport(table, seedBase, set === 0);
      recordStageGoals(table.name, g, { compliance: 1, borderline: 1, outOfReach: 1, settledInBand: 1 });
      const savings = savingsOf(g);
      if (savings != null) recordGoal(`${table.name}: margin oracle's savings captured`, '>= 95%', savings, pct(savings), (v) => v >= 0.95);
    }
    if (set === 0) console.log(`\n## Drift: the cheapest model's successes halved after the midpoint of each stage (first seed set)`);
    const drift = { after: [] as number[], before: [] as number[] };
    for (const table of driftTables) {
      const d = await driftReport(table, seedBase, set === 0);
      drift.after.push(...d.after);
      drift.before.push(...d.before);
    }
    recordGoal('drift: median calls to the degraded model after the drop', '<= 15', median(drift.after), String(median(drift.after)), (v) => v <= 15, 'lower');
    recordGoal('drift: median share of the cheap model before the drop', '>= 80%', median(drift.before), pct(median(drift.before)), (v) => v >= 0.8);
  }

  const familyTables = Number(process.env.FAMILY_TABLES ?? 3);
  const familyOrders = Number(process.env.FAMILY_ORDERS ?? 2);
  const families = TABLE_FAMILIES.filter((f) => !ONLY_FAMILY || f.name.includes(ONLY_FAMILY));
  if (familyTables > 0) {
    console.log(
      `\n## Generalisation: random table families (synthesised here, not tuned on), ${familyTables} tables x ${familyOrders} orders per seed set, pooled over tables`,
    );
    console.log(
      `Stage kinds pooled over every target and seed set; a family with goals is run over at least ${SEED_SETS} seed sets and until it has ${FEASIBLE_STAGES} feasible stages (at most ${MAX_SEED_SETS}); savings as lowest / median over seed sets; families without goals are informational`,
    );
    const widths = [26, 12, 9, 34, 16, 18, 18, 20];
    console.log(
      pad(
        [
          'family',
          'target',
          'seed sets',
          'route(): stages served as decided',
          'settled in band, cheapest',
          'route() savings',
          'seed rule savings',
          'seed rule feasible ok',
        ],
        widths,
      ),
    );
    for (const family of families) {
      timing = family.name;
      const targets = family.targets ?? [...FAMILY_TARGETS, ...(family.ownTargets ? ['own' as const] : [])];
      const pooled = new Map<number | 'own', Map<string, Goals>>();
      const savings = new Map<number | 'own', Array<{ route: number | null; seed: number | null }>>();
      const all = emptyGoals();
      let sets = 0;
      // Families without feasible stages (a target out of reach) stop at SEED_SETS.
      const enough = () => sets >= SEED_SETS && (!family.goals || all.feasible >= FEASIBLE_STAGES || all.feasible === 0);
      while (!enough() && sets < MAX_SEED_SETS) {
        for (const target of targets) {
          const run = await familyRun(family, target, sets, familyTables, familyOrders);
          const byPolicy = pooled.get(target) ?? new Map<string, Goals>();
          for (const [name, g] of run) byPolicy.set(name, pool(byPolicy.get(name) ?? emptyGoals(), g));
          pooled.set(target, byPolicy);
          pool(all, run.get('route()')!);
          savings.set(target, [...(savings.get(target) ?? []), { route: savingsOf(run.get('route()')!), seed: savingsOf(run.get("seed's fixed rule")!) }]);
          if (family.goals) {
            const s = savingsOf(run.get('route()')!);
            const at = target === 'own' ? 'own targets' : `target ${pct(target)}`;
            if (s != null)
              recordGoal(
                `${family.name}, ${at}: margin oracle's savings captured`,
                `>= ${pct(family.goals.savings)}`,
                s,
                pct(s),
                (v) => v >= family.goals!.savings,
              );
          }
        }
        sets++;
      }
      if (family.goals) recordStageGoals(`${family.name} (${sets} seed sets pooled)`, all, family.goals);
      for (const target of targets) {
        const route = pooled.get(target)!.get('route()')!;
        const seed = pooled.get(target)!.get("seed's fixed rule")!;
        console.log(
          pad(
            [
              family.name,
              target === 'own' ? 'own 0.4-0.9' : pct(target),
              String(sets),
              kinds(route),
              route.settledRuns ? `${route.settledInBand}/${route.settledRuns}, ${route.settledCheapest}/${route.settledRuns}` : '-',
              spread(savings.get(target)!.map((v) => v.route)),
              spread(savings.get(target)!.map((v) => v.seed)),
              seed.feasible ? `${seed.compliant}/${seed.feasible}` : '-',
            ],
            widths,
          ),
        );
      }
    }
  }

  timing = 'recovery';
  console.log(`\n## Recovery: the cheapest model's successes halved in the middle third of each stage, then restored`);
  await recoveryReport({ ...syntheticTable(9, 900), name: 'synthetic-3-tier, 900 rows a stage' });

  const alarms = await falseAlarmTable();
  recordGoal(
    'confident upgrades at true failure 15%, over n = 10..200 (exact)',
    '<= 5%',
    alarms.maxFineRate,
    pct(alarms.maxFineRate),
    (v) => v <= 0.05 + 1e-9,
    'lower',
  );
  recordGoal('confident upgrades at true failure 35%, n >= 50 (exact)', '>= 90%', alarms.minPower, pct(alarms.minPower), (v) => v >= 0.9);

  // Decision time grows with the number of models (each is sampled and bounded): the dev goal is on
  // the dev tables (2-3 models), families with up to 12 models have a goal of their own.
  const quantile = (values: number[], q: number) => values[Math.min(values.length - 1, Math.floor(values.length * q))];
  const timingLines: string[] = [];
  for (const [what, values] of decisionMs) {
    const sorted = [...values].sort((a, b) => a - b);
    const limit = what.startsWith(MANY_MODELS.name) ? 2 : 1;
    recordGoal(
      `route() decision time, p99 over the ${what} replays`,
      `<= ${limit} ms`,
      quantile(sorted, 0.99),
      `${quantile(sorted, 0.99).toFixed(3)} ms`,
      (v) => v <= limit,
      'lower',
    );
    timingLines.push(
      `route() decisions on the ${what}: ${sorted.length}, mean ${(sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(3)} ms, p50 ${quantile(sorted, 0.5).toFixed(3)}, p90 ${quantile(sorted, 0.9).toFixed(3)}, p99 ${quantile(sorted, 0.99).toFixed(3)}, max ${sorted[sorted.length - 1].toFixed(3)} ms`,
    );
  }

  if (process.env.BUDGET !== '0') {
    console.log(`\n## Budget: the stage that spends most, with a weekly budget of half its unconstrained spend, onExceeded "cheapest"`);
    const widths = [26, 30, 10, 22, 34];
    console.log(pad(['table', 'stage', 'budget', 'unconstrained', 'with the budget'], widths));
    for (let set = 0; set < SEED_SETS; set++)
      for (const table of [syntheticTable(), MANY_MODELS.generate(300 + set)]) {
        const r = await budgetScenario(table, 1 + set);
        const share = r.budgeted.spend / r.budget;
        if (set === 0)
          console.log(
            pad(
              [
                r.table,
                r.stage,
                usd(r.budget),
                `${usd(r.unconstrained.spend)}, ${pct(r.unconstrained.success)}`,
                `${pct(share)} of it, ${pct(r.budgeted.success)} (${r.budgeted.afterLimit}/${r.budgeted.calls} past it)`,
              ],
              widths,
            ),
          );
        recordGoal(`budget: spend with "cheapest" (${table.name.replace(/ #\d+$/, '')})`, '<= 105%', share, pct(share), (v) => v <= 1.05, 'lower');
      }
  }

  console.log(`\n## Goals (worst and median over ${SEED_SETS} seed set(s); a goal is met when its worst value meets it)`);
  let unmet = 0;
  for (const line of goalLines.values()) {
    const values = [...line.values].sort((a, b) => a.value - b.value);
    const worst = line.better === 'higher' ? values[0] : values[values.length - 1];
    const middle = values[(values.length - 1) >> 1];
    const ok = line.meets(worst.value);
    if (!ok) unmet++;
    const shown = values.length > 1 ? `worst ${worst.shown}, median ${middle.shown}` : worst.shown;
    console.log(`${ok ? 'MET    ' : 'NOT MET'}  ${line.text}: ${shown} (goal ${line.goal})`);
  }
  for (const line of timingLines) console.log(line);
  console.log('(the scale benchmark measures decision time at 1M calls)');
  console.log(`\n${unmet ? `${unmet} goal(s) NOT MET` : 'every goal met'}; bench:routing finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Lowest / median of per-seed-set values, as percentages ("-" where none applies). */
function spread(values: Array<number | null>): string {
  const present = values.filter((v): v is number => v != null).sort((a, b) => a - b);
  if (!present.length) return '-';
  return `${pct(present[0])} / ${pct(present[(present.length - 1) >> 1])}`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
