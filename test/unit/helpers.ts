import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { generateSampleCalls, openTelemetryStore, type LlmCallInput } from '../../src/core';
import { clearWeightTables } from '../../src/core/routing/learningPolicy';
import { clearJointCaches } from '../../src/core/routing/tierOrder';
import { waitFor } from '../poll';

/** A fresh folder whose `.attune/telemetry.db` holds the sample calls, ending at sampleEnd(): the CLI tests' workspace. */
export async function sampleWorkspace(): Promise<string> {
  const dir = tempDir();
  const store = await openTelemetryStore({ path: path.join(dir, '.attune', 'telemetry.db'), autoSaveMs: 0 });
  store.trackLlmCalls(generateSampleCalls({ end: sampleEnd() }));
  await store.close();
  return dir;
}

/** A fresh temporary folder per test, removed afterwards by the caller's `after`. */
const made: string[] = [];

/** A fresh folder in the temp directory, removed when the test run ends. */
export function tempDir(prefix = 'amr-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Every test starts with the process-wide caches of the learner empty: a value an earlier test
// cached would otherwise stand in for what this one computes (and hide a wrong computation).
beforeEach(() => {
  clearJointCaches();
  clearWeightTables();
});

// A root-level hook (this module is loaded by mocha): nothing a test made is left behind.
after(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A controllable clock for time windows. */
export function fixedClock(iso = '2026-11-20T12:00:00Z'): { now: () => Date; advance(ms: number): void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/**
 * Where a test's sample ends: the CLI and the editor read the last 7 x 24 hours from the real clock,
 * and with the sample ending at midnight UTC what that window holds would hang on the hour the test
 * runs (before about 07:00 a second stage shows a confident saving). Ended a fixed 15 hours ago, the
 * window holds the same calls at any hour.
 */
export function sampleEnd(now = Date.now()): Date {
  return new Date(now - 15 * 3_600_000);
}

/** n calls of one stage/model, one minute apart ending at `end`, failing where `fails(i)` says so. */
export function series(n: number, base: Partial<LlmCallInput> & { fails?: (i: number) => boolean; end: Date }): LlmCallInput[] {
  const { fails = () => false, end, ...call } = base;
  return Array.from({ length: n }, (_, i) => ({
    workflow: 'code-review',
    stage: 'analysis',
    tier: 'cheap',
    model: 'claude-haiku-3.5',
    cost: 0.0018,
    durationMs: 1200,
    tokens: { input: 1000, output: 500 },
    ...call,
    success: !fails(i),
    ts: new Date(end.getTime() - (n - 1 - i) * 60_000),
  }));
}

/** A line of the upstream UsageTracker's usage.jsonl with every field, as JSON text; `over` replaces fields. */
export function usageLine(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    ts: '2026-11-20T10:00:00Z',
    workflow: 'w',
    stage: 's',
    tier: 'CHEAP',
    model: 'm',
    provider: 'p',
    cost: 0.001,
    tokens: { input: 1, output: 2 },
    cache: { hit: false },
    duration_ms: 5,
    user_id: 'u',
    seq: 1,
    ...over,
  });
}

/** A line of the upstream llm_calls.jsonl with the fields a call usually has, as JSON text; `over` replaces fields. */
export function llmCallsLine(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    call_id: 'c',
    timestamp: '2026-11-20T10:00:00',
    workflow_name: 'w',
    step_name: 's',
    provider: 'p',
    tier: 'cheap',
    model_id: 'm',
    input_tokens: 1,
    output_tokens: 2,
    estimated_cost: 0.1,
    latency_ms: 3,
    success: true,
    ...over,
  });
}

/** The CLI in this process, as a terminal would run it in `cwd`: its exit code and what it printed. */
export async function runCli(args: string[], cwd: string, stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), stdin: async () => stdin, cwd });
  return { code, out, err };
}

/** `adaptive-routing serve` from the built CLI in a child process, once it listens: its URL and what it printed so far. */
export async function startServe(
  cwd: string,
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; out: () => string; err: () => string }> {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--json', ...args], { cwd });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const url = await waitFor('serve to listen', () => /"listening":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1]);
  return { child, url, out: () => out, err: () => err };
}

/** Resolves once nothing listens at `url` any more (its process is gone). */
export function untilClosed(url: string): Promise<boolean> {
  return waitFor(`${url} to close`, () =>
    fetch(`${url}/v1/metrics`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }).then(
      () => false,
      () => true,
    ),
  );
}
