// bench:team — team sync through a throwaway PostgreSQL (Debian's postgresql package): push rate,
// a new machine's first pull, a steady round, and route() while a round runs. Prints each figure
// with its goal. `npm run bench:team -- --calls 1000000` (the goal's size; default 1,000,000).
import { performance } from 'perf_hooks';
import { AdaptiveModelRouter, ModelRegistry, openTelemetry, syncRound, type LlmCallInput, type TelemetryStore } from '../../src/core';
import { seededRandom } from '../../src/core/random';
import { startPgCluster } from '../../test/pgCluster';

const args = process.argv.slice(2);
const at = args.indexOf('--calls');
const CALLS = at >= 0 ? Number(args[at + 1]) : 1_000_000;
const NOW = Date.now();

function* calls(n: number, seed: number): Generator<LlmCallInput> {
  const random = seededRandom(seed);
  const models = ['claude-haiku-4-5', 'claude-sonnet-5', 'claude-fable-5'];
  for (let i = 0; i < n; i++) {
    const m = Math.floor(random() * 3);
    yield {
      workflow: `workflow-${Math.floor(random() * 40)}`,
      stage: `stage-${Math.floor(random() * 5)}`,
      tier: (['cheap', 'capable', 'premium'] as const)[m],
      model: models[m],
      cost: 0.001 * (m + 1),
      durationMs: 300 + Math.floor(random() * 3000),
      success: random() < 0.8 + m * 0.05,
      ts: NOW - 29 * 86_400_000 + Math.floor((i / n) * 29 * 86_400_000),
    };
  }
}

function track(store: TelemetryStore, source: Iterable<LlmCallInput>): void {
  let batch: LlmCallInput[] = [];
  for (const call of source) {
    batch.push(call);
    if (batch.length === 50_000) {
      store.trackLlmCalls(batch);
      batch = [];
    }
  }
  if (batch.length) store.trackLlmCalls(batch);
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)];
function line(name: string, value: number, unit: string, goal: string, ok?: boolean): void {
  const shown = value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value < 10 ? 3 : 1);
  console.log(`  ${name.padEnd(48)} ${`${shown} ${unit}`.padEnd(18)} goal ${goal.padEnd(12)} ${ok === undefined ? '' : ok ? 'MET' : 'NOT MET'}`);
}

async function main(): Promise<void> {
  console.log(`# bench:team — ${CALLS.toLocaleString('en-US')} calls, PostgreSQL in a throwaway cluster on this machine`);
  const pg = await startPgCluster();
  try {
    const team = { url: pg.url, project: 'bench' };
    // Machine A records the calls, then pushes them all in one round.
    const a = await openTelemetry({ now: () => new Date(NOW) });
    track(a, calls(CALLS, 1));
    let started = performance.now();
    const first = await syncRound(a, team);
    const pushSeconds = (performance.now() - started) / 1000;
    line('push (first round of a machine with its calls)', first.pushed / pushSeconds, 'calls/s', '>= 50,000', first.pushed / pushSeconds >= 50_000);
    // Machine B is new: its first round pulls everything.
    const b = await openTelemetry({ now: () => new Date(NOW) });
    started = performance.now();
    const pulled = await syncRound(b, team);
    const pullSeconds = (performance.now() - started) / 1000;
    line(
      `a new machine's first pull (${pulled.pulled.toLocaleString('en-US')} calls)`,
      pullSeconds,
      's',
      '<= 20',
      pullSeconds <= 20 && pulled.pulled === CALLS,
    );
    // Steady state: 1,000 new calls on A, one round each side.
    track(a, calls(1_000, 2));
    started = performance.now();
    await syncRound(a, team);
    const pushRound = performance.now() - started;
    // B routes while its round runs (the round awaits the database; decisions run in between).
    const router = new AdaptiveModelRouter(b, { registry: new ModelRegistry(), random: seededRandom(3) });
    const random = seededRandom(4);
    const pick = () => ({ workflow: `workflow-${Math.floor(random() * 40)}`, stage: `stage-${Math.floor(random() * 5)}` });
    for (let i = 0; i < 2000; i++) router.route(pick()); // warm: the figure is the round's effect
    const quiet: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      router.route(pick());
      quiet.push(performance.now() - t);
    }
    const during: number[] = [];
    let done = false;
    started = performance.now();
    const round = syncRound(b, team).finally(() => (done = true));
    while (!done) {
      const t = performance.now();
      router.route(pick());
      during.push(performance.now() - t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const steady = await round;
    const pullRound = performance.now() - started;
    line('steady round, 1,000 new calls: push side', pushRound, 'ms', '<= 200', pushRound <= 200);
    line(`steady round, 1,000 new calls: pull side (${steady.pulled} pulled)`, pullRound, 'ms', '<= 200', pullRound <= 200 && steady.pulled === 1_000);
    line('route() p99 with no round running', p99(quiet), 'ms', '<= 1', p99(quiet) <= 1);
    line(`route() p99 while a round runs (${during.length} decisions)`, p99(during), 'ms', '<= 1', p99(during) <= 1);
    a.dispose();
    b.dispose();
  } finally {
    pg.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
