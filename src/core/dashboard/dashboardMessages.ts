import type { DashboardData, DashboardScope } from './dashboardTypes';

/**
 * The messages between the dashboard page and the extension, and their checks. Each side checks what
 * it receives: the page may be stale or tampered with, and names come from a file anyone can write.
 */
export type ToDashboard = { type: 'data'; generation: number; data: DashboardData };

export type FromDashboard =
  /** The page's script runs and wants data. */
  | { type: 'ready' }
  /** The page drew `generation`: its days, the series of each chart (spend, success, calls) and the calls it counts. */
  | { type: 'rendered'; generation: number; days: number; charts: number[]; calls: number }
  /** A table row or the breadcrumb asks for another scope. */
  | { type: 'scope'; scope: DashboardScope };

const NAME_LIMIT = 200;

const isName = (v: unknown): v is string => typeof v === 'string' && v.length <= NAME_LIMIT;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scopeOf(v: unknown): DashboardScope | undefined {
  if (!isRecord(v)) return undefined;
  const { workflow, stage } = v;
  if (workflow !== null && !isName(workflow)) return undefined;
  if (stage !== null && !isName(stage)) return undefined;
  // A stage is always a stage of a workflow.
  if (workflow === null && stage !== null) return undefined;
  return { workflow, stage };
}

/** A message from the page, or undefined for anything that is not one of ours, exactly. */
export function parseFromDashboard(raw: unknown): FromDashboard | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rendered':
      return isCount(raw.generation) &&
        isCount(raw.days) &&
        isCount(raw.calls) &&
        Array.isArray(raw.charts) &&
        raw.charts.length <= 8 &&
        raw.charts.every(isCount)
        ? { type: 'rendered', generation: raw.generation, days: raw.days, charts: [...raw.charts], calls: raw.calls }
        : undefined;
    case 'scope': {
      const scope = scopeOf(raw.scope);
      return scope && { type: 'scope', scope };
    }
    default:
      return undefined;
  }
}

const isNumbers = (v: unknown, length: number, nullable = false): boolean =>
  Array.isArray(v) && v.length === length && v.every((x) => (nullable && x === null) || (typeof x === 'number' && Number.isFinite(x)));
const isText = (v: unknown) => typeof v === 'string';
const isRateOrNull = (v: unknown) => v === null || (typeof v === 'number' && v >= 0 && v <= 1);

/** A message from the extension, checked before the page draws it (every series as long as the days). */
export function parseToDashboard(raw: unknown): ToDashboard | undefined {
  if (!isRecord(raw) || raw.type !== 'data' || !isCount(raw.generation) || !isRecord(raw.data)) return undefined;
  const d = raw.data;
  if (!Array.isArray(d.days) || !d.days.every((day) => typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day))) return undefined;
  const n = d.days.length;
  const success = d.success;
  const totals = d.totals;
  const ok =
    scopeOf(d.scope) !== undefined &&
    isText(d.rangeLabel) &&
    isCount(d.unknownCostCalls) &&
    Array.isArray(d.spend) &&
    d.spend.every((s) => isRecord(s) && isName(s.model) && isNumbers(s.values, n) && isNumbers(s.estimated, n) && isCount(s.colour)) &&
    Array.isArray(d.callsByTier) &&
    d.callsByTier.every((s) => isRecord(s) && isName(s.tier) && isNumbers(s.values, n)) &&
    isRecord(success) &&
    isNumbers(success.calls, n) &&
    ['rate', 'low', 'high'].every((k) => isNumbers(success[k], n, true)) &&
    isRateOrNull(success.target) &&
    isRateOrNull(success.threshold) &&
    Array.isArray(d.stages) &&
    d.stages.every(
      (r) =>
        isRecord(r) &&
        isName(r.workflow) &&
        isName(r.stage) &&
        isCount(r.calls) &&
        (r.spend === null || typeof r.spend === 'number') &&
        (r.savingsPerWeek === null || typeof r.savingsPerWeek === 'number') &&
        [r.spendText, r.savingsText, r.recommended, r.verdict, r.verdictText].every(isText),
    ) &&
    isRecord(totals) &&
    isCount(totals.calls) &&
    isText(totals.spendText) &&
    isText(totals.savingsText);
  return ok ? (raw as unknown as ToDashboard) : undefined;
}
