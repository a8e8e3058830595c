import type { DashboardScope, DashboardStageRow } from '../../core/dashboard/dashboardTypes';
import { el } from './dom';
import { count, stageLabel, stageName } from './format';

type Column = {
  title: string;
  sort: (r: DashboardStageRow) => string | number;
  cell: (r: DashboardStageRow) => string;
  numeric?: boolean;
  /** A name (workflow, stage, model): never broken inside ("claude-haiku-4-/5"); the table scrolls instead. */
  name?: boolean;
};

const COLUMNS: Column[] = [
  { title: 'Workflow', sort: (r) => r.workflow, cell: (r) => r.workflow },
  { title: 'Stage', sort: (r) => r.stage, cell: (r) => stageName(r.stage) },
  { title: 'Calls', sort: (r) => r.calls, cell: (r) => count(r.calls), numeric: true },
  { title: 'Spend', sort: (r) => r.spend ?? -1, cell: (r) => r.spendText, numeric: true },
  // Savings per week: an upgrade's cost sorts below every saving.
  { title: 'Savings estimate', sort: (r) => r.savingsPerWeek ?? Number.NEGATIVE_INFINITY, cell: (r) => r.savingsText },
  { title: 'Recommended', sort: (r) => r.recommended, cell: (r) => r.recommended, name: true },
  { title: 'Verdict', sort: (r) => r.verdictText, cell: (r) => r.verdictText },
];

/** The stages of the scope: sortable by any column (buttons in the headers), each row opening its stage. */
export class StageTable {
  readonly element = el('div', { class: 'table-scroll' });
  private rows: DashboardStageRow[] = [];
  private sortBy = 3;
  private descending = true;

  constructor(private readonly open: (scope: DashboardScope) => void) {}

  render(rows: DashboardStageRow[]): void {
    this.rows = rows;
    this.draw();
  }

  private draw(): void {
    const column = COLUMNS[this.sortBy];
    const sorted = [...this.rows].sort((a, b) => {
      const x = column.sort(a);
      const y = column.sort(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return this.descending ? -order : order;
    });
    const head = COLUMNS.map((c, i) => {
      const button = el('button', { type: 'button', class: 'sort' }, c.title, i === this.sortBy ? (this.descending ? ' ▼' : ' ▲') : '');
      button.addEventListener('click', () => {
        this.descending = i === this.sortBy ? !this.descending : c.numeric === true;
        this.sortBy = i;
        this.draw();
        (this.element.querySelectorAll('button.sort')[i] as HTMLButtonElement | undefined)?.focus();
      });
      return el(
        'th',
        { scope: 'col', 'aria-sort': i === this.sortBy ? (this.descending ? 'descending' : 'ascending') : 'none', class: c.numeric ? 'num' : '' },
        button,
      );
    });
    const body = sorted.map((r) => {
      const open = el('button', { type: 'button', class: 'link', title: `Show ${stageLabel(r)} on the dashboard` }, COLUMNS[1].cell(r));
      open.addEventListener('click', () => this.open({ workflow: r.workflow, stage: r.stage }));
      return el(
        'tr',
        { class: `verdict-${r.verdict}` },
        el('td', { class: 'name' }, r.workflow),
        el('th', { scope: 'row', class: 'name' }, open),
        ...COLUMNS.slice(2).map((c) => el('td', { class: c.numeric ? 'num' : c.name ? 'name' : '' }, c.cell(r))),
      );
    });
    this.element.replaceChildren(
      el(
        'table',
        { class: 'stages' },
        el('caption', { class: 'visually-hidden' }, 'Stages: spend, savings estimate and verdict'),
        el('thead', {}, el('tr', {}, ...head)),
        el('tbody', {}, ...body),
      ),
    );
  }
}
