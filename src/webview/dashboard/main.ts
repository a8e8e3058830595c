// The dashboard page: draws what the extension sends (checked first), redraws in place when new data
// arrives, and tells the extension what it drew. No network, no inline code (strict CSP).
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { DashboardData, DashboardScope } from '../../core/dashboard/dashboardTypes';
import { FromDashboard, parseToDashboard } from '../../core/dashboard/dashboardMessages';
import { ChartView, palette, stackedBars, successRate, tierColor } from './charts';
import { el } from './dom';
import { count, dollarTicks, dollars, stageName } from './format';
import { StageTable } from './stageTable';

declare function acquireVsCodeApi(): { postMessage(message: FromDashboard): void };
const vscode = acquireVsCodeApi();

const crumbs = el('nav', { class: 'crumbs', 'aria-label': 'Scope' });
const summary = el('p', { class: 'summary' });
const spendNote = el('p', { class: 'note' });
const successNote = el('p', { class: 'note' });
const spend = new ChartView('spend', 'Spend per day, by model', spendNote);
const success = new ChartView('success', 'Success rate per day', successNote);
const calls = new ChartView('calls', 'Calls per day, by tier', el('p', { class: 'note' }, 'Tier of each model as the calls or the registry name it.'));
const stages = new StageTable((scope) => vscode.postMessage({ type: 'scope', scope }));
const charts = [spend, success, calls];
/** The data drawn last: drawn again, in the new colours, when the theme changes. */
let shown: DashboardData | undefined;

document
  .getElementById('root')!
  .replaceChildren(
    el('header', {}, el('h1', {}, 'Adaptive Routing'), crumbs, summary),
    el('div', { class: 'grid' }, ...charts.map((c) => c.element)),
    el('section', { class: 'card wide', id: 'stages' }, el('h2', {}, 'Stages'), stages.element),
  );

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToDashboard(event.data);
  if (!message) return; // not ours, or not well formed: nothing is drawn from it
  shown = message.data;
  render(message.data);
  vscode.postMessage({
    type: 'rendered',
    generation: message.generation,
    days: message.data.days.length,
    charts: charts.map((c) => c.seriesCount),
    calls: message.data.totals.calls,
  });
});

// The theme's colours are read when a chart is built. On a theme change VS Code switches the body's
// class and the variables on the root element, not always together: rebuild after the last of them.
let themeFrame = 0;
const onTheme = new MutationObserver(() => {
  cancelAnimationFrame(themeFrame);
  themeFrame = requestAnimationFrame(() => {
    charts.forEach((c) => c.invalidate());
    if (shown) render(shown);
  });
});
onTheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
onTheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

function render(data: DashboardData): void {
  renderCrumbs(data.scope);
  summary.textContent = `${data.rangeLabel}: ${count(data.totals.calls)} calls · ${data.totals.spendText} · ${data.totals.savingsText}`;
  const any = data.success.calls.some((n) => n > 0);
  const empty = {
    kind: 'empty' as const,
    message: `No calls in this scope (${data.rangeLabel.toLowerCase()}). Widen the time range in the Routing Stats view.`,
  };
  const colors = palette();
  spendNote.textContent = `USD, billed and estimated from tokens at registry prices${
    data.unknownCostCalls ? `; ${count(data.unknownCostCalls)} calls of unknown cost are not included` : ''
  }.`;
  spend.render(
    any
      ? {
          kind: 'chart',
          ...stackedBars(
            'spend',
            data.days,
            // A model's colour comes from its place among the workspace's models: the same in every scope.
            data.spend.map((s) => ({ label: s.model, color: colors[s.colour % colors.length], values: s.values })),
            dollars,
            dollarTicks,
          ),
        }
      : empty,
  );
  successNote.textContent =
    data.scope.stage !== null
      ? 'All models of the stage pooled; the band is the exact 90% interval of each day.'
      : 'All stages of the scope pooled; open a stage to see its target and upgrade threshold.';
  success.render(any ? { kind: 'chart', ...successRate(data.days, data.success) } : empty);
  const tiers = data.callsByTier.filter((t) => t.tier !== 'unknown' || t.values.some((v) => v > 0));
  calls.render(
    any
      ? {
          kind: 'chart',
          ...stackedBars(
            'calls',
            data.days,
            tiers.map((t) => ({ label: t.tier, color: tierColor(t.tier), values: t.values })),
            count,
          ),
        }
      : empty,
  );
  stages.render(data.stages);
}

function renderCrumbs(scope: DashboardScope): void {
  const parts: Array<{ label: string; scope: DashboardScope }> = [{ label: 'Workspace', scope: { workflow: null, stage: null } }];
  if (scope.workflow !== null) parts.push({ label: scope.workflow, scope: { workflow: scope.workflow, stage: null } });
  if (scope.workflow !== null && scope.stage !== null) parts.push({ label: stageName(scope.stage), scope });
  crumbs.replaceChildren(
    ...parts.flatMap((p, i) => {
      const current = i === parts.length - 1;
      const item = current ? el('span', { 'aria-current': 'page' }, p.label) : el('button', { type: 'button', class: 'link' }, p.label);
      if (!current) item.addEventListener('click', () => vscode.postMessage({ type: 'scope', scope: p.scope }));
      return i ? [el('span', { class: 'sep', 'aria-hidden': 'true' }, ' › '), item] : [item];
    }),
  );
}

vscode.postMessage({ type: 'ready' });
