/** Names a user typed, matched to the ones that exist: for "did you mean". */

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

/** ' (did you mean "x"?)' for the known name closest to a typo, or '' when none is close; `spelled` writes the name as the user would type it. */
export function didYouMean(name: string, known: Iterable<string>, maxDistance = 2, spelled = (close: string) => `"${close}"`): string {
  const close = closestName(name, known, maxDistance);
  return close ? ` (did you mean ${spelled(close)}?)` : '';
}
