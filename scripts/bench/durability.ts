/**
 * npm run bench:durability [-- --rounds 30 --calls 1000000]
 *
 * 1. kill -9 at a random moment while a client sends, `--rounds` times each, for `serve` (the OTLP
 *    receiver, as VS Code runs it) and for `track`: afterwards every acknowledged call is in the
 *    file, each once (serve: a request answered 200; track: its "Tracked N calls" line).
 * 2. What the journal costs: the receiver's throughput and p99 acknowledgement latency on a file of
 *    `--calls` calls, durable through the journal, durable through a whole-file save per request (what
 *    VS Code did before), and not durable at all (what `serve` would do without either).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { identityOf } from '../../src/core/ingest/callValidation';
import { startOtlpReceiver } from '../../src/core/ingest/otlpReceiver';
import { openTelemetryStore, type TelemetryStore } from '../../src/core';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ROUNDS = option('rounds', 30);
const CALLS = option('calls', 1_000_000);
const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'amr-durability-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(trace: string, first: number, n: number) {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: trace,
    spanId: (first + i).toString(16).padStart(16, '0'),
    name: 'chat',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'claude-haiku-4-5' } },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ spans }] }] });
}

async function storedIds(file: string): Promise<Map<number, number>> {
  if (!fs.existsSync(file) && !fs.readdirSync(path.dirname(file)).some((n) => n.includes('.calls-'))) return new Map();
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0, prefetchHistories: false });
  const counts = new Map<number, number>();
  for (const call of store.calls()) counts.set(call.id, (counts.get(call.id) ?? 0) + 1);
  await store.close();
  return counts;
}

async function killServeRound(round: number): Promise<{ acked: number; missing: number; doubled: number }> {
  const dir = tmp();
  const file = path.join(dir, 'telemetry.db');
  const child = spawn(process.execPath, [cli, 'serve', '--db', file, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!(url = /"listening":"([^"]+)"/.exec(out)?.[1]) && Date.now() < deadline) await sleep(20);
  if (!url) throw new Error('serve did not start');
  const trace = round.toString(16).padStart(32, '0');
  const acked: number[] = [];
  let killed = false;
  const killAt = Date.now() + 100 + Math.random() * 1500;
  const sender = (async () => {
    for (let next = 1; !killed; next += 10) {
      try {
        const response = await fetch(`${url}/v1/traces`, { method: 'POST', body: request(trace, next, 10), headers: { 'Content-Type': 'application/json' } });
        if (response.status === 200) for (let i = 0; i < 10; i++) acked.push(identityOf(`otlp:${trace}:${(next + i).toString(16).padStart(16, '0')}`));
      } catch {
        return; // the receiver is gone
      }
    }
  })();
  while (Date.now() < killAt) await sleep(5);
  child.kill('SIGKILL');
  killed = true;
  await sender;
  // The command (the CLI's child) ends with its parent; wait for its port to close.
  for (let i = 0; i < 200; i++) {
    const open = await fetch(`${url}/v1/metrics`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }).then(
      () => true,
      () => false,
    );
    if (!open) break;
    await sleep(25);
  }
  const ids = await storedIds(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return { acked: acked.length, missing: acked.filter((id) => !ids.has(id)).length, doubled: [...ids.values()].filter((n) => n > 1).length };
}

async function killTrackRound(round: number): Promise<{ acked: number; missing: number; partial: boolean }> {
  const dir = tmp();
  const file = path.join(dir, 'telemetry.db');
  const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ workflow: 'w', stage: 's', model: 'claude-haiku-4-5', id: `r${round}-${i}` })).join(
    '\n',
  );
  const child = spawn(process.execPath, [cli, 'track', '--db', file], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(lines + '\n');
  await sleep(100 + Math.random() * 1400);
  child.kill('SIGKILL');
  await sleep(300); // the command's own process notices its parent is gone within 100 ms
  const acked = /Tracked 3,000 calls/.test(out) ? 3000 : 0;
  const ids = await storedIds(file);
  fs.rmSync(dir, { recursive: true, force: true });
  const missing = acked ? Array.from({ length: 3000 }, (_, i) => identityOf(`r${round}-${i}`)).filter((id) => !ids.has(id)).length : 0;
  // Unacknowledged: all or nothing (one save), never a part.
  return { acked, missing, partial: ids.size !== 0 && ids.size !== 3000 };
}

async function bigFile(file: string, calls: number): Promise<void> {
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0, prefetchHistories: false });
  const now = Date.now();
  for (let i = 0; i < calls; i++) {
    store.trackLlmCall({
      workflow: `workflow-${i % 40}`,
      stage: `stage-${i % 7}`,
      model: i % 3 ? 'claude-haiku-4-5' : 'claude-sonnet-5',
      tokens: { input: 500, output: 120 },
      durationMs: 800,
      success: i % 11 !== 0,
      ts: now - 60_000 - (i % (80 * 86_400)) * 1000,
    });
  }
  await store.close();
}

async function ackCost(file: string, mode: 'journal' | 'save per request' | 'none', requests: number) {
  const store: TelemetryStore = await openTelemetryStore({
    path: file,
    autoSaveMs: mode === 'journal' ? 2000 : 0,
    prefetchHistories: false,
    journal: mode === 'journal',
  });
  const record =
    mode === 'journal'
      ? (calls: Parameters<TelemetryStore['recordDurably']>[0]) => store.recordDurably(calls)
      : mode === 'save per request'
        ? async (calls: Parameters<TelemetryStore['recordDurably']>[0]) => {
            store.trackLlmCalls(calls);
            await store.flush();
          }
        : (calls: Parameters<TelemetryStore['recordDurably']>[0]) => store.trackLlmCalls(calls);
  const receiver = await startOtlpReceiver(record, { port: 0 });
  const url = `http://127.0.0.1:${receiver.port}/v1/traces`;
  const trace = Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(32, '0');
  const latencies: number[] = [];
  const started = performance.now();
  for (let r = 0; r < requests; r++) {
    const t = performance.now();
    const response = await fetch(url, { method: 'POST', body: request(trace, r * 10 + 1, 10), headers: { 'Content-Type': 'application/json' } });
    await response.arrayBuffer();
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  await receiver.close();
  await store.close();
  latencies.sort((a, b) => a - b);
  return {
    callsPerSecond: (requests * 10) / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))],
  };
}

async function main() {
  console.log(`kill -9 while a client sends, ${ROUNDS} rounds each (goal: every acknowledged call in the file, each once)`);
  let serve = { acked: 0, missing: 0, doubled: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const result = await killServeRound(r + 1);
    serve = { acked: serve.acked + result.acked, missing: serve.missing + result.missing, doubled: serve.doubled + result.doubled };
  }
  console.log(
    `  serve (the OTLP receiver): ${serve.acked} calls acknowledged, ${serve.missing} missing, ${serve.doubled} stored twice   ${serve.missing || serve.doubled ? 'MISSED' : 'MET'}`,
  );
  let track = { acked: 0, missing: 0, partial: 0, rounds: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const result = await killTrackRound(r + 1);
    track = {
      acked: track.acked + result.acked,
      missing: track.missing + result.missing,
      partial: track.partial + (result.partial ? 1 : 0),
      rounds: track.rounds + (result.acked ? 1 : 0),
    };
  }
  console.log(
    `  track: ${track.rounds} of ${ROUNDS} rounds acknowledged (${track.acked} calls), ${track.missing} missing; unacknowledged rounds stored part of their batch: ${track.partial}   ${track.missing || track.partial ? 'MISSED' : 'MET'}`,
  );

  const dir = tmp();
  const file = path.join(dir, 'telemetry.db');
  const t = performance.now();
  await bigFile(file, CALLS);
  console.log(
    `\nacknowledgement cost on a file of ${CALLS.toLocaleString('en')} calls (${(fs.statSync(file).size / 1048576).toFixed(0)} MB, written in ${((performance.now() - t) / 1000).toFixed(0)} s); requests of 10 calls, one client`,
  );
  for (const [mode, requests] of [
    ['none', 500],
    ['journal', 500],
    ['save per request', 10],
  ] as const) {
    const cost = await ackCost(file, mode, requests);
    console.log(
      `  ${mode.padEnd(17)} ${cost.callsPerSecond.toFixed(0).padStart(7)} calls/s   p50 ${cost.p50.toFixed(2)} ms   p99 ${cost.p99.toFixed(2)} ms${mode === 'none' ? '   (not durable: a crash loses what was answered)' : ''}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
