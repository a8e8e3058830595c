import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import {
  AdaptiveModelRouter,
  InvalidCallError,
  TelemetryFileError,
  TelemetryStore,
  changeText,
  counted,
  expandRotated,
  formatRecommendationCheck,
  formatRoutingStats,
  generateSampleCalls,
  importJsonlFiles,
  money,
  openTelemetry,
  parseTelemetryLine,
  parseTier,
  parseWorkflowsManifest,
  pct,
  periodText,
  recommendStage,
  windowStart,
} from '../core';
import type { StageRecommendation, StageTargets, TierDeclaration, TierUpgradeVerdict } from '../core';

const USAGE = `Usage: adaptive-routing <command> [options]

Commands:
  routing-stats --workflow W [--stage S] [--days 7]   per-model statistics
  routing-check --workflow W [--stage S] | --all      tier-upgrade recommendations
                [--fail-on-upgrade]                   exit 2 when a stage needs an upgrade (CI gate)
  best-model --workflow W --stage S [--max-cost USD] [--max-latency-ms MS] [--min-success-rate 0.8]
                                                      the stage's recommended model (what VS Code shows)
  route --workflow W --stage S [--tier cheap] [--min-success-rate 0.8] [--explore]
                                                      the same recommendation; --explore samples the
                                                      model to run now, as workflows calling route() do
  track                                               record JSON lines of calls read from stdin
  import FILE...                                      import usage.jsonl / llm_calls.jsonl files
  demo                                                the router on built-in sample telemetry

Options:
  --db PATH                telemetry database (default .attune/telemetry.db)
  --manifest PATH          workflows manifest with stage tiers and targets (default .attune/workflows.json
                           when it exists); flags given on the command line win over it
  --json                   machine-readable output
  --failure-threshold 0.2  --min-sample-size 10  --days 7 (0: all time)

Exit codes: 0 done, 1 bad usage or no line stored, 2 upgrade needed (--fail-on-upgrade),
            3 telemetry file unusable, 4 unknown workflow or stage`;

/** A problem the user can fix: printed as one line, never as a stack trace. */
class UsageError extends Error {}

/** A workflow or stage name that neither the telemetry nor the manifest knows (exit 4). */
class UnknownNameError extends UsageError {}

interface Io {
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
  'max-cost': { type: 'string' },
  'max-latency-ms': { type: 'string' },
  'min-success-rate': { type: 'string' },
  'failure-threshold': { type: 'string' },
  'min-sample-size': { type: 'string' },
  tier: { type: 'string' },
  manifest: { type: 'string' },
  explore: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
}

function numberOption(values: Values, name: keyof Values, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${String(name)} must be a number from ${min} to ${max}, got "${String(raw)}"`);
  }
  return value;
}

function required(values: Values, name: 'workflow' | 'stage', command: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`${command} needs --${name}`);
  return value;
}

function requireStage(values: Values, command: string): void {
  required(values, 'workflow', command);
  required(values, 'stage', command);
}

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`adaptive-routing: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (command || values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 1;
  }
  try {
    switch (command) {
      case 'routing-stats':
        required(values, 'workflow', command);
        return await withStore(values, io, false, (store) => routingStats(store, values, io));
      case 'routing-check':
        if (!values.all && !values.workflow) throw new UsageError(`routing-check needs --workflow W or --all\n\n${USAGE}`);
        return await withStore(values, io, false, (store) => routingCheck(store, values, io));
      case 'best-model':
      case 'route':
        requireStage(values, command);
        return await withStore(values, io, false, (store) => recommend(store, values, io, command));
      case 'track':
        return await withStore(values, io, true, (store) => track(store, values, io));
      case 'import':
        if (rest.length === 0) throw new UsageError('import needs at least one FILE');
        return await withStore(values, io, true, (store) => importFiles(store, rest, values, io));
      case 'demo':
        return await demo(values, io);
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`adaptive-routing: ${error.message}`);
      return error instanceof UnknownNameError ? 4 : 1;
    }
    if (error instanceof TelemetryFileError || error instanceof InvalidCallError) {
      io.err(`adaptive-routing: ${error.message}`);
      return 3;
    }
    io.err(`adaptive-routing: ${(error as Error).message ?? String(error)}`);
    return 3;
  }
}

function dbPath(values: Values, io: Io): string {
  return path.resolve(io.cwd, values.db ?? path.join('.attune', 'telemetry.db'));
}

async function withStore(values: Values, io: Io, writes: boolean, action: (store: TelemetryStore) => Promise<number> | number): Promise<number> {
  const file = dbPath(values, io);
  if (!writes && !fs.existsSync(file)) {
    throw new UsageError(`no telemetry database at ${file} (record calls with "track" or "import", or pass --db)`);
  }
  const store = await openTelemetry({ path: file, autoSaveMs: 0 });
  try {
    const code = await action(store);
    if (writes) await store.flush();
    return code;
  } finally {
    if (writes) await store.close();
    else store.dispose();
  }
}

interface Manifest {
  path: string | null;
  declarations: TierDeclaration[];
  disabled: string[];
}

/** The workflows manifest: --manifest, else .attune/workflows.json in the current folder when it exists. */
function readManifest(values: Values, io: Io): Manifest {
  const file = path.resolve(io.cwd, values.manifest ?? path.join('.attune', 'workflows.json'));
  if (!fs.existsSync(file)) {
    if (values.manifest) throw new UsageError(`no workflows manifest at ${file} (drop --manifest to go without one)`);
    return { path: null, declarations: [], disabled: [] };
  }
  const parsed = parseWorkflowsManifest(fs.readFileSync(file, 'utf8'));
  if (parsed.errors.length) throw new UsageError(`${file} is not valid JSON/JSONC (${parsed.errors[0]}): fix it or pass --manifest`);
  return { path: file, declarations: parsed.declarations, disabled: parsed.workflows.filter((w) => !w.adaptive).map((w) => w.workflow) };
}

function makeRouter(store: TelemetryStore, values: Values, manifest?: Manifest): AdaptiveModelRouter {
  return new AdaptiveModelRouter(store, {
    days: numberOption(values, 'days', 0, 100000),
    failureRateThreshold: numberOption(values, 'failure-threshold', 0, 1),
    minSampleSize: numberOption(values, 'min-sample-size', 1, 1e9),
    disabledWorkflows: manifest?.disabled,
  });
}

/** A stage's tier and targets: the manifest's, with what the command line gives on top; and where they came from. */
function stageTargets(
  manifest: Manifest,
  values: Values,
  workflow: string,
  stage: string,
): { targets: StageTargets & { minSuccessRate: number }; sources: string[] } {
  const declared = manifest.declarations.find((d) => d.workflow === workflow && d.stage === stage);
  const flag = {
    tier: values.tier,
    maxCost: numberOption(values, 'max-cost', 0, 1e6),
    maxLatencyMs: numberOption(values, 'max-latency-ms', 0, 1e9),
    minSuccessRate: numberOption(values, 'min-success-rate', 0, 1),
  };
  if (flag.tier !== undefined && !parseTier(flag.tier)) throw new UsageError(`--tier must be cheap, capable or premium, got "${flag.tier}"`);
  return {
    targets: {
      tier: flag.tier ?? declared?.tier,
      maxCost: flag.maxCost ?? declared?.maxCost,
      maxLatencyMs: flag.maxLatencyMs ?? declared?.maxLatencyMs,
      minSuccessRate: flag.minSuccessRate ?? declared?.minSuccessRate ?? 0.8,
    },
    sources: declared ? [`manifest ${manifest.path}`] : [],
  };
}

/**
 * A workflow (and stage) named on the command line must be one the telemetry or the manifest
 * knows: a typo must not pass a CI gate as "performing well".
 */
function checkKnownNames(store: TelemetryStore, manifest: Manifest | null, workflow: string, stage: string | undefined): void {
  const workflows = new Set([...store.workflows(0), ...(manifest?.declarations.map((d) => d.workflow) ?? [])]);
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

/** ' (did you mean "x"?)' for the known name closest to a typo, if one is close. */
function suggestion(name: string, known: string[]): string {
  const close = known
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return close ? ` (did you mean "${close.k}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

function routingStats(store: TelemetryStore, values: Values, io: Io): number {
  const workflow = required(values, 'workflow', 'routing-stats');
  checkKnownNames(store, readManifest(values, io), workflow, values.stage);
  const router = makeRouter(store, values);
  const stats = router.getRoutingStats(workflow, { stage: values.stage, days: router.days });
  if (values.json) io.out(JSON.stringify(stats, null, 2));
  else if (stats.totalCalls === 0) {
    io.out(
      `❌ No calls for workflow '${workflow}'${values.stage ? ` stage '${values.stage}'` : ''} in the ${periodText(router.days)} (widen it with --days, or --days 0 for all time)`,
    );
  } else io.out(formatRoutingStats(stats));
  return stats.totalCalls === 0 ? 1 : 0;
}

function routingCheck(store: TelemetryStore, values: Values, io: Io): number {
  if (!values.all && !values.workflow) throw new UsageError('routing-check needs --workflow W or --all');
  const manifest = readManifest(values, io);
  if (!values.all) checkKnownNames(store, manifest, values.workflow as string, values.stage);
  const router = makeRouter(store, values, manifest);
  const since = windowStart(store.now().getTime(), router.days);
  const workflows = values.all ? store.workflows(since) : [values.workflow as string];
  const verdicts: TierUpgradeVerdict[] = [];
  const recommendations: StageRecommendation[] = [];
  for (const workflow of workflows) {
    const stages = values.stage ? [values.stage] : store.stages(workflow, since);
    if (stages.length === 0) verdicts.push(router.recommendTierUpgrade(workflow));
    for (const stage of stages) {
      verdicts.push(router.recommendTierUpgrade(workflow, stage));
      recommendations.push(recommendStage(router, workflow, stage, stageTargets(manifest, values, workflow, stage).targets));
    }
  }
  const needed = recommendations.filter((r) => r.change === 'upgrade').length;
  if (values.json)
    io.out(
      JSON.stringify(
        { days: router.days, manifest: manifest.path, upgradesNeeded: needed, recommendations: recommendations.map(recommendationJson), verdicts },
        null,
        2,
      ),
    );
  else if (workflows.length === 0) io.out(`❌ No calls in the ${periodText(router.days)} (widen it with --days, or --days 0 for all time)`);
  else
    io.out(
      formatRecommendationCheck(
        recommendations,
        router.days,
        values.all ? `Checking ${workflows.length} workflows` : `Workflow: ${values.workflow}${values.stage ? `\nStage: ${values.stage}` : ''}`,
      ),
    );
  return values['fail-on-upgrade'] && needed > 0 ? 2 : 0;
}

/** A recommendation as --json prints it: every field but route()'s per-model posterior details. */
function recommendationJson(r: StageRecommendation): Omit<StageRecommendation, 'decision'> & { alternatives: StageRecommendation['decision']['alternatives'] } {
  const { decision, ...rest } = r;
  return { ...rest, alternatives: decision.alternatives };
}

/** best-model and route: the stage's recommendation, the one answer VS Code shows too. */
function recommend(store: TelemetryStore, values: Values, io: Io, command: string): number {
  const workflow = required(values, 'workflow', command);
  const stage = required(values, 'stage', command);
  const manifest = readManifest(values, io);
  const router = makeRouter(store, values, manifest);
  const { targets, sources } = stageTargets(manifest, values, workflow, stage);
  if (values.explore) {
    const decision = router.route({ workflow, stage, ...targets });
    if (values.json) io.out(JSON.stringify(decision, null, 2));
    else io.out(`→ ${decision.model}${decision.tier ? ` (${decision.tier})` : ''}${decision.explored ? ' [exploring]' : ''}\n  ${decision.reason}`);
    return 0;
  }
  const r = recommendStage(router, workflow, stage, targets);
  if (values.json) {
    io.out(
      JSON.stringify(
        { ...recommendationJson(r), maxCost: targets.maxCost ?? null, maxLatencyMs: targets.maxLatencyMs ?? null, manifest: manifest.path },
        null,
        2,
      ),
    );
    return 0;
  }
  const constraints = [
    targets.maxCost != null ? `max_cost=${money(targets.maxCost)}` : '',
    targets.maxLatencyMs != null ? `max_latency=${targets.maxLatencyMs}ms` : '',
    `min_success_rate=${pct(r.target)}`,
  ].filter(Boolean);
  const out = [`${r.fallback ? '⚠ Fallback' : '✓ Selected model'}: ${r.model}${r.tier ? ` (${r.tier})` : ''}`, `  Why: ${r.reason}`];
  const change = changeText(r);
  if (change) out.push(`  ${r.change === 'upgrade' ? 'Upgrade' : 'Downgrade'} ${change}`);
  out.push(`  Constraints: ${constraints.join(', ')}${sources.length ? ` (from ${sources.join(', ')}, flags on top)` : ''}`);
  io.out(out.join('\n'));
  return 0;
}

async function track(store: TelemetryStore, values: Values, io: Io): Promise<number> {
  const text = await io.stdin();
  let tracked = 0;
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      store.trackLlmCall(parseTelemetryLine(line).call);
      tracked++;
    } catch (error) {
      problems.push(`line ${index + 1}: ${(error as Error).message}`);
    }
  });
  await store.flush();
  if (values.json) io.out(JSON.stringify({ tracked, skipped: problems.length, problems, db: store.location }));
  else {
    io.out(`Tracked ${counted(tracked, 'call')} into ${store.location}${problems.length ? `; skipped ${counted(problems.length, 'bad line')}` : ''}`);
    for (const problem of problems.slice(0, 20)) io.err(`  ${problem}`);
  }
  return problems.length && tracked === 0 ? 1 : 0;
}

async function importFiles(store: TelemetryStore, files: string[], values: Values, io: Io): Promise<number> {
  const paths = files.map((file) => path.resolve(io.cwd, file));
  // A usage log the tracker has just rotated is missing until its next write; its rotated
  // siblings hold the calls, so only a file with neither is missing.
  const missing: string[] = [];
  for (const file of paths) if (!fs.existsSync(file) && (await expandRotated(file)).length === 1) missing.push(file);
  if (missing.length) throw new UsageError(`file not found: ${missing.join(', ')}`);
  const reports = (await importJsonlFiles(store, paths)).filter((r) => fs.existsSync(r.source));
  await store.flush();
  if (values.json) io.out(JSON.stringify({ db: store.location, reports }, null, 2));
  else {
    for (const r of reports) {
      io.out(
        `${r.source}: ${r.imported} imported, ${r.duplicates} already present, ${counted(r.skipped, 'bad line')} skipped (bytes ${r.fromOffset}–${r.toOffset})`,
      );
      for (const p of r.problems.slice(0, 5)) io.err(`  line ${p.line}: ${p.message}`);
    }
    io.out(`Telemetry: ${store.location} (${counted(store.callCount(), 'call')})`);
  }
  // One rule with track: lines were given and none of them could be stored.
  const stored = reports.reduce((n, r) => n + r.imported + r.duplicates, 0);
  const bad = reports.reduce((n, r) => n + r.skipped, 0);
  return bad > 0 && stored === 0 ? 1 : 0;
}

/** The router on sample telemetry: in a temporary file removed afterwards, or in a new file at --db to keep. */
async function demo(values: Values, io: Io): Promise<number> {
  const keep = values.db !== undefined;
  const folder = keep ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'adaptive-routing-demo-'));
  const file = folder ? path.join(folder, 'telemetry.db') : dbPath(values, io);
  if (keep && fs.existsSync(file)) throw new UsageError(`${file} exists: demo writes sample calls only into a new file (pick another --db)`);
  const store = await openTelemetry({ path: file, autoSaveMs: 0 });
  try {
    store.trackLlmCalls(generateSampleCalls({ now: store.now() }));
    await store.flush();
    const router = new AdaptiveModelRouter(store);
    const best = router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxCost: 0.01, minSuccessRate: 0.9 });
    const stages = store.stages('code-review');
    const verdicts = stages.map((stage) => router.recommendTierUpgrade('code-review', stage));
    const stats = router.getRoutingStats('code-review', { days: 7 });
    if (values.json) {
      io.out(JSON.stringify({ db: keep ? file : null, bestModel: best, verdicts, stats }, null, 2));
      return 0;
    }
    const rule = '='.repeat(70);
    const thin = '-'.repeat(70);
    const out: string[] = [
      rule,
      'ADAPTIVE MODEL ROUTING DEMONSTRATION',
      rule,
      `Sample telemetry: ${counted(store.callCount(), 'call')}${keep ? ` in ${file}` : ' (in a temporary file, removed afterwards)'}`,
      '',
    ];
    out.push(
      '📊 Example 1: Get Best Model for Code Review (stage "analysis")',
      thin,
      `✓ Selected model: ${best}`,
      '  Constraints: max_cost=$0.01, min_success_rate=90%',
      '',
    );
    out.push('⚠️  Example 2: Check for Tier Upgrade Recommendations', thin);
    for (const v of verdicts) {
      out.push(
        v.upgrade
          ? `⚠️  Upgrade ${v.workflow}/${v.stage} from ${v.currentTier?.toUpperCase()} to ${v.recommendedTier?.toUpperCase()}: ${v.reason}`
          : `✓ No upgrade needed for ${v.workflow}/${v.stage}: ${v.reason}`,
      );
    }
    out.push('', '📈 Example 3: Routing Statistics (Last 7 Days)', thin);
    out.push(
      `Workflow: ${stats.workflow}`,
      `Total calls: ${stats.totalCalls}`,
      `Average cost: ${money(stats.avgCost)}`,
      `Average success rate: ${pct(stats.avgSuccessRate)}`,
      '',
    );
    out.push(`Models used: ${stats.modelsUsed.join(', ')}`, '', 'Per-Model Performance:');
    for (const model of stats.modelsUsed) {
      const p = stats.performanceByModel[model];
      out.push(
        `  ${model}:`,
        `    Calls: ${p.calls}`,
        `    Success rate: ${pct(p.successRate)}`,
        `    Avg cost: ${money(p.avgCost)}`,
        `    Avg latency: ${p.avgLatencyMs == null ? '—' : Math.round(p.avgLatencyMs) + 'ms'}`,
        '',
      );
    }
    out.push(
      keep
        ? `Try the CLI on it: adaptive-routing routing-check --all --db ${file}`
        : 'To keep the sample and try the other commands on it: adaptive-routing demo --db sample.db',
    );
    io.out(out.join('\n'));
    return 0;
  } finally {
    await store.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  }
}
