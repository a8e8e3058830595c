// Layer 2 of the test ladder: the mocha integration suite inside a real VS Code extension host
// (code-server 4.100.3 = VS Code 1.100.3), driven through Debian's Chromium, against the unpacked
// .vsix. Exits with the suite's result; every process started here is ended, also on failure.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  buildIntegrationTests,
  cleanup,
  ensureTestTools,
  launchChromium,
  makeFixtureWorkspace,
  onExit,
  packageExtension,
  quietLog,
  root,
  startCodeServer,
  tempFolder,
} from './lib/testEnv.mjs';

const TIMEOUT_MS = 5 * 60_000;
const started = Date.now();

ensureTestTools();
const scratch = tempFolder('amr-host-');
let server;
let browser;
let pgServer;
const stopAll = onExit(() => {
  server?.stop();
  pgServer?.stop();
  cleanup(scratch);
});

async function main() {
  const extensionDir = await packageExtension(join(scratch, 'package'));
  const testsDir = await buildIntegrationTests();

  const suites = (process.env.AMR_SUITES ?? 'extension,restricted,corrupt,team').split(',');
  let failures = 0;
  for (const suite of suites) {
    const workspace = await makeFixtureWorkspace(join(extensionDir, 'dist', 'core.js'), { withTelemetry: suite !== 'perf' });
    if (suite === 'corrupt') corruptTelemetry(join(workspace, '.attune', 'telemetry.db'));
    if (suite === 'restricted') {
      // A repository's settings naming a team database: an untrusted window must not use them.
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'adaptiveRouting.team.database': 'postgres://someone@203.0.113.9/stolen' }));
    }
    if (suite === 'team') {
      pgServer = await startPostgres();
      // The workspace sets the team database, as a team's repository would.
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(
        join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({
          'adaptiveRouting.team.database': pgServer.url,
          'adaptiveRouting.team.project': 'host-suite',
          'adaptiveRouting.team.syncIntervalSeconds': 3600,
        }),
      );
    }
    if (suite === 'perf')
      await largeTelemetry(join(extensionDir, 'dist', 'core.js'), join(workspace, '.attune', 'telemetry.db'), Number(process.env.AMR_PERF_CALLS ?? 1_000_000));
    const code = await runSuite(suite, extensionDir, testsDir, workspace, suite === 'restricted', suite === 'team' ? { AMR_TEAM_DB: pgServer.url } : {});
    pgServer?.stop();
    pgServer = undefined;
    cleanup(workspace);
    if (code !== 0) failures++;
  }
  return failures ? 1 : 0;
}

/** A throwaway PostgreSQL in a child process (scripts/pgServe.ts), for the team suite. */
function startPostgres() {
  const child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'pgServe.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /^PG_URL (\S+)$/m.exec(out)?.[1];
      if (url) resolveUrl({ url, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`PostgreSQL for the team suite did not start (exit ${code})`)));
  });
}

async function runSuite(suite, extensionDir, testsDir, workspace, untrusted, extraEnv = {}) {
  console.log(`\nextension host: suite "${suite}" in code-server (VS Code 1.100.3)${untrusted ? ', workspace NOT trusted (Restricted Mode)' : ''}`);
  const userDataDir = join(scratch, `user-${suite}`);
  server = await startCodeServer({
    workspace,
    extensionsDir: join(scratch, `ext-${suite}`),
    userDataDir,
    trust: untrusted,
    env: { AMR_TEST_SUITE: suite, ...extraEnv },
  });
  browser = await launchChromium();
  const page = await browser.newPage();
  let resolveExit;
  const exit = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  const log = quietLog();
  await page.exposeFunction('codeAutomationLog', (_type, args) => log(format(...args)));
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionDir)],
    ['extensionTestsPath', remote(join(testsDir, 'index.js'))],
  ];
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
  const code = await Promise.race([exit, timeout]);
  await browser.close();
  server.stop();
  server = undefined;
  if (code === 'timeout') {
    console.error(`extension host: suite "${suite}" did not finish within ${TIMEOUT_MS / 1000} s`);
    return 1;
  }
  console.log(`extension host: suite "${suite}" exited with ${code} ${log.summary()}`.trim());
  return code;
}

/** 40 workflows x 5 stages x 4 models over 30 days, as bench:perf makes them. */
async function largeTelemetry(corePath, file, calls) {
  const { openTelemetryStore } = createRequire(import.meta.url)(corePath);
  const started = Date.now();
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
  const models = ['claude-haiku-4-5', 'claude-sonnet-5', 'claude-fable-5', 'claude-opus-4-8'];
  const tiers = ['cheap', 'capable', 'premium', null];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const now = Date.now();
  for (let i = 0; i < calls; i++) {
    const m = Math.floor(random() * 4);
    store.trackLlmCall({
      workflow: `workflow-${Math.floor(random() * 40)}`,
      stage: `stage-${Math.floor(random() * 5)}`,
      tier: tiers[m],
      model: models[m],
      cost: 0.001 * (m + 1),
      tokens: { input: 1000, output: 300 },
      durationMs: 300 + Math.floor(random() * 4000),
      success: random() < 0.75 + m * 0.06,
      ts: now - 30 * 86_400_000 + Math.floor((i / calls) * 30 * 86_400_000),
    });
  }
  await store.close();
  console.log(`extension host: wrote ${calls} calls (${(statSync(file).size / 1048576).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A valid SQLite header followed by random bytes: the file looks like a database but is not one. */
function corruptTelemetry(file) {
  const bytes = readFileSync(file);
  for (let i = 100; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  writeFileSync(file, bytes);
}

main()
  .then((code) => {
    console.log(`extension host: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    stopAll();
    process.exit(code);
  })
  .catch((error) => {
    console.error(`extension host: ${error.stack ?? error}`);
    stopAll();
    process.exit(1);
  });
