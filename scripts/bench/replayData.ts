import * as fs from 'fs';
import * as path from 'path';
import { seededRandom } from '../../src/core/random';
import type { Tier } from '../../src/core/tiers';
import type { ModelRegistry } from '../../src/core/routing/registry';
import type { TelemetryStore } from '../../src/core/store/telemetryStore';

/** A full-information outcome table (format v1 of shared/data/README.md). */
export interface OutcomeTable {
  name: string;
  models: Array<{ id: string; tier: Tier; inputPer1M: number | null; outputPer1M: number | null }>;
  rows: OutcomeRow[];
  /** Per-stage success targets (stageKey -> target) where the table sets its own; else the run's target. */
  targets?: Record<string, number>;
  /** Per stage (stageKey), each model's true success probability, for tables generated here. */
  trueRates?: Record<string, Record<string, number>>;
}

export interface OutcomeRow {
  workflow: string;
  stage: string;
  success: Record<string, boolean>;
  cost: Record<string, number>;
}

export function loadTable(dir: string, name: string): OutcomeTable {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.models.json`), 'utf8')) as { models: OutcomeTable['models'] };
  const [header, ...lines] = fs
    .readFileSync(path.join(dir, `${name}.csv`), 'utf8')
    .trim()
    .split(/\r?\n/);
  const columns = header.split(',');
  const rows = lines.map((line): OutcomeRow => {
    const cells = line.split(',');
    const row: OutcomeRow = { workflow: cells[0], stage: cells[1], success: {}, cost: {} };
    columns.forEach((column, i) => {
      if (i < 2) return;
      if (column.endsWith('|cost')) row.cost[column.slice(0, -5)] = Number(cells[i]);
      else row.success[column] = cells[i] === '1';
    });
    return row;
  });
  return { name, models: meta.models, rows };
}

/**
 * Synthetic stages with three tiers, made here (no dataset behind them): a stage the cheap model
 * handles, one that needs the capable tier, one that needs premium, one out of reach, and one where
 * the cheap model sits just above the target. Costs follow per-call prices with noise.
 */
export function syntheticTable(seed = 7, rowsPerStage = 400): OutcomeTable {
  const random = seededRandom(seed);
  const models = [
    { id: 'small', tier: 'cheap' as Tier, inputPer1M: 1, outputPer1M: 5, rate: [0.95, 0.62, 0.4, 0.5, 0.86] },
    { id: 'medium', tier: 'capable' as Tier, inputPer1M: 3, outputPer1M: 15, rate: [0.97, 0.9, 0.66, 0.62, 0.93] },
    { id: 'large', tier: 'premium' as Tier, inputPer1M: 10, outputPer1M: 50, rate: [0.99, 0.95, 0.91, 0.72, 0.97] },
  ];
  const stages = ['easy', 'needs-capable', 'needs-premium', 'out-of-reach', 'borderline'];
  const rows: OutcomeRow[] = [];
  stages.forEach((stage, s) => {
    for (let i = 0; i < rowsPerStage; i++) {
      const difficulty = random();
      const row: OutcomeRow = { workflow: 'synthetic', stage, success: {}, cost: {} };
      for (const m of models) {
        // Correlated outcomes: a hard request is hard for every model.
        row.success[m.id] = difficulty < m.rate[s] ? random() < 0.985 : random() < 0.03;
        const tokensIn = 800 + random() * 1600;
        const tokensOut = 150 + random() * 400;
        row.cost[m.id] = (tokensIn * m.inputPer1M + tokensOut * m.outputPer1M) / 1e6;
      }
      rows.push(row);
    }
  });
  return { name: 'synthetic-3-tier', models: models.map(({ rate: _rate, ...m }) => m), rows };
}

/** The rows with every stage's own order kept, stages interleaved at random. */
export function interleave(rows: OutcomeRow[], seed: number): OutcomeRow[] {
  const random = seededRandom(seed);
  const queues = new Map<string, OutcomeRow[]>();
  for (const row of rows) {
    const key = `${row.workflow}\u0000${row.stage}`;
    if (!queues.has(key)) queues.set(key, []);
    queues.get(key)!.push(row);
  }
  const lists = [...queues.values()].map((list) => ({ list, next: 0 }));
  const out: OutcomeRow[] = [];
  let left = rows.length;
  while (left > 0) {
    let pick = Math.floor(random() * left);
    for (const q of lists) {
      const remaining = q.list.length - q.next;
      if (pick < remaining) {
        out.push(q.list[q.next++]);
        break;
      }
      pick -= remaining;
    }
    left--;
  }
  return out;
}

/** The cheapest model's successes halved after the midpoint of each stage (seeded). */
export function withDrift(table: OutcomeTable, seed: number): { table: OutcomeTable; dropIndex: Map<string, number> } {
  const random = seededRandom(seed);
  const cheapest = cheapestModel(table);
  const counts = new Map<string, number>();
  for (const row of table.rows) counts.set(stageKey(row), (counts.get(stageKey(row)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const dropIndex = new Map<string, number>();
  const rows = table.rows.map((row) => {
    const key = stageKey(row);
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const mid = Math.floor((counts.get(key) ?? 0) / 2);
    dropIndex.set(key, mid);
    if (index < mid) return row;
    return { ...row, success: { ...row.success, [cheapest]: row.success[cheapest] && random() < 0.5 } };
  });
  return { table: { ...table, name: `${table.name} + drift`, rows }, dropIndex };
}

/** The cheapest model's successes halved in the middle third of each stage, then restored (seeded). */
export function withDip(table: OutcomeTable, seed: number): { table: OutcomeTable; dip: Map<string, [number, number]> } {
  const random = seededRandom(seed);
  const cheapest = cheapestModel(table);
  const counts = new Map<string, number>();
  for (const row of table.rows) counts.set(stageKey(row), (counts.get(stageKey(row)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const dip = new Map<string, [number, number]>();
  const rows = table.rows.map((row) => {
    const key = stageKey(row);
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const n = counts.get(key) ?? 0;
    const span: [number, number] = [Math.floor(n / 3), Math.floor((2 * n) / 3)];
    dip.set(key, span);
    if (index < span[0] || index >= span[1]) return row;
    return { ...row, success: { ...row.success, [cheapest]: row.success[cheapest] && random() < 0.5 } };
  });
  return { table: { ...table, name: `${table.name} + dip`, rows }, dip };
}

export function stageKey(row: { workflow: string; stage: string }): string {
  return `${row.workflow}/${row.stage}`;
}

export function cheapestModel(table: OutcomeTable): string {
  const average = (id: string) => table.rows.reduce((n, r) => n + r.cost[id], 0) / table.rows.length;
  return [...table.models].sort((a, b) => average(a.id) - average(b.id))[0].id;
}

export function priciestModel(table: OutcomeTable): string {
  const average = (id: string) => table.rows.reduce((n, r) => n + r.cost[id], 0) / table.rows.length;
  return [...table.models].sort((a, b) => average(b.id) - average(a.id))[0].id;
}

/** A family of random tables: what varies between the outcome tables route() may meet elsewhere. */
export interface TableFamily {
  name: string;
  /** One random table of the family; the same seed gives the same table. */
  generate(seed: number): OutcomeTable;
  /** Goals for route() on this family (pooled over its tables), or none for an informational family. */
  goals?: FamilyGoals;
  /** The targets the family is run at, where not the run's (a family made for one target). */
  targets?: number[];
  /** The family draws its own per-stage targets (in addition to the fixed targets every family is run at). */
  ownTargets?: boolean;
}

/** What route() must reach on a family (see bench:routing for how each is measured). */
export interface FamilyGoals {
  /** Share of feasible stages served at the target - 1 point or better, pooled over seed sets. */
  compliance: number;
  /** Share of the margin oracle's savings (against always the priciest model). */
  savings: number;
  /** Share of borderline stages served within 2 points of their best model. */
  borderline?: number;
  /** Share of out-of-reach stages served (all their calls) within 5 points of their best model. */
  outOfReach?: number;
  /** Share of out-of-reach stage replays that settle on a model within 5 points of the best, and on the cheapest of those. */
  settledInBand?: number;
  settledCheapest?: number;
}

/** The earlier families' shape: models as [tier, skill, input $/1M, output $/1M]. */
interface ParametricFamily {
  name: string;
  models: Array<[Tier, number, number, number]>;
  stages: [number, number];
  rowsPerStage: [number, number];
  tokens: { input: [number, number]; output: [number, number] };
  /** Share of stages where the tiers' order breaks: the priciest model does worse than the next. */
  orderBreaks: number;
  /** Hardness range of stages (0 easy for everyone, 1 hard). */
  hardness: [number, number];
}

const PARAMETRIC_FAMILIES: ParametricFamily[] = [
  {
    name: 'short stages, 2 tiers',
    models: [
      ['cheap', 0.55, 0.25, 1.25],
      ['premium', 0.85, 10, 30],
    ],
    stages: [6, 10],
    rowsPerStage: [15, 30],
    tokens: { input: [300, 1500], output: [100, 600] },
    orderBreaks: 0,
    hardness: [0, 1],
  },
  {
    name: 'medium stages, 3 tiers',
    models: [
      ['cheap', 0.5, 0.8, 4],
      ['capable', 0.72, 3, 15],
      ['premium', 0.86, 15, 75],
    ],
    stages: [5, 8],
    rowsPerStage: [60, 200],
    tokens: { input: [800, 4000], output: [200, 1200] },
    orderBreaks: 0.1,
    hardness: [0, 1],
  },
  {
    name: 'agentic, 5 models',
    models: [
      ['cheap', 0.4, 0.25, 1.25],
      ['cheap', 0.5, 1, 5],
      ['capable', 0.7, 3, 15],
      ['premium', 0.8, 5, 25],
      ['premium', 0.85, 15, 75],
    ],
    stages: [4, 6],
    rowsPerStage: [100, 300],
    tokens: { input: [5000, 50000], output: [500, 5000] },
    orderBreaks: 0.15,
    hardness: [0.2, 1],
  },
];

/**
 * Many models: 8 to 12 across three tiers, about 30x between the cheapest and the priciest, skill
 * only loosely tied to price (the tier order breaks often, within a tier and across), 300 to 1,500
 * calls per stage, and hard stages where no model reaches a high target.
 */
export const MANY_MODELS: TableFamily = {
  name: 'many models',
  goals: { compliance: 0.95, savings: 0.9, borderline: 1, settledInBand: 1 },
  generate(seed) {
    const random = seededRandom(seed);
    const uniform = (low: number, high: number) => low + random() * (high - low);
    const count = 8 + Math.floor(random() * 5);
    const factors = Array.from({ length: count }, (_, i) => 30 ** (i / (count - 1)) * (i === 0 || i === count - 1 ? 1 : uniform(0.85, 1.15))).sort(
      (a, b) => a - b,
    );
    const models = factors.map((factor, i) => {
      const tier: Tier = i < count / 3 ? 'cheap' : i < (2 * count) / 3 ? 'capable' : 'premium';
      // Skill rises with price on average, with enough noise that a pricier model is often worse.
      const skill = Math.min(0.95, Math.max(0.3, 0.45 + 0.42 * (i / (count - 1)) + uniform(-0.12, 0.12)));
      return { id: `${tier}-${i + 1}`, tier, skill, inputPer1M: 0.5 * factor, outputPer1M: 2.5 * factor };
    });
    const stageCount = 4 + Math.floor(random() * 4);
    const rates: number[][] = [];
    const counts: number[] = [];
    for (let s = 0; s < stageCount; s++) {
      const hardness = uniform(0.1, 1);
      rates.push(models.map((m) => Math.min(0.99, Math.max(0.2, 1 - 1.3 * hardness * (1 - m.skill) + uniform(-0.06, 0.06)))));
      counts.push(300 + Math.floor(random() * 1201));
    }
    return {
      name: `many models #${seed}`,
      models: models.map(({ skill: _skill, ...m }) => m),
      rows: correlatedRows(random, 'many', models, rates, counts, [1000, 6000], [200, 1500]),
      trueRates: trueRatesOf('many', models, rates),
    };
  },
};

/**
 * Short stages: one workflow of 10 to 14 stages with 20 to 100 calls each, two or three models whose
 * success differs by 0 to 10 points at up to 3x the cost. The workflow's stages are alike (a shared
 * base rate), so what the other stages showed is evidence for a new one. Own targets 0.4 to 0.9.
 */
export const SHORT_STAGES: TableFamily = {
  name: 'short stages',
  goals: { compliance: 0.95, savings: 0.85, borderline: 1 },
  ownTargets: true,
  generate(seed) {
    const random = seededRandom(seed);
    const uniform = (low: number, high: number) => low + random() * (high - low);
    const three = random() < 0.5;
    const models = [
      { id: 'cheap-1', tier: 'cheap' as Tier, inputPer1M: 1, outputPer1M: 5 },
      ...(three ? [{ id: 'capable-2', tier: 'capable' as Tier, inputPer1M: 1.7, outputPer1M: 8.5 }] : []),
      { id: 'premium-3', tier: 'premium' as Tier, inputPer1M: 3, outputPer1M: 15 },
    ];
    const base = uniform(0.5, 0.95);
    const stageCount = 10 + Math.floor(random() * 5);
    const rates: number[][] = [];
    const counts: number[] = [];
    const targets: Record<string, number> = {};
    for (let s = 0; s < stageCount; s++) {
      const top = Math.min(0.98, Math.max(0.3, base + uniform(-0.1, 0.1)));
      const gap = uniform(0, 0.1);
      rates.push(three ? [top - gap, top - gap * uniform(0, 1), top] : [top - gap, top]);
      counts.push(20 + Math.floor(random() * 81));
      targets[`short/stage-${s + 1}`] = Math.round(uniform(0.4, 0.9) * 100) / 100;
    }
    return {
      name: `short stages #${seed}`,
      models,
      rows: correlatedRows(random, 'short', models, rates, counts, [300, 1500], [100, 600]),
      targets,
      trueRates: trueRatesOf('short', models, rates),
    };
  },
};

/** The earlier families, without goals: what route() does on them is printed for information. */
export const INFORMATIONAL_FAMILIES: TableFamily[] = PARAMETRIC_FAMILIES.map(parametric);

function parametric(family: ParametricFamily): TableFamily {
  return { name: family.name, generate: (seed) => randomTable(family, seed) };
}

/**
 * Rows of a table from per-stage success rates: outcomes correlated through a per-request difficulty
 * (a hard request is hard for every model), cost from per-request tokens at each model's prices.
 */
export function correlatedRows(
  random: () => number,
  workflow: string,
  models: PricedModel[],
  rates: number[][],
  counts: number[],
  input: [number, number],
  output: [number, number],
): OutcomeRow[] {
  return rates.flatMap((stageRates, s) => stageRows(random, workflow, `stage-${s + 1}`, models, stageRates, counts[s], input, output));
}

/** A row succeeds with 0.985 when its difficulty is under the model's rate, else 0.03 (see stageRows). */
export function successProbability(rate: number): number {
  return rate * 0.985 + (1 - rate) * 0.03;
}

/** Each stage's true success probability per model, keyed like stageKey. */
export function trueRatesOf(workflow: string, models: Array<{ id: string }>, rates: number[][]): Record<string, Record<string, number>> {
  return Object.fromEntries(
    rates.map((stageRates, s) => [`${workflow}/stage-${s + 1}`, Object.fromEntries(models.map((m, i) => [m.id, successProbability(stageRates[i])]))]),
  );
}

type PricedModel = { id: string; inputPer1M: number; outputPer1M: number };

/** One stage's rows at the given success rates per model (see correlatedRows). */
function stageRows(
  random: () => number,
  workflow: string,
  stage: string,
  models: PricedModel[],
  rates: number[],
  count: number,
  input: [number, number],
  output: [number, number],
): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  for (let r = 0; r < count; r++) {
    const difficulty = random();
    const tokensIn = input[0] + random() * (input[1] - input[0]);
    const tokensOut = output[0] + random() * (output[1] - output[0]);
    const row: OutcomeRow = { workflow, stage, success: {}, cost: {} };
    models.forEach((m, i) => {
      row.success[m.id] = difficulty < rates[i] ? random() < 0.985 : random() < 0.03; // successProbability(rates[i]) on average
      row.cost[m.id] = (tokensIn * m.inputPer1M + tokensOut * m.outputPer1M * (0.8 + random() * 0.4)) / 1e6;
    });
    rows.push(row);
  }
  return rows;
}

/**
 * One random table of a parametric family: per stage a hardness h, per model a success rate of about
 * 1 - 1.3 h (1 - skill) with noise; outcomes correlated through a per-request difficulty.
 */
function randomTable(family: ParametricFamily, seed: number): OutcomeTable {
  const random = seededRandom(seed);
  const uniform = ([low, high]: [number, number]) => low + random() * (high - low);
  const models = family.models.map(([tier, skill, inputPer1M, outputPer1M], i) => ({ id: `${tier}-${i + 1}`, tier, skill, inputPer1M, outputPer1M }));
  const stageCount = Math.round(uniform(family.stages));
  const rows: OutcomeRow[] = [];
  for (let s = 0; s < stageCount; s++) {
    const hardness = uniform(family.hardness);
    const rates = models.map((m) => Math.min(0.99, Math.max(0.2, 1 - 1.3 * hardness * (1 - m.skill) + (random() - 0.5) * 0.08)));
    if (random() < family.orderBreaks && models.length > 1) {
      const last = models.length - 1;
      rates[last] = Math.max(0.2, rates[last - 1] - 0.05 - random() * 0.15);
    }
    const count = Math.round(uniform(family.rowsPerStage));
    rows.push(...stageRows(random, 'random', `stage-${s + 1}`, models, rates, count, family.tokens.input, family.tokens.output));
  }
  return { name: `${family.name} #${seed}`, models: models.map(({ skill: _skill, ...m }) => m), rows };
}

/** Records the outcome of a replayed row on the model that served it, as a workflow would. */
export function recordReplayedCall(store: TelemetryStore, registry: ModelRegistry, row: OutcomeRow, model: string, ts: number): void {
  store.trackLlmCall({
    workflow: row.workflow,
    stage: row.stage,
    model,
    tier: registry.tierOf(model),
    cost: row.cost[model],
    success: row.success[model],
    ts,
  });
}
