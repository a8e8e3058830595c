/**
 * The product's vocabulary for numbers and names, one module for the core, the CLI, the extension and
 * the dashboard page (pure functions, no imports, so the page's bundle takes it as it is): rates,
 * money, counts and stage labels, each written one way everywhere.
 */

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

/** "80%", "80.5%": a target or a share, whole when it is whole (pct keeps the decimal: "80.0%"). */
export function shortPct(rate: number): string {
  return `${Number((rate * 100).toFixed(1))}%`;
}

/** "$0.0042": a cost per call or per success, to 4 places as the upstream framework's reports print it; "—" when unknown. */
export function money(usd: number | null | undefined): string {
  return usd == null ? '—' : `$${usd.toFixed(4)}`;
}

/**
 * Dollars as people read a bill: cents from $1 up (with thousands separators) and for whole cents,
 * four places below a dollar otherwise (a call costs fractions of a cent): $12.40, $0.25, $0.0042.
 */
export function dollars(usd: number): string {
  const cents = usd * 100;
  return usdTo(usd, Math.abs(usd) >= 1 || Math.abs(cents - Math.round(cents)) < 1e-9 ? 2 : 4);
}

/** "$0.20–$2.20": both ends to the places the larger one needs. */
export function dollarRange(low: number, high: number): string {
  const places = Math.max(Math.abs(low), Math.abs(high)) >= 1 ? 2 : 4;
  return `${usdTo(low, places)}–${usdTo(high, places)}`;
}

/**
 * Labels for an axis's dollar ticks, all to the places the step between them needs ($0, $0.025,
 * $0.05, ... for ticks $0.025 apart, not $0.03 and $0.08).
 */
export function dollarTicks(ticks: readonly number[]): string[] {
  const steps = ticks
    .slice(1)
    .map((t, i) => Math.abs(t - ticks[i]))
    .filter((d) => d > 0);
  const step = steps.length ? Math.min(...steps) : Math.abs(ticks[0] ?? 0);
  let places = 0;
  while (places < 6 && step > 0 && Math.abs(Math.round(step * 10 ** places) - step * 10 ** places) > 1e-9 * 10 ** places) places++;
  return ticks.map((t) => usdTo(t, places));
}

/** "-$1,234.50": USD to exactly `places` decimals, with thousands separators and the sign before the $. */
function usdTo(usd: number, places: number): string {
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places })}`;
}

/** "1,234"; "—" when unknown. */
export function count(n: number | null | undefined): string {
  return n == null ? '—' : n.toLocaleString('en-US');
}

/** "1 call", "3 calls": a count with its noun in the right number (English; the extension localises its own strings). */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${count(n)} ${n === 1 ? singular : plural}`;
}

/** How a workflow's calls that name no stage are shown. */
export const NO_STAGE = '(no stage)';

/** A stage's name, or NO_STAGE for the workflow-level one. */
export function stageName(stage: string): string {
  return stage || NO_STAGE;
}

/** "code-review / analysis", "code-review / (no stage)": how reports name a stage. */
export function stageLabel(s: { workflow: string; stage: string }): string {
  return `${s.workflow} / ${stageName(s.stage)}`;
}

/** "Last 7 days" from "last 7 days": a phrase made to start a line or a title. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The reports' emoji and check marks (upstream's terminal format, which the CLI keeps) as glyphs every
 * editor font has (WGL4): an editor shows no empty boxes where a font lacks an emoji.
 */
const EDITOR_GLYPHS: Array<[RegExp, string]> = [
  [/(📊|📈|💰|💡) /gu, ''],
  [/⚠️ ?/gu, '!'],
  [/❌/gu, '×'],
  [/✓/gu, '√'],
  [/✗/gu, '×'],
];

export function editorSafeText(text: string): string {
  return EDITOR_GLYPHS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
