import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { TelemetryStore, openTelemetryStore, parseTier, parseWorkflowsManifest, positionAt } from '../core';
import { didYouMean } from '../core/names';
import type { BudgetDeclaration, TierDeclaration } from '../core';
import { createRoutingSetup, type RoutingSetup } from '../core/routing/routingSetup';

/** Command-line options, the telemetry store and the manifest as every command reads them. */

/** A problem the user can fix: printed as one line, never as a stack trace. */
export class UsageError extends Error {}

/** A workflow or stage name that neither the telemetry nor the manifest knows (exit 4). */
export class UnknownNameError extends UsageError {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stdin: () => Promise<string>;
  cwd: string;
}

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  workflow: { type: 'string' },
  stage: { type: 'string' },
  days: { type: 'string' },
  all: { type: 'boolean' },
  'fail-on-upgrade': { type: 'boolean' },
  'fail-over': { type: 'boolean' },
  'by-day': { type: 'boolean' },
  'max-cost': { type: 'string' },
  'max-latency-ms': { type: 'string' },
  'min-success-rate': { type: 'string' },
  'failure-threshold': { type: 'string' },
  'min-sample-size': { type: 'string' },
  tier: { type: 'string' },
  manifest: { type: 'string' },
  explore: { type: 'boolean' },
  new: { type: 'boolean' },
  database: { type: 'string' },
  project: { type: 'string' },
  watch: { type: 'boolean' },
  interval: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'otlp-rules': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<typeof parse>['values'];

export function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(argumentError(error as Error & { code?: string }, args));
  }
}

/**
 * Node's parser errors in one line that names the option, with a suggestion where one is close:
 * "unknown option --wokflow (did you mean --workflow?)", "--days must not be negative, got "-1"", "--workflow needs a value".
 */
function argumentError(error: Error & { code?: string }, args: string[]): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `unknown option ${option}${didYouMean(option.replace(/^-+/, ''), Object.keys(OPTIONS), 2, (close) => `--${close}`)}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const next = args[args.indexOf(option) + 1];
    if (/argument missing|ambiguous/.test(error.message))
      return next !== undefined && next.startsWith('-') && !/^--?[a-z]/i.test(next)
        ? `${option} must not be negative, got "${next}"`
        : `${option} needs a value`;
    return `${option} takes no value`;
  }
  return error.message.split('\n')[0];
}

export function numberOption(values: Values, name: keyof Values, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${String(name)} must be a number from ${min} to ${max}, got "${String(raw)}"`);
  }
  return value;
}

export function required(values: Values, name: 'workflow' | 'stage', command: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`${command} needs --${name}`);
  return value;
}

export function requireStage(values: Values, command: string): void {
  required(values, 'workflow', command);
  required(values, 'stage', command);
}

export function dbPath(values: Values, io: Io): string {
  return path.resolve(io.cwd, values.db ?? path.join('.attune', 'telemetry.db'));
}

/** ADAPTIVE_ROUTING_NOW (an ISO time): the commands answer as at that moment (budget periods, windows), for tests and what-ifs. */
export const NOW_ENV = 'ADAPTIVE_ROUTING_NOW';

function clockFromEnvironment(): (() => Date) | undefined {
  const raw = process.env[NOW_ENV];
  if (!raw) return undefined;
  const at = Date.parse(raw);
  if (!Number.isFinite(at)) throw new UsageError(`${NOW_ENV} must be an ISO date and time, got "${raw}"`);
  return () => new Date(at);
}

export async function withStore(values: Values, io: Io, writes: boolean, action: (store: TelemetryStore) => Promise<number> | number): Promise<number> {
  const file = dbPath(values, io);
  if (!writes && !fs.existsSync(file)) {
    throw new UsageError(`no telemetry database at ${file} (record calls with "track" or "import", or pass --db)`);
  }
  // one command per process: no background reads
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0, prefetchHistories: false, now: clockFromEnvironment() });
  try {
    const code = await action(store);
    if (writes) await store.flush();
    return code;
  } finally {
    if (writes) await store.close();
    else store.dispose();
  }
}

export interface Manifest {
  path: string | null;
  declarations: TierDeclaration[];
  disabled: string[];
  budgets: BudgetDeclaration[];
}

/** The workflows manifest: --manifest, else .attune/workflows.json in the current folder when it exists. */
export function readManifest(values: Values, io: Io): Manifest {
  const file = path.resolve(io.cwd, values.manifest ?? path.join('.attune', 'workflows.json'));
  if (!fs.existsSync(file)) {
    if (values.manifest) throw new UsageError(`no workflows manifest at ${file} (drop --manifest to go without one)`);
    return NO_MANIFEST;
  }
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseWorkflowsManifest(text);
  if (parsed.errors.length) throw new UsageError(`${file} is not valid JSON/JSONC (${parsed.errors[0]}): fix it or pass --manifest`);
  // A wrong budget leaves the rest usable: said once, and left out.
  for (const problem of parsed.problems) {
    const { line, character } = positionAt(text, problem.offset);
    io.err(`adaptive-routing: ${file}:${line + 1}:${character + 1}: ${problem.message} (left out)`);
  }
  return {
    path: file,
    declarations: parsed.declarations,
    disabled: parsed.workflows.filter((w) => !w.adaptive).map((w) => w.workflow),
    budgets: parsed.budgets,
  };
}

/** No manifest: nothing declared, nothing switched off, no budgets. */
const NO_MANIFEST: Manifest = { path: null, declarations: [], disabled: [], budgets: [] };

/**
 * The router and each stage's targets for a command: the manifest's, with the flags on top, set up by
 * the core's createRoutingSetup as the editor and `serve` set theirs up.
 */
export function commandRouting(
  store: TelemetryStore,
  values: Values,
  manifest: Manifest = NO_MANIFEST,
): RoutingSetup & { sources(workflow: string, stage: string): string[] } {
  if (values.tier !== undefined && !parseTier(values.tier)) throw new UsageError(`--tier must be cheap, capable or premium, got "${values.tier}"`);
  const setup = createRoutingSetup(store, {
    manifest: { declarations: manifest.declarations, disabledWorkflows: manifest.disabled, budgets: manifest.budgets },
    settings: {
      days: numberOption(values, 'days', 0, 100000),
      failureRateThreshold: numberOption(values, 'failure-threshold', 0, 1),
      minSampleSize: numberOption(values, 'min-sample-size', 1, 1e9),
    },
    overrides: {
      tier: values.tier,
      maxCost: numberOption(values, 'max-cost', 0, 1e6),
      maxLatencyMs: numberOption(values, 'max-latency-ms', 0, 1e9),
      minSuccessRate: numberOption(values, 'min-success-rate', 0, 1),
    },
  });
  return { ...setup, sources: (workflow, stage) => (setup.declares(workflow, stage) ? [`manifest ${manifest.path}`] : []) };
}

/**
 * A workflow (and stage) named on the command line must be one the telemetry or the manifest
 * knows: a typo must not pass a CI gate as "performing well".
 */
export function checkKnownNames(store: TelemetryStore, manifest: Manifest | null, workflow: string, stage: string | undefined): void {
  const workflows = new Set([...store.workflows(0), ...(manifest?.declarations.map((d) => d.workflow) ?? [])]);
  if (workflows.size === 0) {
    throw new UnknownNameError(
      `unknown workflow "${workflow}": ${store.location} holds no calls yet and no manifest declares a stage (record calls with track, import or VS Code, or declare the stage in .attune/workflows.json)`,
    );
  }
  if (!workflows.has(workflow)) {
    throw new UnknownNameError(
      `unknown workflow "${workflow}"${suggestion(workflow, [...workflows])}; known workflows: ${[...workflows].sort().join(', ') || '(none yet)'}`,
    );
  }
  if (stage === undefined) return;
  const stages = new Set([...store.stages(workflow, 0), ...(manifest?.declarations.filter((d) => d.workflow === workflow).map((d) => d.stage) ?? [])]);
  if (!stages.has(stage)) {
    throw new UnknownNameError(
      `workflow "${workflow}" has no stage "${stage}"${suggestion(stage, [...stages])}; its stages: ${[...stages].sort().join(', ') || '(none yet)'}`,
    );
  }
}

/** The suggestion for a mistyped workflow or stage: names are long, so a third of one may be mistyped. */
function suggestion(name: string, known: string[]): string {
  return didYouMean(name, known, Math.max(2, Math.floor(name.length / 3)));
}
