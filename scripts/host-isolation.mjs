#!/usr/bin/env node
// Runs every extension-host test of a suite alone (AMR_GREP on its exact title), then the whole suite
// in reverse order (AMR_REVERSE): no test may depend on what another left behind. Slow (a code-server
// window per test, about half a minute each), so not part of npm test.
//   node scripts/host-isolation.mjs [suite ...]   (default: extension restricted team)
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['extension', 'restricted', 'team'];
const escape = (title) => title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const failed = [];
let runs = 0;
for (const suite of suites) {
  const dir = join(root, 'test', 'integration');
  const source = readdirSync(dir)
    .filter((f) => f.endsWith(`${suite}.test.ts`))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const titles = [...source.matchAll(/^\s+it\((['"`])(.+?)\1,/gm)].map((m) => m[2].replace(/\\'/g, "'"));
  const plan = [
    ...titles.map((title) => ({ label: title, env: { AMR_GREP: `^.* ${escape(title)}$` } })),
    { label: '(reverse order)', env: { AMR_REVERSE: '1' } },
  ];
  for (const run of plan) {
    runs++;
    const started = Date.now();
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'run-host-tests.mjs')], {
      env: { ...process.env, AMR_SUITES: suite, ...run.env },
      encoding: 'utf8',
    });
    const passing = /(\d+) passing/.exec(result.stdout)?.[1] ?? '0';
    const ok = result.status === 0 && passing !== '0';
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${suite}: ${run.label} (${passing} passing, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    if (!ok) failed.push(`${suite}: ${run.label}\n${result.stdout.split('\n').slice(-30).join('\n')}`);
  }
}
console.log(`\n${runs - failed.length} of ${runs} runs passed`);
for (const f of failed) console.log(`\n--- ${f}`);
process.exit(failed.length ? 1 : 0);
