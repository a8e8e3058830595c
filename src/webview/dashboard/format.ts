/** Number formats of the page (the extension formats its own texts; these are for chart values). */
export const usd = (v: number | null | undefined): string =>
  v == null
    ? '—'
    : v === 0
      ? '$0'
      : Math.abs(v) < 0.01
        ? `$${v.toFixed(4)}`
        : `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export const percent = (v: number | null | undefined): string => (v == null ? '—' : `${(v * 100).toFixed(1)}%`);

export const count = (v: number | null | undefined): string => (v == null ? '—' : v.toLocaleString('en-US'));

/** "Nov 20" for an ISO day, read as UTC (the series are UTC days). */
export const dayLabel = (day: string): string => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
