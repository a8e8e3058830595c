// Layer 3 of the test ladder: what a person sees. Installs the packaged .vsix into code-server,
// opens the fixture workspace in the real VS Code web UI (Debian Chromium via playwright-core) and
// checks the status bar, the Routing Stats tree and the Problems panel, saving screenshots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanup,
  codeServerBin,
  ensureTestTools,
  launchChromium,
  makeFixtureWorkspace,
  onExit,
  packageExtension,
  root,
  startCodeServer,
  tempFolder,
  vsixPath,
} from './lib/testEnv.mjs';

const started = Date.now();
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
ensureTestTools();
const scratch = tempFolder('amr-ui-');
let server;
let browser;
const stopAll = onExit(() => {
  server?.stop();
  cleanup(scratch);
});

const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok });
  console.log(`  ${ok ? '✔' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function main() {
  const extensionDir = await packageExtension(join(scratch, 'package'));
  const workspace = await makeFixtureWorkspace(join(extensionDir, 'dist', 'core.js'));
  const extensionsDir = join(scratch, 'extensions');
  const userDataDir = join(scratch, 'user');
  execFileSync(codeServerBin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsixPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  server = await startCodeServer({ workspace, extensionsDir, userDataDir });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  console.log('browser check: VS Code web UI with the installed .vsix');
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  const status = page.locator('.statusbar-item', { hasText: /claude-/ }).first();
  await status.waitFor({ timeout: 30_000 });
  const statusText = (await status.innerText()).trim();
  check('status bar names the recommended model', /claude-[a-z0-9.-]+/.test(statusText), JSON.stringify(statusText));

  await page.locator('.activitybar [aria-label^="Adaptive Routing"]').first().click();
  const rows = page.locator('.pane-body .monaco-list-row');
  await page.locator('.pane-body .monaco-list-row', { hasText: 'analysis' }).first().waitFor({ timeout: 30_000 });
  const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent ?? ''));
  check(
    'tree shows the workflows',
    ['code-review', 'refactor-plan', 'test-generation'].every((w) => labels.some((l) => l.startsWith(w))),
    labels.filter((l) => !l.includes('→')).join(' | '),
  );
  // The view's message: what the range cost and what the recommended models would save (the
  // sample's summary stage ran partly on the capable tier; the cheap model does as well there).
  const message = await page
    .locator('.pane-body .message', { hasText: 'spent' })
    .first()
    .innerText()
    .catch(() => '');
  check(
    'tree message shows spend and savings with an interval',
    /^Last 7 days: [\d,]+ calls · \$\d+\.\d{2,4} spent · could save ~\$\d+\.\d{2,4} \/ week \(\$\d+\.\d{2,4}–\$\d+\.\d{2,4}\)$/.test(message.trim()),
    JSON.stringify(message.trim()),
  );
  const analysis = labels.find((l) => l.startsWith('analysis'));
  check('tree marks the failing stage', Boolean(analysis?.includes('needs upgrade to capable')), analysis);
  const badge = await page
    .locator('.activitybar [aria-label^="Adaptive Routing"] + .badge, .activitybar .action-item:has([aria-label^="Adaptive Routing"]) .badge-content')
    .first()
    .innerText()
    .catch(() => '');
  check('activity bar badge counts stages needing an upgrade', badge.trim() === '2', JSON.stringify(badge));
  // Selecting a stage expands it and makes it the status bar's stage in context.
  await page.locator('.pane-body .monaco-list-row', { hasText: 'analysis' }).first().click();
  await page
    .locator('.pane-body .monaco-list-row', { hasText: 'claude-sonnet-5' })
    .nth(1)
    .waitFor({ timeout: 15_000 })
    .catch(() => undefined);
  const modelRows = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? '').filter((l) => /\(n=\d+\)/.test(l)));
  check(
    'model rows show success rate with its n first, then cost per success and latency',
    modelRows.some((l) => /^claude-haiku-4-5, \d+\.\d% \(n=\d+\) · \$\d\.\d{4}\/success · avg [\d.]+m?s · p95 [\d.]+m?s$/.test(l)),
    modelRows[0],
  );
  await page
    .waitForFunction(
      () =>
        [...document.querySelectorAll('.statusbar-item')].some((el) => el.textContent?.includes('claude-sonnet-5') && el.className.includes('warning-kind')),
      null,
      { timeout: 15_000 },
    )
    .catch(() => undefined);
  const selectedStatus = await page
    .locator('.statusbar-item', { hasText: /claude-/ })
    .first()
    .evaluate((el) => ({ text: el.textContent?.trim(), warning: el.className.includes('warning-kind') }));
  check(
    'status bar follows the selected stage, with a warning background',
    selectedStatus.text === 'claude-sonnet-5' && selectedStatus.warning,
    JSON.stringify(selectedStatus),
  );
  await page.screenshot({ path: join(results, 'routing-stats.png') });

  await page.locator('.statusbar-item[id="status.problems"]').first().click();
  const problems = page.locator('.markers-panel .monaco-list-row');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'needs a higher tier' }).first().waitFor({ timeout: 30_000 });
  const problemText = await problems.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent ?? ''));
  check(
    'Problems panel lists the tier upgrade for code_review.py',
    problemText.some((t) => /analysis/.test(t) && /needs a higher tier/.test(t)),
    problemText
      .filter((t) => /tier/.test(t))
      .join(' | ')
      .slice(0, 300),
  );
  check(
    'Problems panel lists the manifest stage',
    problemText.some((t) => /generate/.test(t)),
  );
  await page.screenshot({ path: join(results, 'problems-and-status-bar.png') });
  await status.hover();
  await page
    .locator('.monaco-hover')
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined);
  await page.screenshot({ path: join(results, 'status-bar-tooltip.png') });
  await browser.close();
  server.stop();
  await webHostCheck(extensionsDir, workspace);
}

/**
 * The browser build (dist/web/extension.js) in VS Code's web worker extension host: the installed
 * copy loses its Node bundle and is told to run as a web extension; a person must still see the
 * status bar model and the Problems entries (sql.js in a web worker, files through workspace.fs).
 */
async function webHostCheck(extensionsDir, workspace) {
  console.log('browser check: the browser build in the web worker extension host');
  const installed = readdirSync(extensionsDir).find((d) => d.startsWith('attune-tools.adaptive-model-router'));
  rmSync(join(extensionsDir, installed, 'dist', 'extension.js'));
  server = await startCodeServer({
    workspace,
    extensionsDir,
    userDataDir: join(scratch, 'user-web'),
    settings: { 'remote.extensionKind': { 'attune-tools.adaptive-model-router': ['web'] } },
  });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const status = page.locator('.statusbar-item', { hasText: /claude-/ }).first();
  const shown = await status.waitFor({ timeout: 45_000 }).then(
    () => true,
    () => false,
  );
  check('web host: status bar names the recommended model', shown, shown ? JSON.stringify((await status.innerText()).trim()) : 'no status bar item');
  await page.locator('.statusbar-item[id="status.problems"]').first().click();
  const entry = page.locator('.markers-panel .monaco-list-row', { hasText: 'needs a higher tier' }).first();
  const listed = await entry.waitFor({ timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  check('web host: the Problems panel lists the tier upgrade', listed, listed ? (await entry.getAttribute('aria-label'))?.slice(0, 90) : 'not listed');
  await page.screenshot({ path: join(results, 'web-extension-host.png') });
  await browser.close();
}

main()
  .catch((error) => check('browser check ran to the end', false, error.message.split('\n')[0]))
  .finally(() => {
    const failed = checks.filter((c) => !c.ok).length;
    console.log(`browser check: screenshots in test-results/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`${checks.length - failed} passed, ${failed} failed`);
    browser?.close().catch(() => undefined);
    stopAll();
    process.exit(failed ? 1 : 0);
  });
