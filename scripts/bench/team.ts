// bench:team — team sync through a throwaway PostgreSQL (Debian's postgresql package): push rate,
// a new machine's first pull, a steady round, and route() while a round runs. Prints each figure
// with its goal. `npm run bench:team -- --calls 1000000` (the goal's size; default 1,000,000).
import { performance } from 'perf_hooks';
import { AdaptiveModelRouter, ModelRegistry, openTelemetryStore, syncRound, type LlmCallInput, type TelemetryStore } from '../../src/core';
import { seededRandom } from '../../src/core/random';
import { startPgCluster } from '../../test/pgCluster';
import { warmUpRouterCode } from './warmUp';

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
    const a = await openTelemetryStore({ now: () => new Date(NOW) });
    track(a, calls(CALLS, 1));
    let started = performance.now();
    const first = await syncRound(a, team);
    const pushSeconds = (performance.now() - started) / 1000;
    line('push (first round of a machine with its calls)', first.pushed / pushSeconds, 'calls/s', '>= 50,000', first.pushed / pushSeconds >= 50_000);
    // A new machine's first round pulls everything: right after that bulk push (autovacuum then
    // works through the new rows on the same two cores), and from a database at rest (after
    // VACUUM ANALYZE, as autovacuum leaves it long before a new machine joins): the goal's case.
    const early = await openTelemetryStore({ now: () => new Date(NOW) });
    started = performance.now();
    await syncRound(early, team);
    line('first pull right after the bulk push (autovacuum busy)', (performance.now() - started) / 1000, 's', '(report)');
    early.dispose();
    pg.psql('VACUUM ANALYZE amr_calls');
    const b = await openTelemetryStore({ now: () => new Date(NOW) });
    started = performance.now();
    const pulled = await syncRound(b, team);
    const pullSeconds = (performance.now() - started) / 1000;
    line(
      `a new machine's first pull (${pulled.pulled.toLocaleString('en-US')}, database at rest)`,
      pullSeconds,
      's',
      '<= 20',
      pullSeconds <= 20 && pulled.pulled === CALLS,
    );
    // Steady state, 10 times: 1,000 new calls on A and its round, then B's round while B routes
    // (the round awaits the database; decisions run in between).
    const router = new AdaptiveModelRouter(b, { registry: new ModelRegistry(), random: seededRandom(3) });
    const random = seededRandom(4);
    const pick = () => ({ workflow: `workflow-${Math.floor(random() * 40)}`, stage: `stage-${Math.floor(random() * 5)}` });
    // Warm: the figure is the round's effect, not V8 compiling the router (see warmUp.ts).
    await warmUpRouterCode({ AdaptiveModelRouter, ModelRegistry, openTelemetryStore }, NOW);
    for (let i = 0; i < 2000; i++) router.route(pick());
    const quiet: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      router.route(pick());
      quiet.push(performance.now() - t);
    }
    const routeDuring = async <T>(round: () => Promise<T>, into: number[]): Promise<T> => {
      let done = false;
      const running = round().finally(() => (done = true));
      while (!done) {
        const t = performance.now();
        router.route(pick());
        into.push(performance.now() - t);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return running;
    };
    const pushRounds: number[] = [];
    const pullRounds: number[] = [];
    const during: number[] = [];
    let pulledSteady = 0;
    for (let r = 0; r < 10; r++) {
      track(a, calls(1_000, 10 + r));
      started = performance.now();
      await syncRound(a, team);
      pushRounds.push(performance.now() - started);
      started = performance.now();
      pulledSteady += (await routeDuring(() => syncRound(b, team), during)).pulled;
      pullRounds.push(performance.now() - started);
    }
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
    line('steady round, 1,000 new calls: push side (median of 10)', median(pushRounds), 'ms', '<= 200', median(pushRounds) <= 200);
    line('steady round, 1,000 new calls: pull side (median of 10)', median(pullRounds), 'ms', '<= 200', median(pullRounds) <= 200 && pulledSteady === 10_000);
    line('route() p99 with no round running', p99(quiet), 'ms', '<= 1', p99(quiet) <= 1);
    line(`route() p99 while rounds run (${during.length} decisions)`, p99(during), 'ms', '<= 1', p99(during) <= 1);
    // The database down: rounds fail at once, again and again; decisions go on from the file.
    pg.stop('immediate');
    for (let i = 0; i < 2000; i++) router.route(pick()); // the stages the last round touched, assessed again
    let stopped = false;
    const failing = (async () => {
      while (!stopped) await syncRound(b, team).catch(() => undefined);
    })();
    const down: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      router.route(pick());
      down.push(performance.now() - t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    stopped = true;
    await failing;
    line(`route() p99 while the database is down (${down.length} decisions)`, p99(down), 'ms', '<= 1', p99(down) <= 1);
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
