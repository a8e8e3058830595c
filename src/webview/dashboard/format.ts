/**
 * The page's formats: the product's vocabulary (core/format.ts, the one the extension and the CLI
 * write with), and the page's own day labels.
 */
import { pct } from '../../core/format';

export { count, dollars, dollarTicks, shortPct, stageLabel, stageName } from '../../core/format';

/** A rate, "—" when a day has none. */
export const percent = (v: number | null | undefined): string => (v == null ? '—' : pct(v));

/** "Nov 20" for an ISO day, read as UTC (the series are UTC days). */
export const dayLabel = (day: string): string => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
