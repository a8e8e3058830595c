import { buildOverview, periodText } from '../core';
import type { TelemetryStore } from '../core';
import { spendText } from '../core/stats/spend';
import { capitalised, dollarRange, dollars, stageLabel } from '../core/format';
import { overviewSavings, perSuccessText, savingsText } from '../core/stats/savings';
import type { SavingsEstimate } from '../core/stats/savings';
import { Io, Values, checkKnownNames, commandRouting, readManifest } from './options';

/** adaptive-routing savings: what each stage spent and what its recommended model would save (or cost) per week. */
export function savings(store: TelemetryStore, values: Values, io: Io): number {
  const manifest = readManifest(values, io);
  if (values.workflow) checkKnownNames(store, manifest, values.workflow, values.stage);
  const { router, targets } = commandRouting(store, values, manifest);
  const scope = { workflows: values.workflow ? [values.workflow] : undefined, stage: values.stage };
  const stages = buildOverview(store, router, targets, scope).flatMap((w) => w.stages);
  const { spend, stages: results, total } = overviewSavings(stages, { days: router.days, minSampleSize: router.minSampleSize });
  const estimates = results.flatMap((r) => (r.estimate ? [r.estimate] : []));
  if (values.json) {
    io.out(JSON.stringify({ days: router.days, manifest: manifest.path, spend, savingsPerWeek: total, stages: results }, null, 2));
    return stages.length ? 0 : 1;
  }
  if (stages.length === 0) {
    io.out(`❌ No calls in the ${periodText(router.days)} (widen it with --days, or --days 0 for all time)`);
    return 1;
  }
  const lines = ['', `ADAPTIVE ROUTING - SAVINGS (${capitalised(periodText(router.days))})`, '', `Spent: ${spendText(spend)}`];
  if (total.stages)
    lines.push(
      `Could save ~${dollars(total.perWeek)} / week (${dollarRange(total.low, total.high)}, 90% interval) on ${total.stages === 1 ? '1 stage' : `${total.stages} stages`}`,
    );
  const byDirection = (direction: SavingsEstimate['direction']) =>
    estimates.filter((e) => e.direction === direction).sort((a, b) => Math.abs(b.perWeek) - Math.abs(a.perWeek));
  for (const [title, list] of [
    ['Cheaper models that meet the target:', byDirection('save')],
    ['Pricier models needed to reach the target:', byDirection('spend')],
  ] as const) {
    if (list.length) lines.push('', title, ...list.map((e) => `  • ${stageLabel(e)}: ${savingsText(e)}${perSuccessText(e) ? `; ${perSuccessText(e)}` : ''}`));
  }
  const without = results.filter((r) => r.why);
  if (without.length) lines.push('', 'No estimate:', ...without.map((r) => `  • ${stageLabel(r)}: ${r.why}`));
  io.out(lines.join('\n'));
  return 0;
}
