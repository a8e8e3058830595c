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
import { AdaptiveModelRouter, ModelRegistry, openTelemetry } from '../../src/core';
import type { RouterOptions } from '../../src/core/routing/router';
import { seededRandom } from '../../src/core/random';
import type { TelemetryStore } from '../../src/core/store/telemetryStore';
import {
  MANY_MODELS,
  OutcomeRow,
  OutcomeTable,
  TABLE_FAMILIES,
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
/** Only the families whose name contains this (for working on one). */
const ONLY_FAMILY = process.env.FAMILY;
/** Extra router options as JSON, for trying policy variants: ROUTER_OPTIONS='{"learning":{"plausibility":0.5}}'. */
const ROUTER_OPTIONS = JSON.parse(process.env.ROUTER_OPTIONS ?? '{}') as RouterOptions;
/** Outcome tables (format v1 of shared/data/README.md); ROUTING_DATA points elsewhere. */
const DATA_DIR = process.env.ROUTING_DATA ? path.resolve(process.env.ROUTING_DATA) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

interface Tally {
  calls: number;
  successes: number;
  cost: number;
  models: Record<string, number>;
}

interface Policy {
  name: string;
  pick(row: OutcomeRow): string;
  record(row: OutcomeRow, model: string): void;
  close(): Promise<void>;
}

/** route() decision times by what was replayed: the dev tables, or a family (more models, more work per decision). */
const decisionMs = new Map<string, number[]>();
let timing = 'dev tables';

/** A stage's target in a run: the table's own where it sets one, else the run's. */
type TargetOf = (key: string) => number;

function targetsOf(table: OutcomeTable, target: number | 'own'): TargetOf {
  return (key) => (target === 'own' ? (table.targets?.[key] ?? TARGET) : target);
}

async function routePolicy(table: OutcomeTable, seed: number, targetOf: TargetOf = () => TARGET): Promise<Policy> {
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const store: TelemetryStore = await openTelemetry({ now: () => new Date(clock) });
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

const TRUE_RATE_ORACLE = 'true-rate oracle';

/** A policy's success at a stage as its choices' true probabilities predict (luck left out). */
function servedTrueRate(table: OutcomeTable): (key: string, t: Tally) => number {
  return (key, t) => Object.entries(t.models).reduce((n, [model, calls]) => n + calls * table.trueRates![key][model], 0) / t.calls;
}

/**
 * Per stage, the cheapest model whose true success probability (known for generated tables) meets
 * the target, else the most likely to succeed: what a router that had learnt everything would pick.
 * It cannot see the luck in a short stage's outcomes, which the hindsight oracle does.
 */
function trueRateChoice(table: OutcomeTable, targetOf: TargetOf): (row: OutcomeRow) => string {
  const byCost = [...table.models].sort((a, b) => (a.inputPer1M ?? 0) + (a.outputPer1M ?? 0) - ((b.inputPer1M ?? 0) + (b.outputPer1M ?? 0)));
  const choice = new Map<string, string>();
  for (const [key, rates] of Object.entries(table.trueRates ?? {})) {
    const meets = byCost.find((m) => rates[m.id] >= targetOf(key));
    choice.set(key, (meets ?? byCost.reduce((best, m) => (rates[m.id] > rates[best.id] ? m : best))).id);
  }
  return (row) => choice.get(stageKey(row))!;
}

/** Per stage: the cheapest model whose success over the stage's rows is at least the target, else the most successful. */
function oracleChoices(
  table: OutcomeTable,
  targetOf: TargetOf = () => TARGET,
): Map<string, { model: string; feasible: boolean; bestRate: number; target: number }> {
  const byStage = groupByStage(table.rows);
  const result = new Map<string, { model: string; feasible: boolean; bestRate: number; target: number }>();
  for (const [key, rows] of byStage) {
    const target = targetOf(key);
    const stats = table.models.map((m) => ({
      id: m.id,
      rate: rows.filter((r) => r.success[m.id]).length / rows.length,
      cost: rows.reduce((n, r) => n + r.cost[m.id], 0),
    }));
    const feasible = stats.filter((s) => s.rate >= target).sort((a, b) => a.cost - b.cost)[0];
    const best = [...stats].sort((a, b) => b.rate - a.rate || a.cost - b.cost)[0];
    result.set(key, { model: (feasible ?? best).id, feasible: Boolean(feasible), bestRate: best.rate, target });
  }
  return result;
}

function groupByStage(rows: OutcomeRow[]): Map<string, OutcomeRow[]> {
  const map = new Map<string, OutcomeRow[]>();
  for (const row of rows) {
    const key = stageKey(row);
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(row);
  }
  return map;
}

async function replay(
  table: OutcomeTable,
  makePolicies: (seed: number) => Promise<Policy[]>,
  orders: number,
  seedBase: number,
): Promise<Map<string, Map<string, Tally>>> {
  const totals = new Map<string, Map<string, Tally>>();
  for (let order = 1; order <= orders; order++) {
    const rows = interleave(table.rows, 1000 + order + seedBase);
    for (const policy of await makePolicies(order)) {
      const perStage = totals.get(policy.name) ?? new Map<string, Tally>();
      totals.set(policy.name, perStage);
      for (const row of rows) {
        const model = policy.pick(row);
        policy.record(row, model);
        const t = perStage.get(stageKey(row)) ?? { calls: 0, successes: 0, cost: 0, models: {} };
        t.models[model] = (t.models[model] ?? 0) + 1;
        t.calls++;
        if (row.success[model]) t.successes++;
        t.cost += row.cost[model];
        perStage.set(stageKey(row), t);
      }
      await policy.close();
    }
  }
  return totals;
}

function sum(tallies: Iterable<Tally>): Tally {
  const total: Tally = { calls: 0, successes: 0, cost: 0, models: {} };
  for (const t of tallies) {
    total.calls += t.calls;
    total.successes += t.successes;
    total.cost += t.cost;
  }
  return total;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const usd = (x: number) => `$${x.toFixed(4)}`;
function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

interface Goals {
  compliant: number;
  feasible: number;
  outOfReachOk: number;
  outOfReach: number;
  savings: number | null;
  /** Cost of always premium less the policy's, and less the oracle's (for pooling savings over tables). */
  saved: number;
  oracleSaved: number;
  /** Savings as a share of the hindsight oracle's (pooled like `savings`), for families judged against true rates. */
  hindsightSavings?: number | null;
  hindsightSaved?: number;
}

/** Target compliance, out-of-reach service and share of the oracle's savings of one policy's tallies. */
function score(perStage: Map<string, Tally>, oracle: ReturnType<typeof oracleChoices>, premiumCost: number, oracleCost: number): Goals {
  const goals: Goals = { compliant: 0, feasible: 0, outOfReach: 0, outOfReachOk: 0, savings: null, saved: 0, oracleSaved: 0 };
  for (const [key, t] of perStage) {
    const o = oracle.get(key)!;
    const rate = t.successes / t.calls;
    if (o.feasible) {
      goals.feasible++;
      if (rate >= o.target - 0.02) goals.compliant++;
    } else {
      goals.outOfReach++;
      if (rate >= o.bestRate - 0.05) goals.outOfReachOk++;
    }
  }
  goals.saved = premiumCost - sum(perStage.values()).cost;
  goals.oracleSaved = premiumCost - oracleCost;
  goals.savings = goals.oracleSaved > 1e-12 ? goals.saved / goals.oracleSaved : null;
  return goals;
}

async function qualityReport(table: OutcomeTable, seedBase: number, verbose: boolean): Promise<Goals> {
  const oracle = oracleChoices(table);
  const cheap = cheapestModel(table);
  const premium = priciestModel(table);
  const totals = await replay(
    table,
    async (seed) => [
      await routePolicy(table, seed + seedBase),
      seedRulePolicy(table),
      fixedPolicy('always cheapest', () => cheap),
      fixedPolicy('always premium', () => premium),
      fixedPolicy('hindsight oracle', (row) => oracle.get(stageKey(row))!.model),
    ],
    ORDERS,
    seedBase,
  );
  const premiumCost = sum(totals.get('always premium')!.values()).cost;
  const oracleCost = sum(totals.get('hindsight oracle')!.values()).cost;
  const goals = score(totals.get('route()')!, oracle, premiumCost, oracleCost);
  if (!verbose) return goals;
  console.log(
    `\n## ${table.name}: ${table.rows.length} rows, ${oracle.size} stages, target ${pct(TARGET)}, ${ORDERS} seeded orders of the first seed set (figures pooled over orders)`,
  );
  const widths = [20, 9, 10, 12, 10, 14];
  console.log(pad(['policy', 'success', 'cost', 'cost/success', 'on target', 'oracle savings'], widths));
  for (const [name, perStage] of totals) {
    const total = sum(perStage.values());
    const g = score(perStage, oracle, premiumCost, oracleCost);
    console.log(
      pad(
        [
          name,
          pct(total.successes / total.calls),
          usd(total.cost / ORDERS),
          usd(total.cost / Math.max(total.successes, 1)),
          `${g.compliant}/${g.feasible}`,
          g.savings == null ? 'n/a (oracle = premium)' : pct(g.savings),
        ],
        widths,
      ),
    );
  }
  console.log("per stage (realised success of route() | seed rule | oracle model and its rate; route()'s model shares):");
  for (const [key, o] of oracle) {
    const r = totals.get('route()')!.get(key)!;
    const s = totals.get("seed's fixed rule")!.get(key)!;
    const orc = totals.get('hindsight oracle')!.get(key)!;
    const shares = Object.entries(r.models)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${pct(n / r.calls)}`)
      .join(', ');
    console.log(
      `  ${key.padEnd(28)} ${pct(r.successes / r.calls).padStart(6)} | ${pct(s.successes / s.calls).padStart(6)} | ${`${o.model} ${pct(orc.successes / orc.calls)}${o.feasible ? '' : ' (out of reach)'}`.padEnd(36)} ${shares}`,
    );
  }
  return goals;
}

/**
 * Random tables of one family (see replayData.ts) at one target, in one seed set: target
 * compliance, out-of-reach service and savings of route() and the seed rule, pooled over the
 * family's tables. Not tuned on: a check that route() generalises beyond the dev tables.
 */
async function familyRun(family: TableFamily, target: number | 'own', seedSet: number, tables: number, orders: number): Promise<Map<string, Goals>> {
  const pooled = new Map<string, Goals>();
  for (let t = 1; t <= tables; t++) {
    const table = family.generate(100 + t + 100 * seedSet + SEED_OFFSET);
    const targetOf = targetsOf(table, target);
    const oracle = oracleChoices(table, targetOf);
    const premium = priciestModel(table);
    const seedBase = 1000 * seedSet + SEED_OFFSET;
    const knowing = table.trueRates ? [fixedPolicy(TRUE_RATE_ORACLE, trueRateChoice(table, targetOf))] : [];
    const totals = await replay(
      table,
      async (seed) => [
        await routePolicy(table, seed + seedBase, targetOf),
        seedRulePolicy(table),
        fixedPolicy('always premium', () => premium),
        fixedPolicy('hindsight oracle', (row) => oracle.get(stageKey(row))!.model),
        ...knowing,
      ],
      orders,
      seedBase,
    );
    const premiumCost = sum(totals.get('always premium')!.values()).cost;
    const hindsightCost = sum(totals.get('hindsight oracle')!.values()).cost;
    if (process.env.FAMILY_DETAIL) printStages(table, totals, oracle);
    // Target compliance is judged on what users get: the realised success of route()'s calls, on
    // stages where some model met the target on these very rows. Savings of generated tables are
    // judged against the router that knows each model's true rate: the hindsight oracle also
    // profits from the luck of a short stage's outcomes, which no router can foresee (its share is
    // printed for reference).
    const reference = table.trueRates ? sum(totals.get(TRUE_RATE_ORACLE)!.values()).cost : hindsightCost;
    for (const name of ['route()', "seed's fixed rule"]) {
      const g = score(totals.get(name)!, oracle, premiumCost, reference);
      const p = pooled.get(name) ?? { compliant: 0, feasible: 0, outOfReach: 0, outOfReachOk: 0, savings: null, saved: 0, oracleSaved: 0, hindsightSaved: 0 };
      p.compliant += g.compliant;
      p.feasible += g.feasible;
      p.outOfReach += g.outOfReach;
      p.outOfReachOk += g.outOfReachOk;
      p.saved += g.saved;
      p.oracleSaved += g.oracleSaved;
      p.savings = p.oracleSaved > 1e-12 ? p.saved / p.oracleSaved : null;
      p.hindsightSaved = (p.hindsightSaved ?? 0) + premiumCost - hindsightCost;
      p.hindsightSavings = p.hindsightSaved > 1e-12 ? p.saved / p.hindsightSaved : null;
      pooled.set(name, p);
    }
  }
  return pooled;
}

/** Per stage: each model's rate, the oracle's pick, route()'s realised success and model shares (FAMILY_DETAIL=1). */
function printStages(table: OutcomeTable, totals: Map<string, Map<string, Tally>>, oracle: ReturnType<typeof oracleChoices>): void {
  const premiumCost = sum(totals.get('always premium')!.values()).cost;
  const oracleCost = sum(totals.get('hindsight oracle')!.values()).cost;
  const g = score(totals.get('route()')!, oracle, premiumCost, oracleCost);
  console.log(`  ${table.name}: savings ${g.savings == null ? 'n/a' : pct(g.savings)}`);
  for (const [key, rows] of groupByStage(table.rows)) {
    const truth = table.trueRates?.[key];
    const rates = table.models
      .map((m) => `${m.id} ${pct(rows.filter((r) => r.success[m.id]).length / rows.length)}${truth ? ` (${pct(truth[m.id])})` : ''}`)
      .join(', ');
    const r = totals.get('route()')!.get(key)!;
    const shares = Object.entries(r.models)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${pct(n / r.calls)}`)
      .join(', ');
    const o = oracle.get(key)!;
    const served = truth ? ` (true ${pct(servedTrueRate(table)(key, r))})` : '';
    console.log(
      `    ${key.padEnd(16)} n=${rows.length} target ${pct(o.target)}  ${rates}  | oracle ${o.model}${o.feasible ? '' : ' (out of reach)'} | route ${pct(r.successes / r.calls)}${served}: ${shares}`,
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
  const preDrop = oracleChoices({ ...table, rows: table.rows.filter((r, i) => index[i] < (dropIndex.get(stageKey(r)) ?? 0)) });
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
        if (preDrop.get(key)?.model !== cheap) continue; // only stages the cheap model served well before the drop
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
  const outside = oracleChoices({
    ...table,
    rows: table.rows.filter((r, i) => {
      const [from, to] = dip.get(stageKey(r))!;
      return index[i] < from || index[i] >= to;
    }),
  });
  const delays: number[] = [];
  for (let order = 1; order <= ORDERS; order++) {
    const rows = interleave(dipped.rows, 3000 + order + SEED_OFFSET);
    const picks = new Map<string, boolean[]>();
    await replayIndexed(rows, await routePolicy(dipped, order + SEED_OFFSET), (key, index, model) => {
      if (index >= dip.get(key)![1]) picks.set(key, [...(picks.get(key) ?? []), model === cheap]);
    });
    for (const [key, after] of picks) {
      if (outside.get(key)?.model !== cheap) continue;
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
  const store = await openTelemetry({ now: () => new Date(now) });
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

function recordFamily(family: TableFamily, target: number | 'own', g: Goals): void {
  const goals = family.goals;
  if (!goals) return;
  const at = target === 'own' ? 'own targets' : `target ${pct(target)}`;
  if (g.feasible)
    recordGoal(
      `${family.name}, ${at}: target met (within 2 points) on feasible stages`,
      `>= ${pct(goals.compliance)}`,
      g.compliant / g.feasible,
      `${g.compliant}/${g.feasible}`,
      (v) => v >= goals.compliance,
    );
  if (g.savings != null)
    recordGoal(`${family.name}, ${at}: oracle savings captured`, `>= ${pct(goals.savings)}`, g.savings, pct(g.savings), (v) => v >= goals.savings);
  if (goals.outOfReach != null && g.outOfReach)
    recordGoal(
      `${family.name}, ${at}: out-of-reach stages within 5 points of their best model`,
      `>= ${pct(goals.outOfReach)}`,
      g.outOfReachOk / g.outOfReach,
      `${g.outOfReachOk}/${g.outOfReach}`,
      (v) => v >= goals.outOfReach!,
    );
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
      recordGoal(
        `${table.name}: target met (within 2 points) on stages where the oracle meets it`,
        'all',
        g.compliant / g.feasible,
        `${g.compliant}/${g.feasible}`,
        (v) => v >= 1,
      );
      if (g.outOfReach)
        recordGoal(
          `${table.name}: out-of-reach stages within 5 points of their best model`,
          'all',
          g.outOfReachOk / g.outOfReach,
          `${g.outOfReachOk}/${g.outOfReach}`,
          (v) => v >= 1,
        );
      if (g.savings != null) recordGoal(`${table.name}: oracle savings captured`, '>= 95%', g.savings, pct(g.savings), (v) => v >= 0.95);
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
    console.log('route() | seed rule, each as lowest / median over seed sets; families without goals are informational');
    const widths = [26, 12, 22, 18, 22, 22, 24];
    console.log(pad(['family', 'target', 'route() on target', 'out of reach ok', 'route() savings', 'seed rule on target', 'savings vs hindsight'], widths));
    for (const family of families) {
      timing = family.name;
      for (const target of [...FAMILY_TARGETS, ...(family.ownTargets ? ['own' as const] : [])]) {
        const runs: Array<Map<string, Goals>> = [];
        for (let set = 0; set < SEED_SETS; set++) {
          const run = await familyRun(family, target, set, familyTables, familyOrders);
          recordFamily(family, target, run.get('route()')!);
          runs.push(run);
        }
        const of = (name: string, value: (g: Goals) => number | null) => (runs[0].has(name) ? spread(runs.map((r) => value(r.get(name)!))) : '-');
        const rate = (g: Goals) => (g.feasible ? g.compliant / g.feasible : null);
        const reach = (g: Goals) => (g.outOfReach ? g.outOfReachOk / g.outOfReach : null);
        console.log(
          pad(
            [
              family.name,
              target === 'own' ? 'own 0.4-0.9' : pct(target),
              of('route()', rate),
              of('route()', reach),
              of('route()', (g) => g.savings),
              of("seed's fixed rule", rate),
              of('route()', (g) => g.hindsightSavings ?? null),
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
    const limit = what === MANY_MODELS.name ? 2 : 1;
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
