import { counted } from './format';

/** Milliseconds in a day: telemetry windows and daily counters are counted in UTC days. */
export const DAY_MS = 86_400_000;

/** Start (ms) of the window of the last `days` days before `nowMs`; 0 (all time) for 0 or a non-finite count. */
export function windowStart(nowMs: number, days: number): number {
  return days > 0 && Number.isFinite(days) ? nowMs - days * DAY_MS : 0;
}

/** Whether a window from `since` is whole UTC days (or all time), so the daily counters alone cover it. */
export function startsOnDay(since: number): boolean {
  return since <= 0 || since % DAY_MS === 0;
}

/** "last 7 days", "last day", "all time": a look-back window as reports print it. */
export function periodText(days: number): string {
  if (!(days > 0)) return 'all time';
  if (days < 1) {
    const hours = Number((days * 24).toFixed(1));
    return hours >= 1 ? `last ${counted(hours, 'hour')}` : `last ${counted(Math.max(1, Math.round(days * 1440)), 'minute')}`;
  }
  const rounded = Number(days.toFixed(2));
  return rounded === 1 ? 'last day' : `last ${rounded} days`;
}
