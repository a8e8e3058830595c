/**
 * bench:routing's budget scenario: a stage whose weekly budget is half of what the unconstrained
 * router spends on it in that week. The table's rows are replayed over one calendar week (Monday to
 * Sunday, UTC), once without a budget and once with `{ "weekly": half, "onExceeded": "cheapest" }`
 * on the stage that spent most; the stage's spend against the budget and its success are printed.
 */
import type { BudgetDeclaration } from '../../src/core';
import { AdaptiveModelRouter, ModelRegistry, openTelemetryStore } from '../../src/core';
import { seededRandom } from '../../src/core/random';
import { OutcomeTable, interleave, recordReplayedCall, stageKey } from './replayData';

const WEEK_START = Date.parse('2026-11-30T00:00:00Z'); // a Monday
const WEEK_MS = 7 * 86_400_000;

export interface BudgetScenarioResult {
  table: string;
  stage: string;
  budget: number;
  unconstrained: { spend: number; success: number };
  budgeted: { spend: number; success: number; calls: number; afterLimit: number };
}

async function run(
  table: OutcomeTable,
  seed: number,
  budgets: BudgetDeclaration[],
): Promise<Map<string, { spend: number; successes: number; calls: number; afterLimit: number }>> {
  const rows = interleave(table.rows, seed);
  let clock = WEEK_START;
  const store = await openTelemetryStore({ now: () => new Date(clock) });
  const registry = new ModelRegistry({ models: table.models }, {});
  const router = new AdaptiveModelRouter(store, { registry, random: seededRandom(seed), budgets });
  const tally = new Map<string, { spend: number; successes: number; calls: number; afterLimit: number }>();
  rows.forEach((row, i) => {
    clock = WEEK_START + Math.floor(((i + 0.5) / rows.length) * WEEK_MS);
    const decision = router.route({ workflow: row.workflow, stage: row.stage });
    recordReplayedCall(store, registry, row, decision.model, clock);
    const t = tally.get(stageKey(row)) ?? { spend: 0, successes: 0, calls: 0, afterLimit: 0 };
    t.spend += row.cost[decision.model];
    t.calls++;
    if (row.success[decision.model]) t.successes++;
    if (decision.budget?.effect === 'cheapest') t.afterLimit++;
    tally.set(stageKey(row), t);
  });
  await store.close();
  return tally;
}

export async function budgetScenario(table: OutcomeTable, seed: number): Promise<BudgetScenarioResult> {
  const free = await run(table, seed, []);
  const [key, most] = [...free].reduce((a, b) => (b[1].spend > a[1].spend ? b : a));
  const [workflow, stage] = [table.rows.find((r) => stageKey(r) === key)!.workflow, table.rows.find((r) => stageKey(r) === key)!.stage];
  const budget = most.spend / 2;
  const bounded = (await run(table, seed, [{ scope: { workflow, stage }, period: 'weekly', limit: budget, onExceeded: 'cheapest', source: 'manifest' }])).get(
    key,
  )!;
  return {
    table: table.name,
    stage: key,
    budget,
    unconstrained: { spend: most.spend, success: most.successes / most.calls },
    budgeted: { spend: bounded.spend, success: bounded.successes / bounded.calls, calls: bounded.calls, afterLimit: bounded.afterLimit },
  };
}
