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
let lastPage;
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
  lastPage = page;
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
  check('tree marks the failing stage', Boolean(analysis?.includes('upgrade CHEAP → CAPABLE')), analysis);
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
    'model rows show the observed success rate with its n first, then cost per success and latency',
    modelRows.some((l) => /^claude-haiku-4-5, \d+\.\d% observed \(n=\d+\) · \$\d\.\d{4}\/success · avg [\d.]+m?s · p95 [\d.]+m?s$/.test(l)),
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
  await page.keyboard.press('Escape');
  await dashboardCheck(page);
  await browser.close();
  server.stop();
  await webHostCheck(extensionsDir, workspace);
}

/**
 * The dashboard as a person sees it, in the dark theme (code-server's default) and then the light one:
 * its summary, three charts, the stage table, and text that stays readable against the background.
 */
async function dashboardCheck(page) {
  await page.keyboard.press('Control+J'); // the Problems panel closed: the dashboard gets the editor area
  await page.locator('.markers-panel').waitFor({ state: 'hidden', timeout: 10_000 });
  await useTheme(page, 'Dark Modern', 'vs-dark');
  await page.setViewportSize({ width: 1500, height: 1100 });
  await page.keyboard.press('F1');
  await page.keyboard.type('Adaptive Routing: Open Dashboard');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Dashboard' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const summary = frame.locator('.summary');
  await summary.filter({ hasText: 'calls' }).waitFor({ timeout: 30_000 });
  const text = (await summary.innerText()).trim();
  check(
    'dashboard: summary of the range with spend and savings',
    /^Last 7 days: [\d,]+ calls · \$\d+\.\d{2,4} .*· (could save ~\$[\d.,]+ \/ week \(.+\) on \d+ stages?|no stage has the confident evidence .*|no savings estimate: .+)$/.test(
      text,
    ),
    JSON.stringify(text),
  );
  await frame.locator('.card canvas').nth(2).waitFor({ timeout: 15_000 });
  const charts = await frame.locator('.card .chart canvas').count();
  const stageRows = await frame.locator('table.stages tbody tr').count();
  check('dashboard: three charts and a row per stage of the sample', charts === 3 && stageRows === 7, `${charts} charts, ${stageRows} stage rows`);
  // Hover over the spend chart: its legend shows that day's exact values.
  const chart = frame.locator('#spend .u-over');
  const box = await chart.boundingBox();
  if (box) await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  const legend = await frame.locator('#spend .u-legend').evaluate((el) => [...el.querySelectorAll('th, td')].map((c) => c.textContent?.trim()).join(' '));
  check('dashboard: hovering a day shows its exact spend per model', /claude-[a-z0-9.-]+ \$\d/.test(legend), legend.slice(0, 120));
  const dark = await frame.locator('body.vscode-dark').count();
  const darkRatio = await contrast(frame);
  check(
    'dashboard (dark theme): text and chart axes readable on its background',
    dark === 1 && darkRatio >= 4.5,
    `dark=${dark === 1}, contrast ${darkRatio.toFixed(1)}:1`,
  );
  await page.screenshot({ path: join(results, 'dashboard-dark.png') });
  // The editor area alone, small enough for the packaged README (docs/images/dashboard.jpg is a copy).
  await page.locator('.part.editor').screenshot({ path: join(results, 'dashboard-readme.jpg'), type: 'jpeg', quality: 80 });
  await useTheme(page, 'Light Modern', 'vs');
  const light = await frame
    .locator('body.vscode-light')
    .waitFor({ timeout: 30_000 })
    .then(
      () => true,
      () => false,
    );
  // The charts are drawn again in the new colours a frame after the theme's variables change.
  let ratio = 0;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && ratio < 4.5;) {
    ratio = await contrast(frame);
    if (ratio < 4.5) await page.waitForTimeout(100);
  }
  check('dashboard (light theme): the page and its charts follow the theme, readable', light && ratio >= 4.5, `light=${light}, contrast ${ratio.toFixed(1)}:1`);
  await page.screenshot({ path: join(results, 'dashboard-light.png') });
  // One model, one colour: its spend legend marker in the workspace view, and again in a stage's view.
  const markerOf = (model) =>
    frame
      .locator('#spend .u-legend .u-series', { hasText: model })
      .first()
      .locator('.u-marker')
      .evaluate((el) => getComputedStyle(el).borderColor || getComputedStyle(el).backgroundColor)
      .catch(() => 'no marker');
  const workspaceColour = await markerOf('claude-sonnet-5');
  // A row of the stage table opens its stage: the breadcrumb names it, the success chart gains its lines.
  await frame.locator('table.stages button.link', { hasText: 'analysis' }).first().click();
  const crumb = frame.locator('.crumbs [aria-current="page"]', { hasText: 'analysis' });
  const opened = await crumb.waitFor({ timeout: 15_000 }).then(
    () => true,
    () => false,
  );
  const successLegend = opened ? await frame.locator('#success .u-legend').innerText() : '';
  check(
    'dashboard: a stage row opens that stage, with its target and upgrade threshold (one line, named for both, where they coincide)',
    opened && /Target/.test(successLegend) && /upgrade threshold/i.test(successLegend),
    opened ? JSON.stringify(successLegend.replace(/\s+/g, ' ').slice(0, 200)) : 'the stage did not open',
  );
  let stageColour = '';
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && stageColour !== workspaceColour;) {
    stageColour = await markerOf('claude-sonnet-5');
    if (stageColour !== workspaceColour) await page.waitForTimeout(100);
  }
  check(
    'dashboard: a model keeps its colour from the workspace view to a stage view',
    stageColour === workspaceColour && /rgb/.test(stageColour),
    `${workspaceColour} / ${stageColour}`,
  );
  // At 1000 px the stage table keeps every name whole (a model id is not broken at its hyphen).
  await frame
    .locator('.crumbs button', { hasText: /workspace|all/i })
    .first()
    .click()
    .catch(() => undefined);
  await page.setViewportSize({ width: 1000, height: 1000 });
  await frame
    .locator('table.stages tbody tr')
    .nth(6)
    .waitFor({ timeout: 15_000 })
    .catch(() => undefined);
  const broken = await frame
    .locator('table.stages .name')
    .evaluateAll((cells) =>
      cells.filter((c) => c.getBoundingClientRect().height > 1.8 * parseFloat(getComputedStyle(c).lineHeight || '16')).map((c) => c.textContent),
    );
  await page.screenshot({ path: join(results, 'dashboard-1000px.png') });
  check('dashboard at 1000 px: names in the stage table are not broken across lines', broken.length === 0, broken.join(', ') || 'none broken');
  await page.setViewportSize({ width: 1500, height: 1100 });
}

/** Picks a colour theme as a person does (Preferences: Color Theme) and waits for the workbench to wear it. */
async function useTheme(page, label, workbenchClass) {
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await page.locator('.quick-input-widget input[placeholder*="Color Theme"]').waitFor({ timeout: 10_000 });
  await page.keyboard.type(label);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.monaco-workbench.${workbenchClass}`, { timeout: 30_000 });
}

/**
 * The lowest WCAG contrast against the page's background of its text and of the charts' axes (the
 * colour each chart was last drawn in: a chart left in the previous theme's colours fails).
 */
function contrast(frame) {
  return frame.locator('body').evaluate((body) => {
    const rgb = (css) =>
      css.startsWith('#')
        ? [1, 3, 5].map((i) => parseInt(css.length === 4 ? css[(i + 1) / 2].repeat(2) : css.slice(i, i + 2), 16))
        : (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
    const luminance = (css) => {
      const [r, g, b] = rgb(css).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(body);
    const ratio = (fg) => {
      const [a, b] = [luminance(fg), luminance(style.backgroundColor)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    };
    const axes = [...document.querySelectorAll('.chart')].map((c) => c.dataset.axisColor).filter(Boolean);
    return Math.min(ratio(style.color), ...axes.map(ratio));
  });
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
    settings: {
      'remote.extensionKind': { 'attune-tools.adaptive-model-router': ['web'] },
      // Set, so that the browser build says why they cannot run here.
      'adaptiveRouting.team.database': 'postgres://amr@127.0.0.1:5432/team',
      'adaptiveRouting.otlpReceiver.enabled': true,
    },
  });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  lastPage = page;
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const status = page.locator('.statusbar-item', { hasText: /claude-/ }).first();
  const shown = await status.waitFor({ timeout: 45_000 }).then(
    () => true,
    () => false,
  );
  check('web host: status bar names the recommended model', shown, shown ? JSON.stringify((await status.innerText()).trim()) : 'no status bar item');
  // Team sync and the OTLP receiver need Node: the tooltip says so instead of failing quietly.
  await status.hover();
  const hover = page.locator('.workbench-hover, .monaco-hover', { hasText: 'OpenTelemetry receiver' }).first();
  const hovered = await hover.waitFor({ timeout: 15_000 }).then(
    () => true,
    () => false,
  );
  const hoverText = hovered ? (await hover.innerText()).replace(/\s+/g, ' ') : '';
  check(
    'web host: the tooltip says team sync and the OpenTelemetry receiver are off in the browser, and why',
    /Team sync off: not in the browser/.test(hoverText) && /OpenTelemetry receiver not running: not in the browser/.test(hoverText),
    hoverText.match(/Team sync[^.]*|OpenTelemetry receiver[^.]*/g)?.join(' | ') ?? 'no tooltip',
  );
  await page.mouse.move(0, 0);
  await page.locator('.statusbar-item[id="status.problems"]').first().click();
  const entry = page.locator('.markers-panel .monaco-list-row', { hasText: 'needs a higher tier' }).first();
  const listed = await entry.waitFor({ timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  check('web host: the Problems panel lists the tier upgrade', listed, listed ? (await entry.getAttribute('aria-label'))?.slice(0, 90) : 'not listed');
  await page.screenshot({ path: join(results, 'web-extension-host.png') });
  // The dashboard in the browser build: the same page, fed from the web worker extension host.
  await page.keyboard.press('F1');
  await page.keyboard.type('Adaptive Routing: Open Dashboard');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Dashboard' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const drawn = await frame
    .locator('.card .chart canvas')
    .nth(2)
    .waitFor({ timeout: 30_000 })
    .then(
      () => true,
      () => false,
    );
  const summary = drawn ? (await frame.locator('.summary').innerText()).trim() : '';
  check('web host: the dashboard draws its charts and summary', drawn && /calls · \$/.test(summary), summary || 'no charts');
  await browser.close();
}

main()
  .catch(async (error) => {
    check('browser check ran to the end', false, error.message.split('\n')[0]);
    // What the page showed when it failed.
    await lastPage?.screenshot({ path: join(results, 'failure.png') }).catch(() => undefined);
  })
  .finally(() => {
    const failed = checks.filter((c) => !c.ok).length;
    console.log(`browser check: screenshots in test-results/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`${checks.length - failed} passed, ${failed} failed`);
    browser?.close().catch(() => undefined);
    stopAll();
    process.exit(failed ? 1 : 0);
  });
