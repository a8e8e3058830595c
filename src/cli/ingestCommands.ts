import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  counted,
  createRoutingSetup,
  expandRotated,
  generateSampleCalls,
  importJsonlFiles,
  money,
  openTelemetryStore,
  parseTelemetryLine,
  pct,
  recommendStage,
  stageLabel,
  verdictText,
} from '../core';
import type { TelemetryStore } from '../core';
import { otlpRulesFromText } from '../core/ingest/otlpRules';
import { describeSkipped, rejectedSpans, type OtlpRules } from '../core/ingest/otlpSpans';
import { Io, UsageError, Values, dbPath } from './options';
import { recommendationJson } from './reportCommands';

/** The commands that write: track, import, and the demo on its own sample file. */

export async function track(store: TelemetryStore, values: Values, io: Io): Promise<number> {
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

/**
 * What `import` is given, checked before the telemetry file is opened (or created): a folder is not a
 * log, and files that are all empty give nothing to import. Empty ones among others are said and skipped.
 */
export function checkImportFiles(files: string[], io: Io): void {
  const empty: string[] = [];
  for (const file of files) {
    const full = path.resolve(io.cwd, file);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory())
      throw new UsageError(`${file} is a folder: import takes files (for the logs in it: adaptive-routing import ${path.join(file, '*.jsonl')})`);
    if (stat?.size === 0) empty.push(file);
  }
  if (empty.length === files.length) throw new UsageError(`nothing to import: ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty`);
  for (const file of empty) io.err(`adaptive-routing: ${file} is empty: skipped`);
}

export async function importFiles(store: TelemetryStore, files: string[], values: Values, io: Io): Promise<number> {
  const paths = files.map((file) => path.resolve(io.cwd, file));
  // A usage log the tracker has just rotated is missing until its next write; its rotated
  // siblings hold the calls, so only a file with neither is missing.
  const missing: string[] = [];
  for (const file of paths) if (!fs.existsSync(file) && (await expandRotated(file)).length === 1) missing.push(file);
  if (missing.length) throw new UsageError(`file not found: ${missing.join(', ')}`);
  const reports = (await importJsonlFiles(store, paths, otlpRulesOption(values, io))).filter((r) => fs.existsSync(r.source));
  await store.flush();
  if (values.json) io.out(JSON.stringify({ db: store.location, reports }, null, 2));
  else {
    for (const r of reports) {
      const spans = r.skippedSpans ? describeSkipped(r.skippedSpans) : '';
      io.out(
        `${r.source}: ${r.imported} imported, ${r.duplicates} already present, ${counted(r.skipped, 'bad line')} skipped${spans ? `; ${spans}` : ''} (bytes ${r.fromOffset}–${r.toOffset})`,
      );
      for (const p of r.problems.slice(0, 5)) io.err(`  line ${p.line}: ${p.message}`);
    }
    io.out(`Telemetry: ${store.location} (${counted(store.callCount(), 'call')})`);
  }
  // One rule with track: something was given and none of it could be stored (bad lines, or spans that are no calls).
  const stored = reports.reduce((n, r) => n + r.imported + r.duplicates, 0);
  const bad = reports.reduce((n, r) => n + r.skipped + (r.skippedSpans ? r.skippedSpans.notModelCalls + rejectedSpans(r.skippedSpans) : 0), 0);
  return bad > 0 && stored === 0 ? 1 : 0;
}

/** --otlp-rules FILE: the OpenTelemetry mapping's rules (plain, or a VS Code settings file); any problem is a usage error. */
export function otlpRulesOption(values: Values, io: Io): OtlpRules {
  const file = values['otlp-rules'];
  if (file === undefined) return {};
  let result: ReturnType<typeof otlpRulesFromText>;
  try {
    result = otlpRulesFromText(fs.readFileSync(path.resolve(io.cwd, file), 'utf8'));
  } catch (error) {
    throw new UsageError(`--otlp-rules ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`);
  }
  if (result.problems.length) throw new UsageError(`--otlp-rules ${file}: ${result.problems.join('; ')}`);
  return result.rules;
}

/** The router on sample telemetry: in a temporary file removed afterwards, or in a new file at --db to keep. */
export async function demo(values: Values, io: Io): Promise<number> {
  const keep = values.db !== undefined;
  const folder = keep ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'adaptive-routing-demo-'));
  const file = folder ? path.join(folder, 'telemetry.db') : dbPath(values, io);
  if (keep && fs.existsSync(file)) throw new UsageError(`${file} exists: demo writes sample calls only into a new file (pick another --db)`);
  const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
  try {
    store.trackLlmCalls(generateSampleCalls({ now: store.now() }));
    await store.flush();
    const { router } = createRoutingSetup(store, {});
    // What the editor shows (the recommendation), and the seed's rules beside it, labelled as the seed's.
    const asked = { minSuccessRate: 0.9, maxCost: 0.01 };
    const recommendation = recommendStage(router, 'code-review', 'analysis', asked);
    const best = router.getBestModel({ workflow: 'code-review', stage: 'analysis', ...asked });
    const stages = store.stages('code-review');
    const recommendations = stages.map((stage) => recommendStage(router, 'code-review', stage));
    const verdicts = stages.map((stage) => router.recommendTierUpgrade('code-review', stage));
    const stats = router.getRoutingStats('code-review', { days: 7 });
    if (values.json) {
      const json = {
        recommendation: recommendationJson(recommendation),
        bestModel: best,
        recommendations: recommendations.map(recommendationJson),
        verdicts,
        stats,
      };
      io.out(JSON.stringify({ db: keep ? file : null, ...json }, null, 2));
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
      `✓ Recommended model: ${recommendation.model}${recommendation.tier ? ` (${recommendation.tier})` : ''}, what VS Code, the CLI and route() answer`,
      `  Why: ${recommendation.reason}`,
      '  Constraints: max_cost=$0.01, min_success_rate=90%',
      `  The seed's getBestModel rule (cheapest model over 90% in the window) gives: ${best}`,
      '',
    );
    out.push('⚠️  Example 2: Check for Tier Upgrade Recommendations (at the 80% target)', thin);
    recommendations.forEach((r, i) => {
      const v = verdicts[i];
      out.push(
        `${r.verdict === 'upgrade' ? '⚠️ ' : '✓'} ${stageLabel(r)}: ${r.model}, ${verdictText(r)}`,
        `    ${r.reason}`,
        `    The seed's recent-failure rule: ${v.upgrade ? `upgrade ${v.currentTier?.toUpperCase()} → ${v.recommendedTier?.toUpperCase()}` : 'no upgrade'} (${v.reason})`,
      );
    });
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
