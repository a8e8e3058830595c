// `npm test`: the three layers of the ladder in order (unit + lint + types, extension host, browser),
// each timed, then one closing line with the counts of all of them.
import { spawn } from 'node:child_process';

const layers = [
  { name: 'unit (lint, types, build, mocha on the core)', script: 'test:unit' },
  { name: 'extension host (code-server)', script: 'test:host' },
  { name: 'browser check (VS Code web UI)', script: 'test:ui' },
];

function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function counts(output) {
  const sum = (re) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const plain = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)];
  return {
    passed: sum(/^\s*(\d+) passing/gm) + plain.reduce((n, m) => n + Number(m[1]), 0),
    failed: sum(/^\s*(\d+) failing/gm) + plain.reduce((n, m) => n + Number(m[2]), 0),
  };
}

let passed = 0;
let failed = 0;
const timings = [];
let exitCode = 0;
for (const layer of layers) {
  const started = Date.now();
  console.log(`\n=== ${layer.name} ===`);
  const { code, output } = await run(layer.script);
  const c = counts(output);
  passed += c.passed;
  failed += c.failed;
  timings.push(`${layer.name}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${c.passed} passed, ${c.failed} failed${code ? ` (exit ${code})` : ''}`);
  if (code !== 0) {
    exitCode = code;
    if (c.failed === 0) failed++; // a layer that broke before counting still counts as a failure
    break;
  }
}
console.log('\n=== summary ===');
for (const line of timings) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
