/**
 * npm run bench:stress — the multi-writer and kill tests of the reliability suite at larger counts,
 * with real processes and files. Prints what it checked and what it found; exits 1 on any loss.
 * Options (environment): WRITERS (6), CALLS (10000 per writer), EVERY (100), KILLS (30).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openTelemetryStore } from '../../src/core';

const WRITER = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'writer.cjs');
const WRITERS = Number(process.env.WRITERS ?? 6);
const CALLS = Number(process.env.CALLS ?? 10_000);
const EVERY = Number(process.env.EVERY ?? 100);
const KILLS = Number(process.env.KILLS ?? 30);

function writer(db: string, count: number, every: number, tag: string): { child: ChildProcess; flushed: () => number; done: Promise<number | null> } {
  const child = spawn(process.execPath, [WRITER, db, String(count), String(every), tag], { stdio: ['ignore', 'pipe', 'inherit'] });
  let flushed = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const m of String(chunk).matchAll(/flushed (\d+)/g)) flushed = Math.max(flushed, Number(m[1]));
  });
  return { child, flushed: () => flushed, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function counts(db: string): Promise<Map<string, number>> {
  const store = await openTelemetryStore({ path: db });
  const result = new Map<string, number>();
  for (const call of store.calls({ workflow: 'stress' })) result.set(call.stage, (result.get(call.stage) ?? 0) + 1);
  store.dispose();
  return result;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.resolve(__dirname, '..', '..', 'dist', 'core.js'))) throw new Error('run npm run build first (the writers load dist/core.js)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amr-stress-'));
  let failures = 0;
  try {
    const db = path.join(dir, 'telemetry.db');
    console.log(`## ${WRITERS} concurrent writers x ${CALLS} calls, saving every ${EVERY}`);
    let started = Date.now();
    const all = Array.from({ length: WRITERS }, (_, i) => writer(db, CALLS, EVERY, `w${i}`));
    const codes = await Promise.all(all.map((w) => w.done));
    const found = await counts(db);
    const total = [...found.values()].reduce((a, b) => a + b, 0);
    const lost = WRITERS * CALLS - total;
    console.log(
      `  exit codes ${codes.join(',')}; ${total} calls in the file, expected ${WRITERS * CALLS}: ${lost === 0 ? 'nothing lost' : `${lost} LOST`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    if (lost !== 0 || codes.some((c) => c !== 0)) failures++;

    console.log(`## ${KILLS} writers killed with SIGKILL at random moments`);
    started = Date.now();
    let worst = Infinity;
    for (let round = 0; round < KILLS; round++) {
      const w = writer(db, 1_000_000, 25, `kill${round}`);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 900));
      w.child.kill('SIGKILL');
      await w.done;
      let saved: number;
      try {
        saved = (await counts(db)).get(`kill${round}`) ?? 0;
      } catch (error) {
        console.log(`  round ${round}: the file did not open: ${(error as Error).message}`);
        failures++;
        continue;
      }
      if (saved < w.flushed()) {
        console.log(`  round ${round}: ${saved} calls in the file but ${w.flushed()} reported saved`);
        failures++;
      }
      worst = Math.min(worst, saved - w.flushed());
    }
    console.log(
      `  every kill left a file that opens; calls beyond the last reported save: at least ${worst} (never negative = nothing lost) (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    const after = writer(db, 100, 100, 'after-kills');
    const code = await after.done;
    console.log(`  a writer after the kills (stale lock taken over if one was left): exit ${code}, ${(await counts(db)).get('after-kills') ?? 0}/100 calls`);
    if (code !== 0) failures++;
    console.log(`  file size ${(fs.statSync(db).size / 1048576).toFixed(1)} MB; files left in the folder: ${fs.readdirSync(dir).join(', ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(failures ? `STRESS FAILED: ${failures} problem(s)` : 'stress: all checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
