/**
 * npm run bench:perf -- --calls 1000000 [--runs 3]
 * Generates telemetry with a fixed seed (40 workflows x 5 stages x 4 models over 30 days), then
 * measures ingest, save and file size, then (in a fresh process, as the extension opens a file) open,
 * decision latencies and memory, each as min / median / max over repeated runs, with the goals beside them. Runs 10k and 100k first so growth is visible.
 * A benchmark, not a test: it prints numbers and exits 0 unless it crashed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { LlmCallInput } from '../../src/core';
import { seededRandom } from '../../src/core/random';
import { warmUpRouterCode } from './warmUp';

// The production bundle, as scripts and the extension run it (npm run bench:perf builds it first).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AdaptiveModelRouter, ModelRegistry, openTelemetryStore } = require('../../dist/core.js') as typeof import('../../src/core');

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TARGET_CALLS = option('calls', 1_000_000);
const RUNS = option('runs', 3);
const SIZES = [...new Set([10_000, 100_000, TARGET_CALLS].filter((n) => n <= TARGET_CALLS))];
const NOW = Date.parse('2026-11-20T12:00:00Z');
const MODELS = ['claude-haiku-4-5', 'claude-sonnet-5', 'claude-fable-5', 'claude-opus-4-8'];
const TIERS = ['cheap', 'capable', 'premium', null] as const;

/** The calls one by one (not held in an array: the memory measured is the store's). */
function* generate(n: number): Generator<LlmCallInput> {
  const random = seededRandom(2026);
  for (let i = 0; i < n; i++) {
    const w = Math.floor(random() * 40);
    const s = Math.floor(random() * 5);
    const m = Math.floor(random() * 4);
    const input = 500 + Math.floor(random() * 3000);
    const output = 100 + Math.floor(random() * 800);
    yield {
      workflow: `workflow-${w}`,
      stage: `stage-${s}`,
      tier: TIERS[m],
      model: MODELS[m],
      provider: 'anthropic',
      cost: (input * (m + 1) + output * 5 * (m + 1)) / 1e6,
      tokens: { input, output },
      durationMs: 300 + Math.floor(random() * 4000),
      success: random() < 0.75 + m * 0.06,
      cacheHit: random() < 0.2,
      // Spread over 30 days, in time order as they would arrive.
      ts: NOW - 30 * 86_400_000 + Math.floor((i / n) * 30 * 86_400_000),
    };
  }
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

type Row = { name: string; unit: string; goal: string; ok: (v: number) => boolean; values: number[] };

/** Units and goals by figure, shared by the runs (which report numbers only) and the summary. */
const GOALS: Record<string, Omit<Row, 'name' | 'values'>> = {
  'ingest (trackLlmCall + save)': { unit: 'calls/s', goal: '>= 200,000', ok: (v) => v >= 200_000 },
  'file size': { unit: 'MB', goal: '<= 64', ok: (v) => v <= 64 },
  'save after 1 more call (flush)': { unit: 'ms', goal: '<= 500', ok: (v) => v <= 500 },
  'open (openTelemetryStore)': { unit: 'ms', goal: '<= 1500', ok: (v) => v <= 1500 },
  'getBestModel p99': { unit: 'ms', goal: '<= 1', ok: (v) => v <= 1 },
  'recommendTierUpgrade p99': { unit: 'ms', goal: '<= 1', ok: (v) => v <= 1 },
  'route p99 (warm)': { unit: 'ms', goal: '<= 1', ok: (v) => v <= 1 },
  'background read of stage histories': { unit: 'ms', goal: '(report)', ok: () => true },
  "the process's first decision (compiles the code)": { unit: 'ms', goal: '(report)', ok: () => true },
  'background preparation of first decisions (prepare)': { unit: 'ms', goal: '(report)', ok: () => true },
  'first route per stage after open p99': { unit: 'ms', goal: '<= 2', ok: (v) => v <= 2 },
  'first route per stage, no prepare(), p99': { unit: 'ms', goal: '(report)', ok: () => true },
  'route + trackLlmCall loop p99, cold process': { unit: 'ms', goal: '(report)', ok: () => true },
  'route + trackLlmCall loop p99': { unit: 'ms', goal: '<= 1', ok: (v) => v <= 1 },
  'getRoutingStats (workflow, 7 days) p99': { unit: 'ms', goal: '<= 20', ok: (v) => v <= 20 },
  'process RSS': { unit: 'MB', goal: '<= 400', ok: (v) => v <= 400 },
  'full-scan decision (upstream style) median': { unit: 'ms', goal: 'ratio below', ok: () => true },
  'speed-up of getBestModel over a full scan': { unit: 'x', goal: '(report)', ok: () => true },
};

type Recorder = (name: string, value: number) => void;

/** Ingest, file size and save: writes the file that readFile() then opens in a fresh process. */
async function writeFile(n: number, record: Recorder, dir: string): Promise<void> {
  const file = path.join(dir, `telemetry-${n}.db`);
  fs.rmSync(file, { force: true });

  // Ingest: trackLlmCall for every call, then one save. Calls are made in untimed batches so that
  // generating them is not counted.
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: () => new Date(NOW) });
  let ingestMs = 0;
  const source = generate(n);
  for (;;) {
    const batch: LlmCallInput[] = [];
    for (let next = source.next(); !next.done; next = batch.length < 50_000 ? source.next() : { done: true, value: undefined }) batch.push(next.value);
    if (batch.length === 0) break;
    const t = performance.now();
    for (const call of batch) store.trackLlmCall(call);
    ingestMs += performance.now() - t;
  }
  let started = performance.now();
  await store.flush();
  ingestMs += performance.now() - started;
  record('ingest (trackLlmCall + save)', n / (ingestMs / 1000));
  record('file size', fs.statSync(file).size / 1048576);
  store.trackLlmCall({ workflow: 'workflow-0', stage: 'stage-0', model: MODELS[0], success: true });
  started = performance.now();
  await store.flush();
  record('save after 1 more call (flush)', performance.now() - started);
  await store.close();
}

/**
 * Opening the file and deciding, in a process of its own as the extension would (not one holding
 * the garbage of a million calls just written, whose collection would land on the decisions timed).
 */
async function readFile(n: number, record: Recorder, dir: string): Promise<void> {
  const file = path.join(dir, `telemetry-${n}.db`);
  let started = performance.now();
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0, now: () => new Date(NOW) });
  record('open (openTelemetryStore)', performance.now() - started);
  // Then the store reads its stages' recent calls in the background (slices of 8 ms): how long until done.
  started = performance.now();
  await store.prefetched;
  record('background read of stage histories', performance.now() - started);

  const router = new AdaptiveModelRouter(store, { registry: new ModelRegistry(), random: seededRandom(1) });
  // The process's first decision (V8 compiles the router's code: once per process, whatever the
  // stage), on a small in-memory store so that no stage of the file is warmed by it; then 500 more
  // there, each followed by a call on its stage as a workflow makes, so that V8 has also optimised
  // the code of exploring decisions and of decisions on a stage that moved (a warm decision works
  // out nothing again), whose compilation would otherwise land on whichever stages come next.
  const warmUp = await openTelemetryStore({ now: () => new Date(NOW) });
  warmUp.trackLlmCalls(Array.from(generate(200), (call) => ({ ...call, workflow: 'warm-up' })));
  const warmUpRouter = new AdaptiveModelRouter(warmUp, { registry: new ModelRegistry(), random: seededRandom(1) });
  started = performance.now();
  warmUpRouter.route({ workflow: 'warm-up', stage: 'stage-0' });
  record("the process's first decision (compiles the code)", performance.now() - started);
  const warmUpOutcome = seededRandom(3);
  for (let i = 0; i < 500; i++) {
    const query = { workflow: 'warm-up', stage: `stage-${i % 5}` };
    const decision = warmUpRouter.route(query);
    warmUp.trackLlmCall({
      ...query,
      model: decision.model,
      tier: decision.tier,
      success: warmUpOutcome() < 0.85,
      durationMs: 900,
      cost: 0.002,
      ts: new Date(NOW),
    });
  }
  warmUp.dispose();
  // Then the router works out each of those stages' first decision, in slices (the extension does
  // this when it makes its router).
  started = performance.now();
  await router.prepare();
  record('background preparation of first decisions (prepare)', performance.now() - started);
  const random = seededRandom(7);
  const pick = () => ({ workflow: `workflow-${Math.floor(random() * 40)}`, stage: `stage-${Math.floor(random() * 5)}` });
  const time = (fn: () => void, count: number) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      fn();
      out.push(performance.now() - t);
    }
    return out;
  };
  // The first decision of each stage of the file after opening it (and after prepare()); then the
  // same on a router that was not prepared (its stages' evidence and assessments not yet worked
  // out; the prior integrals, shared by routers, warm).
  const firstRoutes = (r: typeof router) => {
    const times: number[] = [];
    for (let w = 0; w < 40; w++)
      for (let s = 0; s < 5; s++) {
        const t = performance.now();
        r.route({ workflow: `workflow-${w}`, stage: `stage-${s}` });
        times.push(performance.now() - t);
      }
    return percentile(times, 0.99);
  };
  record('first route per stage after open p99', firstRoutes(router));
  record('first route per stage, no prepare(), p99', firstRoutes(new AdaptiveModelRouter(store, { registry: new ModelRegistry(), random: seededRandom(1) })));
  // The loop a workflow runs: decide, call the model, record its outcome on the same stage.
  const outcome = seededRandom(11);
  const decideAndRecord = () =>
    time(() => {
      const q = pick();
      const decision = router.route(q);
      store.trackLlmCall({ ...q, model: decision.model, tier: decision.tier, success: outcome() < 0.85, durationMs: 900, cost: 0.002, ts: new Date(NOW) });
    }, 2000);
  // Its first 2,000 rounds in this process, while V8 still compiles and re-compiles the router's
  // code in the background (on 2 cores that takes the decisions' core now and then): reported.
  record('route + trackLlmCall loop p99, cold process', percentile(decideAndRecord(), 0.99));
  // The figures below are those of a process that has been deciding for a while: V8 has compiled
  // the router's code on inputs of the file's proportions (warmUp.ts; none of the file's stages).
  await warmUpRouterCode({ AdaptiveModelRouter, ModelRegistry, openTelemetryStore }, NOW);
  // Every stage the cold loop moved is assessed again, so that the warm figures are warm stages.
  for (let w = 0; w < 40; w++) for (let s = 0; s < 5; s++) router.route({ workflow: `workflow-${w}`, stage: `stage-${s}` });
  const best = time(() => router.getBestModel({ ...pick(), maxCost: 0.05 }), 2000);
  const upgrade = time(() => {
    const q = pick();
    router.recommendTierUpgrade(q.workflow, q.stage);
  }, 2000);
  const route = time(() => router.route(pick()), 2000);
  record('route + trackLlmCall loop p99', percentile(decideAndRecord(), 0.99));
  const statsMs = time(() => router.getRoutingStats(pick().workflow, { days: 7 }), 200);
  record('getBestModel p99', percentile(best, 0.99));
  record('recommendTierUpgrade p99', percentile(upgrade, 0.99));
  record('route p99 (warm)', percentile(route, 0.99));
  record('getRoutingStats (workflow, 7 days) p99', percentile(statsMs, 0.99));

  record('process RSS', process.memoryUsage().rss / 1048576);
  // The upstream router reads every call for each decision: measure one such scan in the same run.
  const scan = time(
    () => {
      const q = pick();
      let calls7 = 0;
      let ok = 0;
      for (const c of store.calls())
        if (c.workflow === q.workflow && c.stage === q.stage && c.ts >= NOW - 7 * 86_400_000) {
          calls7++;
          if (c.success !== false) ok++;
        }
      return ok / Math.max(calls7, 1);
    },
    n > 200_000 ? 1 : 3,
  );
  record('full-scan decision (upstream style) median', stats(scan).median);
  record('speed-up of getBestModel over a full scan', stats(scan).median / stats(best).median);
  store.dispose();
}

/** One phase of a run in this process (a fresh process per phase and run, so memory figures do not carry over). */
async function child(n: number, dir: string, phase: string): Promise<void> {
  const values: Array<[string, number]> = [];
  await (phase === 'write' ? writeFile : readFile)(n, (name, value) => values.push([name, value]), dir);
  process.stdout.write(`AMR_RUN ${JSON.stringify(values)}\n`);
}

async function main(): Promise<void> {
  const childAt = args.indexOf('--child');
  if (childAt >= 0) return child(Number(args[childAt + 1]), args[childAt + 2], args[childAt + 3]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amr-perf-'));
  console.log(
    `# bench:perf — ${os.cpus().length} cores, Node ${process.version}; ${RUNS} run(s) per size, writing and reading each in a fresh process; times are min / median / max`,
  );
  try {
    for (const n of SIZES) {
      const rows = new Map<string, Row>();
      for (let run = 0; run < RUNS * 2; run++) {
        const phase = run % 2 === 0 ? 'write' : 'read';
        const result = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', String(n), dir, phase], {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        });
        const line = result.stdout.split('\n').find((l) => l.startsWith('AMR_RUN '));
        if (!line) throw new Error(`run ${Math.floor(run / 2) + 1} (${phase}) at ${n} calls failed:\n${result.stderr}`);
        for (const [name, value] of JSON.parse(line.slice(8)) as Array<[string, number]>) {
          const template = GOALS[name];
          const row = rows.get(name) ?? { name, unit: template.unit, goal: template.goal, ok: template.ok, values: [] };
          row.values.push(value);
          rows.set(name, row);
        }
      }
      console.log(`\n## ${n.toLocaleString('en-US')} calls`);
      for (const row of rows.values()) {
        const s = stats(row.values);
        const fmt = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1));
        // The goals are set for the full size; the smaller sizes show how the figures grow.
        const verdict = n !== TARGET_CALLS || row.goal.startsWith('(') || row.goal.startsWith('ratio') ? '' : row.ok(s.median) ? 'MET' : 'NOT MET';
        console.log(
          `  ${row.name.padEnd(44)} ${`${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)} ${row.unit}`.padEnd(34)} goal ${row.goal.padEnd(12)} ${verdict}`,
        );
      }
      if (n === TARGET_CALLS) {
        const file = path.join(dir, `telemetry-${n}.db`);
        const check = spawnSync('sqlite3', [file, 'PRAGMA quick_check; SELECT count(*) FROM calls_readable; PRAGMA user_version;'], { encoding: 'utf8' });
        console.log(
          `  sqlite3 on the ${(fs.statSync(file).size / 1048576).toFixed(1)} MB file: ${check.error ? `not run (${check.error.message})` : check.stdout.trim().split('\n').join(' | ')}`,
        );
        if (process.env.KEEP) console.log(`  file kept: ${file}`);
      }
    }
  } finally {
    if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
