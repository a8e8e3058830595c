import { scopeText } from './budgetDeclarations';
import type { BudgetStatus } from './budgetStatus';

/** What was noticed so far: per budget and period, the highest threshold shown. */
export type NoticesSeen = Record<string, number>;

/** Notices of periods that ended longer ago than this are forgotten. */
const NOTICE_MEMORY_MS = 40 * 86_400_000;

/** One budget in one period; the period's end last, so that old ones can be forgotten. */
export function noticeKey(s: BudgetStatus): string {
  return `${s.budget.source}|${scopeText(s.budget.scope)}|${s.budget.period}|${s.span.end}`;
}

/**
 * The budgets that reached a threshold not yet noticed in their period (each threshold at most once
 * per budget and period; a jump from 40% to 95% notices 90% only), and what is seen after noticing them.
 */
export function dueNotices(statuses: readonly BudgetStatus[], seen: NoticesSeen, nowMs: number): { due: BudgetStatus[]; seen: NoticesSeen } {
  const next: NoticesSeen = {};
  for (const [key, reached] of Object.entries(seen)) if (Number(key.split('|').pop()) >= nowMs - NOTICE_MEMORY_MS) next[key] = reached;
  const due = statuses.filter((s) => s.reached > (next[noticeKey(s)] ?? 0));
  for (const s of due) next[noticeKey(s)] = s.reached;
  return { due, seen: next };
}
