/** How the core writes numbers for people: percentages like the upstream framework, dollars to 4 places. */

/**
 * "31.2%": a rate as a percentage with one decimal, rounded as the upstream framework's Python
 * `f"{rate:.1%}"` rounds: rate x 100 in floating point, then its exact binary value to one
 * decimal with ties to even (5/16 reads "31.2%", where toFixed would say "31.3%").
 */
export function pct(rate: number): string {
  const percent = rate * 100;
  if (!Number.isFinite(percent)) return `${percent}%`;
  const digits = Math.abs(percent).toFixed(40); // the double's exact decimal digits, well past any tie
  const point = digits.indexOf('.');
  let tenths = BigInt(digits.slice(0, point) + digits[point + 1]);
  const rest = digits.slice(point + 2);
  const tie = /^50*$/.test(rest);
  if (rest[0] > '5' || (rest[0] === '5' && !tie) || (tie && tenths % 2n === 1n)) tenths += 1n;
  const text = tenths.toString().padStart(2, '0');
  return `${percent < 0 && tenths > 0n ? '-' : ''}${text.slice(0, -1)}.${text.slice(-1)}%`;
}

export function money(usd: number | null | undefined): string {
  return usd == null ? '—' : `$${usd.toFixed(4)}`;
}
