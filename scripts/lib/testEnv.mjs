// Shared by the extension-host tests, the browser check and `npm start`: a fixture workspace, a
// code-server on a free loopback port, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { cpSync, createWriteStream, mkdtempSync, mkdirSync, readdirSync, rmSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
export const codeServerBin = join(root, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');
export const vsixPath = join(root, 'adaptive-model-router.vsix');

/** Runs the project's setup script (Debian packages, code-server), which returns at once when all is there. */
export function ensureTestTools() {
  try {
    execFileSync('bash', [join(root, 'scripts', 'setup-test-tools.sh')], { stdio: 'inherit' });
  } catch {
    // The script has said what is missing and how to get it; a stack trace would only bury that.
    console.error('setup: the test tools are not ready (see the line above); nothing was started');
    process.exit(1);
  }
}

/** Builds the production bundles and the .vsix, then unpacks it: tests run what users install. */
export async function packageExtension(into) {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // The Marketplace takes larger packages, but ours has no reason to be: the chart library and the price catalogue included.
  const size = statSync(vsixPath).size;
  if (size > 2 * 1024 * 1024) throw new Error(`${vsixPath} is ${(size / 1024).toFixed(0)} KB, over the 2 MB budget`);
  await unpackVsix(vsixPath, into);
  return join(into, 'extension');
}

/** The `extension/` folder of a .vsix (a zip) unpacked under `into`, with yauzl: no `unzip` on the machine needed. */
export function unpackVsix(vsix, into) {
  const yauzl = require('yauzl');
  return new Promise((resolveAll, reject) => {
    yauzl.open(vsix, { lazyEntries: true }, (openError, zip) => {
      if (openError) return reject(new Error(`cannot open ${vsix}: ${openError.message}`));
      zip.on('error', reject);
      zip.on('end', () => resolveAll());
      zip.on('entry', (entry) => {
        const target = resolve(into, entry.fileName);
        // Only the extension's own files, and never outside `into` (a zip may name ../ paths).
        if (!entry.fileName.startsWith('extension/') || !target.startsWith(resolve(into) + '/')) return zip.readEntry();
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          return zip.readEntry();
        }
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const out = createWriteStream(target);
          out.on('error', reject);
          out.on('close', () => zip.readEntry());
          stream.pipe(out);
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Workbench chatter that is expected here (no internet, tests refuse dialogs): hidden from the test
 * output so a real failure stands out. AMR_VERBOSE=1 shows everything.
 */
const OFFLINE_NOISE = [
  /^Resolved connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
  /DialogService: refused to show dialog in tests/,
  /getaddrinfo (ENOTFOUND|EAI_AGAIN) (open-vsx\.org|marketplace\.visualstudio\.com|[\w.-]+\.vscode-cdn\.net)/,
];

/** A console writer that drops the expected chatter and can say how much it dropped. */
export function quietLog(write = (text) => console.log(text)) {
  let hidden = 0;
  const log = (text) => {
    if (!process.env.AMR_VERBOSE && OFFLINE_NOISE.some((pattern) => pattern.test(text))) hidden++;
    else write(text);
  };
  log.summary = () => (hidden ? `(${hidden} workbench message(s) expected offline hidden; AMR_VERBOSE=1 shows them)` : '');
  return log;
}

/** Bundles test/integration/*.ts for an extension host (mocha and vscode come from the host); returns the output folder. */
export async function buildIntegrationTests() {
  const testsDir = join(root, 'out', 'test', 'integration');
  const entryPoints = readdirSync(join(root, 'test', 'integration'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'test', 'integration', f));
  await build({
    entryPoints,
    outdir: testsDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode', 'mocha'],
    // As the extension's own build: jsonc-parser's UMD entry requires its parts at run time, its ESM one bundles.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  return testsDir;
}

export function tempFolder(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Copies the fixture workspace and writes its telemetry with the packaged core. */
export async function makeFixtureWorkspace(coreModulePath, { withTelemetry = true, forPeople = false } = {}) {
  const workspace = tempFolder('amr-ws-');
  cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  // npm start opens it for a person: its README says what is in it and what to try, not how tests use it.
  if (forPeople) writeFileSync(join(workspace, 'README.md'), SAMPLE_README);
  if (withTelemetry) {
    const core = require(coreModulePath);
    const store = await core.openTelemetryStore({ path: join(workspace, '.attune', 'telemetry.db'), autoSaveMs: 0 });
    // As "Create Sample Telemetry" makes it (anchored to the start of the UTC day): the host tests check
    // that command adds nothing to it. Its 7 x 24-hour window moves with the hour, so the host tests
    // assert nothing that depends on it (sampleEnd in test/unit/helpers.ts).
    store.trackLlmCalls(core.generateSampleCalls({ now: new Date() }));
    await store.close();
  }
  return workspace;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts code-server in its own process group and resolves once it listens. */
export async function startCodeServer({ workspace, extensionsDir, userDataDir, env = {}, trust = false, settings = {}, log = () => {} }) {
  const port = await freePort();
  // A quiet workbench: no welcome page in front of what the tests look at.
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, ...settings }),
  );
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
  if (!trust) args.push('--disable-workspace-trust');
  args.push(workspace);
  const child = spawn(codeServerBin, args, { detached: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      log(String(chunk));
      if (output.includes('HTTP server listening')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}) before listening:\n${output}`));
    });
  });
  await ready;
  return { port, url: `http://127.0.0.1:${port}`, stop: () => killGroup(child) };
}

export function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 2000).unref();
}

export async function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Removes folders, ignoring what is already gone. */
export function cleanup(...folders) {
  for (const folder of folders) if (folder) rmSync(folder, { recursive: true, force: true });
}

/** Ends everything on Ctrl-C, termination or an uncaught error. */
export function onExit(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  process.once('exit', run);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(signal, () => {
      run();
      process.exit(130);
    });
  return run;
}

const SAMPLE_README = `# Adaptive Model Router: a sample workspace

What is here, as a workspace of yours would have it:

- \`.attune/telemetry.db\`: a week of sample LLM calls (three workflows: code-review, test-generation,
  refactor-plan), as "Create Sample Telemetry" writes them. Your own workflows record theirs through
  the extension API, the \`adaptive-routing\` CLI (\`track\`, \`import\`) or OpenTelemetry.
- \`.attune/workflows.json\`: the workflows manifest, with each stage's tier and target.
- \`workflows/code_review.py\`: a workflow class whose \`tier_map\` declares its stages' tiers.

Things to try:

1. Open the Adaptive Routing view in the activity bar: each workflow, stage and model, with the
   recommended model, spend and what a cheaper tier would save.
2. Open \`workflows/code_review.py\`: the "analysis" stage's tier has a warning (its cheap model fails
   too often); the quick fix raises it. The status bar names the model for the stage under the cursor.
3. Run "Adaptive Routing: Open Dashboard" and "Adaptive Routing: Routing Check: All Workflows".

This folder is temporary: it is removed when \`npm start\` stops.
`;
