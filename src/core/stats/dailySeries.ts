import type { ModelRegistry } from '../routing/registry';
import type { TelemetryStore } from '../store/telemetryStore';
import { exactInterval } from './statistics';
import { spendOf } from './spend';
import { DAY_MS } from '../timeWindow';
import type { Tier } from '../tiers';

/** One model's numbers per day of a series, aligned with DailySeries.days. */
export interface ModelDays {
  model: string;
  tier: Tier | null;
  calls: number[];
  successes: number[];
  /** USD known per day (billed and estimated), and the estimated part of it. */
  spend: number[];
  estimated: number[];
  /** Calls per day whose cost nobody knows (not in `spend`). */
  unknownCalls: number[];
}

/**
 * A scope's calls per UTC day, columns aligned on `days` (every day of the range, days without a call
 * at zero): per model, per tier, and the success rate of all of them with its exact 90% interval.
 * From the daily counters alone (calls past the retention included): what charts and
 * `routing-stats --by-day` read.
 */
export interface DailySeries {
  workflow: string | null;
  stage: string | null;
  /** "2026-11-20", oldest first. */
  days: string[];
  models: ModelDays[];
  /** Calls per day by tier ("unknown": a model of no known tier). */
  tiers: Record<Tier | 'unknown', number[]>;
  /** All models pooled, per day; rate and interval null on a day without calls. */
  success: Array<{ calls: number; successes: number; rate: number | null; low: number | null; high: number | null }>;
}

/**
 * The series of the last `days` UTC days up to `now`'s (today included), for a stage, a workflow, or
 * (neither) every workflow; `days` 0 starts at the scope's first day with a call.
 */
export function dailySeries(
  store: TelemetryStore,
  registry: ModelRegistry,
  scope: { workflow?: string; stage?: string },
  options: { days: number; now?: Date },
): DailySeries {
  const today = Math.floor((options.now ?? store.now()).getTime() / DAY_MS);
  const workflows = scope.workflow ? [scope.workflow] : store.workflows();
  const rows = workflows.flatMap((workflow) =>
    store.dailyAggregates({ workflow, stage: scope.stage }, options.days > 0 ? (today - options.days + 1) * DAY_MS : 0).filter((r) => r.day <= today),
  );
  const first = options.days > 0 ? today - options.days + 1 : rows.reduce((day, r) => Math.min(day, r.day), today);
  const days = Array.from({ length: today - first + 1 }, (_, i) => new Date((first + i) * DAY_MS).toISOString().slice(0, 10));
  const zeros = () => days.map(() => 0);
  const byModel = new Map<string, ModelDays>();
  const tiers: DailySeries['tiers'] = { cheap: zeros(), capable: zeros(), premium: zeros(), unknown: zeros() };
  for (const r of rows) {
    const i = r.day - first;
    const m =
      byModel.get(r.model) ??
      byModel
        .set(r.model, { model: r.model, tier: null, calls: zeros(), successes: zeros(), spend: zeros(), estimated: zeros(), unknownCalls: zeros() })
        .get(r.model)!;
    const tier = r.tier ?? registry.tierOf(r.model);
    // The latest day's tier wins, as the model's tier does elsewhere.
    m.tier = tier ?? m.tier;
    const spend = spendOf(r.model, r, registry);
    m.calls[i] += r.calls;
    m.successes[i] += r.successes;
    m.spend[i] += spend.reported + spend.estimated;
    m.estimated[i] += spend.estimated;
    m.unknownCalls[i] += spend.unknownCalls;
    tiers[tier ?? 'unknown'][i] += r.calls;
  }
  const models = [...byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
  const success = days.map((_, i) => {
    const calls = models.reduce((n, m) => n + m.calls[i], 0);
    const successes = models.reduce((n, m) => n + m.successes[i], 0);
    const interval = calls ? exactInterval(successes, calls, 0.9) : null;
    return { calls, successes, rate: calls ? successes / calls : null, low: interval?.low ?? null, high: interval?.high ?? null };
  });
  return { workflow: scope.workflow ?? null, stage: scope.stage ?? null, days, models, tiers, success };
}
