import { buildOverview, changeText, dailySeries, formatRoutingStats, money, pct, periodText, recommendStage } from '../core';
import { routingCheck as routingCheckOf } from '../core/stats/routingCheck';
import type { AdaptiveModelRouter, RouteDecision, StageRecommendation, TelemetryStore } from '../core';
import { Io, UsageError, Values, checkKnownNames, commandRouting, readManifest, required } from './options';

/** The commands that read: routing-stats, routing-check, best-model and route. */

export function routingStats(store: TelemetryStore, values: Values, io: Io): number {
  // Per day, the whole workspace when no workflow is named.
  if (values['by-day'] && !values.workflow && !values.stage) return routingStatsByDay(store, commandRouting(store, values).router, undefined, values, io);
  const workflow = required(values, 'workflow', 'routing-stats');
  checkKnownNames(store, readManifest(values, io), workflow, values.stage);
  const { router } = commandRouting(store, values);
  if (values['by-day']) return routingStatsByDay(store, router, workflow, values, io);
  const stats = router.getRoutingStats(workflow, { stage: values.stage, days: router.days });
  if (values.json) io.out(JSON.stringify(stats, null, 2));
  else if (stats.totalCalls === 0) {
    io.out(
      `❌ No calls for workflow '${workflow}'${values.stage ? ` stage '${values.stage}'` : ''} in the ${periodText(router.days)} (widen it with --days, or --days 0 for all time)`,
    );
  } else io.out(formatRoutingStats(stats));
  return stats.totalCalls === 0 ? 1 : 0;
}

/** routing-stats --by-day: the scope's calls, success and spend per UTC day (what the dashboard charts). */
function routingStatsByDay(store: TelemetryStore, router: AdaptiveModelRouter, workflow: string | undefined, values: Values, io: Io): number {
  const series = dailySeries(store, router.registry, { workflow, stage: values.stage }, { days: router.days });
  if (values.json) io.out(JSON.stringify(series, null, 2));
  else {
    const lines = [`${workflow ? `${workflow}${values.stage ? ` / ${values.stage}` : ''}` : 'Every workflow'}, per UTC day (${periodText(router.days)})`, ''];
    series.days.forEach((day, i) => {
      const s = series.success[i];
      const usd = series.models.reduce((sum, m) => sum + m.spend[i], 0);
      const estimated = series.models.some((m) => m.estimated[i] > 0);
      lines.push(
        `${day}  ${String(s.calls).padStart(6)} calls  ${s.rate == null ? '     —' : pct(s.rate).padStart(6)} success  ${estimated ? '≈ ' : ''}${money(usd)}`,
      );
    });
    io.out(lines.join('\n'));
  }
  return series.success.some((s) => s.calls > 0) ? 0 : 1;
}

export function routingCheck(store: TelemetryStore, values: Values, io: Io): number {
  if (!values.all && !values.workflow) throw new UsageError('routing-check needs --workflow W or --all');
  const manifest = readManifest(values, io);
  if (!values.all) checkKnownNames(store, manifest, values.workflow as string, values.stage);
  const { router, targets } = commandRouting(store, values, manifest);
  const scope = { workflows: values.all ? undefined : [values.workflow as string], stage: values.stage };
  const stages = buildOverview(store, router, targets, scope).flatMap((w) => w.stages);
  const title = values.all
    ? `Checking ${new Set(stages.map((s) => s.workflow)).size} workflows`
    : `Workflow: ${values.workflow}${values.stage ? `\nStage: ${values.stage}` : ''}`;
  const check = routingCheckOf(stages, { days: router.days, minSampleSize: router.minSampleSize, title });
  if (values.json) {
    const { recommendations, verdicts, upgradesNeeded } = check;
    io.out(
      JSON.stringify(
        { days: router.days, manifest: manifest.path, upgradesNeeded, recommendations: recommendations.map(recommendationJson), verdicts },
        null,
        2,
      ),
    );
  } else if (stages.length === 0 && values.all) io.out(`❌ No calls in the ${periodText(router.days)} (widen it with --days, or --days 0 for all time)`);
  else io.out(check.report);
  return values['fail-on-upgrade'] && check.upgradesNeeded > 0 ? 2 : 0;
}

/** A recommendation as --json prints it: route()'s alternatives, and the budget that shaped it, beside its own fields. */
export function recommendationJson(r: StageRecommendation): Omit<StageRecommendation, 'decision'> & Pick<RouteDecision, 'alternatives' | 'budget' | 'blocked'> {
  const { decision, ...rest } = r;
  return { ...rest, alternatives: decision.alternatives, ...(decision.budget && { budget: decision.budget, blocked: decision.blocked }) };
}

/** best-model and route: the stage's recommendation, the one answer VS Code shows too. */
export function recommend(store: TelemetryStore, values: Values, io: Io, command: string): number {
  const workflow = required(values, 'workflow', command);
  const stage = required(values, 'stage', command);
  const manifest = readManifest(values, io);
  // A typo must not be answered with a default as if it were a new stage; --new says it is one.
  if (!values.new) checkKnownNames(store, manifest, workflow, stage);
  const routing = commandRouting(store, values, manifest);
  const router = routing.router;
  const targets = routing.targets(workflow, stage);
  const sources = routing.sources(workflow, stage);
  if (values.explore) {
    const decision = router.route({ workflow, stage, ...targets });
    if (values.json) io.out(JSON.stringify(decision, null, 2));
    else
      io.out(
        `${decision.blocked ? '⛔ Blocked, else' : '→'} ${decision.model}${decision.tier ? ` (${decision.tier})` : ''}${decision.explored ? ' [exploring]' : ''}\n  ${decision.reason}`,
      );
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
  const head = r.decision.blocked ? '⛔ Blocked by a budget; otherwise' : r.fallback ? '⚠ Fallback' : '✓ Selected model';
  const out = [`${head}: ${r.model}${r.tier ? ` (${r.tier})` : ''}`, `  Why: ${r.reason}`];
  const change = changeText(r);
  if (change) out.push(`  ${r.change === 'upgrade' ? 'Upgrade' : 'Downgrade'} ${change}`);
  out.push(`  Constraints: ${constraints.join(', ')}${sources.length ? ` (from ${sources.join(', ')}, flags on top)` : ''}`);
  io.out(out.join('\n'));
  return 0;
}
