/** "1 call", "3 calls": a count with its noun in the right number (English; the extension localises its own strings). */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
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
