import uPlot from 'uplot';
import type { DashboardData } from '../../core/dashboard/dashboardTypes';
import { el, themeColor, withAlpha } from './dom';
import { dayLabel, percent, shortPct } from './format';

/** One chart of the page: a uPlot canvas a keyboard can walk day by day, and the same numbers as a table. */
export interface ChartContent {
  /** Identity of the series drawn: the same key is redrawn in place (setData), another rebuilds the chart. */
  key: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** The table a screen reader (or anyone) can read instead: header and rows of text. */
  table: { head: string[]; rows: string[][] };
  /** What a day's values say, for the live region when the keyboard moves along the days. */
  describeDay: (index: number) => string;
}

const HEIGHT = 220;

export class ChartView {
  readonly element: HTMLElement;
  private readonly canvasHost: HTMLElement;
  private readonly live: HTMLElement;
  private readonly tableHost: HTMLElement;
  private chart: uPlot | undefined;
  private key = '';
  private content: ChartContent | undefined;
  private day = -1;

  constructor(
    readonly id: string,
    title: string,
    note: HTMLElement,
  ) {
    this.canvasHost = el('div', {
      class: 'chart',
      tabindex: '0',
      role: 'group',
      'aria-label': `${title}. Left and right arrow keys move from day to day; the data table below has every value.`,
    });
    this.live = el('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.tableHost = el('div', { class: 'table-scroll' });
    this.element = el(
      'section',
      { class: 'card', id },
      el('h2', {}, title),
      note,
      this.canvasHost,
      this.live,
      el('details', {}, el('summary', {}, 'Data table'), this.tableHost),
    );
    this.canvasHost.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.chart?.setSize(this.size())).observe(this.canvasHost);
  }

  render(content: ContentOrEmpty): void {
    if (content.kind === 'empty') {
      this.destroy();
      this.canvasHost.replaceChildren(el('p', { class: 'empty' }, content.message));
      this.tableHost.replaceChildren();
      this.content = undefined;
      return;
    }
    this.content = content;
    if (this.chart && this.key === content.key) this.chart.setData(content.data);
    else {
      this.destroy();
      this.canvasHost.replaceChildren();
      this.chart = new uPlot({ ...content.options, ...this.size() }, content.data, this.canvasHost);
      this.key = content.key;
      // The colour the axes were drawn in (a canvas keeps no styles): what the browser check reads.
      this.canvasHost.dataset.axisColor = String(content.options.axes?.[0]?.stroke ?? '');
    }
    this.tableHost.replaceChildren(dataTable(content.table));
  }

  /** The next render builds the chart anew (its content, with the theme's colours, made again by the caller). */
  invalidate(): void {
    this.key = '';
  }

  /** What is drawn now (for the page's report to the extension). */
  get seriesCount(): number {
    return this.chart ? this.chart.series.length - 1 : 0;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(this.canvasHost.clientWidth, 240), height: HEIGHT };
  }

  private onKey(e: KeyboardEvent): void {
    const chart = this.chart;
    const content = this.content;
    if (!chart || !content) return;
    const days = chart.data[0].length;
    const next = { ArrowRight: this.day + 1, ArrowLeft: this.day - 1, Home: 0, End: days - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.day = Math.min(Math.max(next, 0), days - 1);
    chart.setCursor({ left: chart.valToPos(chart.data[0][this.day], 'x'), top: chart.bbox.height / devicePixelRatio / 2 });
    this.live.textContent = content.describeDay(this.day);
  }

  private destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.key = '';
    this.day = -1;
  }
}

export type ContentOrEmpty = ({ kind: 'chart' } & ChartContent) | { kind: 'empty'; message: string };

function dataTable({ head, rows }: ChartContent['table']): HTMLTableElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, el('th', { scope: 'row' }, cells[0]), ...cells.slice(1).map((c) => el('td', {}, c))))),
  );
}

/** The theme's chart colours, read now (they change with the theme). */
export function palette(): string[] {
  return ['blue', 'orange', 'green', 'purple', 'yellow', 'red'].map((name, i) =>
    themeColor(`--vscode-charts-${name}`, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'][i]),
  );
}

/**
 * Tiers in shades of the text colour, lighter to darker with the price: the palette's colours name
 * models only, so a colour means the same thing in every chart.
 */
export function tierColor(tier: string): string {
  const ink = themeColor('--vscode-foreground', '#cccccc');
  const alpha = { cheap: 0.35, capable: 0.6, premium: 0.9 }[tier];
  return alpha === undefined ? withAlpha(themeColor('--vscode-descriptionForeground', '#888888'), 0.2) : withAlpha(ink, alpha);
}

function axes(ticksText: (ticks: number[]) => string[]): uPlot.Axis[] {
  const stroke = themeColor('--vscode-foreground', '#cccccc');
  const grid = { stroke: withAlpha(themeColor('--vscode-charts-lines', '#808080'), 0.35), width: 1 };
  return [
    { stroke, grid, ticks: grid, values: (_u, ticks) => ticks.map(dayAt) },
    { stroke, grid, ticks: grid, size: 60, values: (_u, ticks) => ticksText(ticks) },
  ];
}

/** "Nov 20" for an x value (Unix seconds of a UTC day). */
const dayAt = (seconds: number) => dayLabel(new Date(seconds * 1000).toISOString().slice(0, 10));

const dayRange: uPlot.Range.Function = (_u, min, max) => [min - 43_200, max + 43_200];
const xs = (days: string[]) => days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);

/** Stacked bars per day: each series drawn as the sum of itself and those below it, back to front. */
export function stackedBars(
  title: string,
  days: string[],
  series: Array<{ label: string; color: string; values: number[] }>,
  format: (v: number) => string,
  ticksText: (ticks: number[]) => string[] = (ticks) => ticks.map(format),
): ChartContent {
  const cumulative: number[][] = [];
  series.forEach((s, k) => cumulative.push(s.values.map((v, i) => v + (k ? cumulative[k - 1][i] : 0))));
  // uPlot draws in series order: the tallest stack first, each lower part painted over it.
  const order = series.map((_, k) => series.length - 1 - k);
  const bars = uPlot.paths.bars!({ size: [0.7, 48] });
  return {
    key: `${title}|${series.map((s) => s.label).join('|')}`,
    options: {
      scales: { x: { time: true, range: dayRange } },
      axes: axes(ticksText),
      legend: { live: true },
      cursor: { points: { show: false } },
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '—' : dayAt(v)) },
        ...order.map((k) => ({
          label: series[k].label,
          stroke: series[k].color,
          fill: series[k].color,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, _v: number, _s: number, i: number | null) => (i == null ? '—' : format(series[k].values[i])),
        })),
      ],
    },
    data: [xs(days), ...order.map((k) => cumulative[k])],
    table: {
      head: ['Day', ...series.map((s) => s.label), 'Total'],
      rows: days.map((d, i) => [d, ...series.map((s) => format(s.values[i])), format(series.reduce((n, s) => n + s.values[i], 0))]),
    },
    describeDay: (i) => `${dayLabel(days[i])}: ${series.map((s) => `${s.label} ${format(s.values[i])}`).join(', ')}`,
  };
}

/** The success rate per day with its 90% interval as a band, and the target and threshold as lines. */
export function successRate(days: string[], success: DashboardData['success']): ChartContent {
  const [blue, , green, , , red] = palette();
  const lines: Array<{ label: string; color: string; value: number }> = [];
  // A target and threshold at the same rate would draw one line over the other: one line, named for both.
  if (success.target != null && success.threshold != null && Math.abs(success.target - success.threshold) < 1e-9)
    lines.push({ label: 'Target and upgrade threshold', color: green, value: success.target });
  else {
    if (success.target != null) lines.push({ label: 'Target', color: green, value: success.target });
    if (success.threshold != null) lines.push({ label: 'Upgrade threshold', color: red, value: success.threshold });
  }
  const rate = (_u: uPlot, v: number | null) => percent(v);
  return {
    key: `success|${lines.map((l) => l.label).join('|')}`,
    options: {
      scales: { x: { time: true, range: dayRange }, y: { range: [0, 1] } },
      axes: axes((ticks) => ticks.map(shortPct)),
      legend: { live: true },
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '—' : dayAt(v)) },
        { label: 'Success rate', stroke: blue, width: 2, value: rate, points: { show: true, size: 6 } },
        { label: '90% interval, high', stroke: withAlpha(blue, 0.4), width: 1, value: rate, points: { show: false } },
        { label: '90% interval, low', stroke: withAlpha(blue, 0.4), width: 1, value: rate, points: { show: false } },
        ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, dash: [6, 4], value: rate, points: { show: false } })),
      ],
      bands: [{ series: [2, 3], fill: withAlpha(blue, 0.18) }],
    },
    data: [xs(days), success.rate, success.high, success.low, ...lines.map((l) => days.map(() => l.value))],
    table: {
      head: ['Day', 'Calls', 'Success rate', '90% interval', ...lines.map((l) => l.label)],
      rows: days.map((d, i) => [
        d,
        String(success.calls[i]),
        percent(success.rate[i]),
        success.low[i] == null ? '—' : `${percent(success.low[i])}–${percent(success.high[i])}`,
        ...lines.map((l) => percent(l.value)),
      ]),
    },
    describeDay: (i) =>
      `${dayLabel(days[i])}: ${success.calls[i]} calls, success ${percent(success.rate[i])}${
        success.low[i] == null ? '' : ` (90% interval ${percent(success.low[i])} to ${percent(success.high[i])})`
      }`,
  };
}
