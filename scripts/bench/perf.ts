/**
 * npm run bench:perf -- --calls 1000000 [--runs 3]
 * Generates telemetry with a fixed seed (40 workflows x 5 stages x 4 models over 30 days), then
 * measures ingest, save, file size, open, decision latencies and memory, each as min / median / max
 * over repeated runs, with the goals beside them. Runs 10k and 100k first so growth is visible.
 * A benchmark, not a test: it prints numbers and exits 0 unless it crashed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { LlmCallInput } from '../../src/core';
import { seededRandom } from '../../src/core/random';

// The production bundle, as scripts and the extension run it (npm run bench:perf builds it first).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AdaptiveModelRouter, ModelRegistry, openTelemetry } = require('../../dist/core.js') as typeof import('../../src/core');

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

async function runOnce(n: number, rows: Map<string, Row>, dir: string): Promise<void> {
  const record = (name: string, unit: string, goal: string, ok: (v: number) => boolean, value: number) => {
    const row = rows.get(name) ?? { name, unit, goal, ok, values: [] };
    row.values.push(value);
    rows.set(name, row);
  };
  const file = path.join(dir, `telemetry-${n}.db`);
  fs.rmSync(file, { force: true });

  // Ingest: trackLlmCall for every call, then one save. Calls are made in untimed batches so that
  // generating them is not counted.
  let store = await openTelemetry({ path: file, autoSaveMs: 0, now: () => new Date(NOW) });
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
  record('ingest (trackLlmCall + save)', 'calls/s', '>= 200,000', (v) => v >= 200_000, n / (ingestMs / 1000));
  record('file size', 'MB', '<= 64', (v) => v <= 64, fs.statSync(file).size / 1048576);
  store.trackLlmCall({ workflow: 'workflow-0', stage: 'stage-0', model: MODELS[0], success: true });
  started = performance.now();
  await store.flush();
  record('save after 1 more call (flush)', 'ms', '<= 500', (v) => v <= 500, performance.now() - started);
  await store.close();

  started = performance.now();
  store = await openTelemetry({ path: file, autoSaveMs: 0, now: () => new Date(NOW) });
  record('open (openTelemetry)', 'ms', '<= 1500', (v) => v <= 1500, performance.now() - started);

  const router = new AdaptiveModelRouter(store, { registry: new ModelRegistry(), random: seededRandom(1) });
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
  // Warm the per-stage caches the way a running extension would have them.
  for (let w = 0; w < 40; w++) for (let s = 0; s < 5; s++) router.route({ workflow: `workflow-${w}`, stage: `stage-${s}` });
  const best = time(() => router.getBestModel({ ...pick(), maxCost: 0.05 }), 2000);
  const upgrade = time(() => { const q = pick(); router.recommendTierUpgrade(q.workflow, q.stage); }, 2000);
  const route = time(() => router.route(pick()), 2000);
  const statsMs = time(() => router.getRoutingStats(pick().workflow, { days: 7 }), 200);
  record('getBestModel p99', 'ms', '<= 1', (v) => v <= 1, percentile(best, 0.99));
  record('recommendTierUpgrade p99', 'ms', '<= 1', (v) => v <= 1, percentile(upgrade, 0.99));
  record('route p99 (warm)', 'ms', '<= 1', (v) => v <= 1, percentile(route, 0.99));
  record('getRoutingStats (workflow, 7 days) p99', 'ms', '<= 20', (v) => v <= 20, percentile(statsMs, 0.99));

  record('process RSS', 'MB', '<= 400', (v) => v <= 400, process.memoryUsage().rss / 1048576);
  // The upstream router reads every call for each decision: measure one such scan in the same run.
  const scan = time(() => {
    const q = pick();
    let calls7 = 0;
    let ok = 0;
    for (const c of store.calls()) if (c.workflow === q.workflow && c.stage === q.stage && c.ts >= NOW - 7 * 86_400_000) {
      calls7++;
      if (c.success !== false) ok++;
    }
    return ok / Math.max(calls7, 1);
  }, n > 200_000 ? 1 : 3);
  record('full-scan decision (upstream style) median', 'ms', 'ratio below', () => true, stats(scan).median);
  record('speed-up of getBestModel over a full scan', 'x', '(report)', () => true, stats(scan).median / stats(best).median);
  store.dispose();
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amr-perf-'));
  console.log(`# bench:perf — ${os.cpus().length} cores, Node ${process.version}; ${RUNS} run(s) per size; times are min / median / max`);
  try {
    for (const n of SIZES) {
      const rows = new Map<string, Row>();
      for (let run = 0; run < RUNS; run++) await runOnce(n, rows, dir);
      console.log(`\n## ${n.toLocaleString('en-US')} calls`);
      for (const row of rows.values()) {
        const s = stats(row.values);
        const fmt = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1));
        const verdict = row.goal.startsWith('(') || row.goal.startsWith('ratio') ? '' : row.ok(s.median) ? 'MET' : 'NOT MET';
        console.log(`  ${row.name.padEnd(44)} ${`${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)} ${row.unit}`.padEnd(34)} goal ${row.goal.padEnd(12)} ${verdict}`);
      }
      if (n === TARGET_CALLS) console.log(`  file kept for sqlite3: ${path.join(dir, `telemetry-${n}.db`)}`);
    }
  } finally {
    if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
