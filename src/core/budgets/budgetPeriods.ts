import { DAY_MS } from '../timeWindow';

/** The calendar periods a budget can cover, in UTC (weeks from Monday, as ISO 8601 counts them). */
export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** One calendar period: [start, end) in ms since the epoch, and how to say it. */
export interface PeriodSpan {
  period: BudgetPeriod;
  start: number;
  end: number;
  /** "today", "this week", "this month". */
  label: string;
}

/** The period of kind `period` that holds `nowMs`. */
export function periodAt(period: BudgetPeriod, nowMs: number): PeriodSpan {
  const day = Math.floor(nowMs / DAY_MS);
  switch (period) {
    case 'daily':
      return { period, start: day * DAY_MS, end: (day + 1) * DAY_MS, label: 'today' };
    case 'weekly': {
      // 1 January 1970 was a Thursday: three days after a Monday.
      const monday = day - ((day + 3) % 7);
      return { period, start: monday * DAY_MS, end: (monday + 7) * DAY_MS, label: 'this week' };
    }
    case 'monthly': {
      const date = new Date(day * DAY_MS);
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      return { period, start, end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1), label: 'this month' };
    }
  }
}

/** The budget-period word of a manifest key, or undefined ("weekly" -> weekly). */
export function parseBudgetPeriod(value: string): BudgetPeriod | undefined {
  return (BUDGET_PERIODS as readonly string[]).includes(value) ? (value as BudgetPeriod) : undefined;
}
