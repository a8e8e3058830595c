import { counted } from './format';

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

/** The known name closest to `name` (case ignored) within `maxDistance` edits, if one is: for "did you mean". */
export function closestName(name: string, known: Iterable<string>, maxDistance = 2): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= maxDistance && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
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
