import { Node as JsonNode, ParseError, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import { BudgetDeclaration, readManifestBudgets } from './budgets/budgetDeclarations';
import { TIERS, Tier, parseTier } from './tiers';
import { didYouMean } from './names';

/** Where a workflow file declares a stage's tier: the text to replace to change it. */
export interface TierDeclaration {
  workflow: string;
  stage: string;
  tier: Tier;
  /** Offsets of the tier text itself (`CHEAP` in `ModelTier.CHEAP`, `cheap` inside the JSON quotes). */
  start: number;
  end: number;
  /** How the replacement must be spelled. */
  style: 'python-enum' | 'json-string';
  /** Per-stage targets from the manifest, when given. */
  minSuccessRate?: number;
  maxCost?: number;
  maxLatencyMs?: number;
}

export interface WorkflowSettings {
  workflow: string;
  /** False when the manifest switches adaptive routing off for this workflow. */
  adaptive: boolean;
}

/** Text that replaces a declaration's tier with another one, in the file's own spelling. */
export function tierReplacement(declaration: TierDeclaration, tier: Tier): string {
  return declaration.style === 'json-string' ? tier : tier.toUpperCase();
}

/**
 * Finds upstream Python workflow classes: a class body with `name = "code-review"` and
 * `tier_map = {"analysis": ModelTier.CHEAP, ...}`. Line-based on purpose: it must work on files
 * that do not parse yet while the user types.
 */
export function findPythonTierDeclarations(text: string): TierDeclaration[] {
  const declarations: TierDeclaration[] = [];
  const classPattern = /^([ \t]*)class\s+\w+[^\n]*:/gm;
  const starts: Array<{ index: number; indent: number }> = [];
  for (let m = classPattern.exec(text); m; m = classPattern.exec(text)) starts.push({ index: m.index, indent: width(m[1]) });
  starts.forEach((start, i) => {
    const end = nextClassStart(text, starts, i);
    const body = text.slice(start.index, end);
    // Only the class's own lines (at its body's indentation), not those of a class nested in it.
    const own = ownIndent(body);
    const name = firstAt(/^([ \t]+)name\s*(?::\s*\w+\s*)?=\s*["']([^"'\n]+)["']/gm, body, own)?.[2];
    const map = firstAt(/^([ \t]+)tier_map\s*(?::[^=\n]+)?=\s*\{/gm, body, own);
    if (!name || !map) return;
    const mapStart = map.index + map[0].length;
    const mapEnd = matchingBrace(body, mapStart - 1);
    const entries = body.slice(mapStart, mapEnd);
    const entryPattern = /["']([^"'\n]+)["']\s*:\s*((?:[A-Za-z_][\w]*\.)*)(CHEAP|CAPABLE|PREMIUM)\b/gi;
    for (let e = entryPattern.exec(entries); e; e = entryPattern.exec(entries)) {
      const tier = parseTier(e[3]);
      if (!tier) continue;
      const tierStart = start.index + mapStart + e.index + e[0].length - e[3].length;
      declarations.push({ workflow: name, stage: e[1], tier, start: tierStart, end: tierStart + e[3].length, style: 'python-enum' });
    }
  });
  return declarations;
}

/** Width of a line's leading whitespace, a tab counting as four spaces. */
function width(indent: string): number {
  return indent.replace(/\t/g, '    ').length;
}

/** The indentation of a class body: that of the first non-blank line after the class line. */
function ownIndent(body: string): number {
  const line = /\n([ \t]*)\S/.exec(body);
  return line ? width(line[1]) : -1;
}

/** The first match whose indentation (group 1) is `indent` wide. */
function firstAt(pattern: RegExp, body: string, indent: number): RegExpExecArray | undefined {
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) if (width(m[1]) === indent) return m;
  return undefined;
}

function nextClassStart(text: string, starts: Array<{ index: number; indent: number }>, i: number): number {
  for (let j = i + 1; j < starts.length; j++) if (starts[j].indent <= starts[i].indent) return starts[j].index;
  return text.length;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return text.length;
}

/** A syntax problem of the manifest, where it is (offsets into its text), for the Problems panel. */
export interface ManifestProblem {
  message: string;
  offset: number;
  length: number;
}

/** "PropertyNameExpected" -> "property name expected". */
function describeParseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "line 3, column 7" (1-based) of an offset. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * The JSON/JSONC workflows manifest:
 * `{ "workflows": { "code-review": { "adaptive": true, "stages": { "analysis": { "tier": "cheap", "minSuccessRate": 0.85, "maxCost": 0.01 } } } } }`.
 */
export function parseWorkflowsManifest(text: string): {
  declarations: TierDeclaration[];
  workflows: WorkflowSettings[];
  /** Spend budgets on the workspace (the root), workflows and stages; wrong ones are among `problems`. */
  budgets: BudgetDeclaration[];
  errors: string[];
  problems: ManifestProblem[];
} {
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  const problems = parseErrors.map((e): ManifestProblem => ({
    message: `${describeParseError(printParseErrorCode(e.error))} (JSON with comments)`,
    offset: e.offset,
    length: e.length,
  }));
  // A wrong budget is a problem to show, not an error that makes the manifest unusable.
  const errors = problems.map((p) => `${p.message} at ${lineAndColumn(text, p.offset)}`);
  const budgets = readManifestBudgets(root);
  problems.push(...budgets.problems);
  const result = { declarations: [] as TierDeclaration[], workflows: [] as WorkflowSettings[], budgets: budgets.budgets, errors, problems };
  const workflows = root && findNodeAtLocation(root, ['workflows']);
  if (!workflows || workflows.type !== 'object') return result;
  for (const property of workflows.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value || value.type !== 'object') continue;
    const workflow = String(key.value);
    const adaptive = findNodeAtLocation(value, ['adaptive']);
    result.workflows.push({ workflow, adaptive: adaptive?.value !== false });
    const stages = findNodeAtLocation(value, ['stages']);
    for (const stageProperty of stages?.type === 'object' ? (stages.children ?? []) : []) {
      const [stageKey, stageValue] = stageProperty.children ?? [];
      const tierNode = stageValue && findNodeAtLocation(stageValue, ['tier']);
      const tier = tierNode?.type === 'string' ? parseTier(tierNode.value) : undefined;
      if (tierNode && !tier) {
        // A misspelt tier must not be ignored silently: the stage would run undeclared.
        const close = typeof tierNode.value === 'string' ? didYouMean(tierNode.value, TIERS) : '';
        const given = JSON.stringify(tierNode.value ?? null);
        problems.push({
          message: `${given} is not a tier: use ${TIERS.join(', ')}${close}; stage "${String(stageKey.value)}" of ${workflow} is left undeclared`,
          offset: tierNode.offset,
          length: tierNode.length,
        });
      }
      if (!tierNode || !tier) continue;
      result.declarations.push({
        workflow,
        stage: String(stageKey.value),
        tier,
        start: tierNode.offset + 1,
        end: tierNode.offset + tierNode.length - 1,
        style: 'json-string',
        minSuccessRate: numberAt(stageValue, 'minSuccessRate'),
        maxCost: numberAt(stageValue, 'maxCost'),
        maxLatencyMs: numberAt(stageValue, 'maxLatencyMs'),
      });
    }
  }
  return result;
}

function numberAt(node: JsonNode, key: string): number | undefined {
  const found = findNodeAtLocation(node, [key]);
  return found?.type === 'number' ? (found.value as number) : undefined;
}

/** Converts an offset into a zero-based line and character. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
