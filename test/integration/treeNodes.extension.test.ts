import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import type { StageOverview } from '../../src/core/stats/overview';
import { ModelNode, StageNode, type TreeContext } from '../../src/vscode/views/statsNodes';
import { modelRow, stageOverview } from '../builders/overviews';

/** The tree's rows drawn straight from built overviews: no telemetry file, no other test's state. */
describe('Routing Stats rows from built overviews (nodes tested directly)', () => {
  const context: TreeContext = { minSamples: 10, days: 7, readP95: async () => new Map(), budgetsOf: () => [] };
  const row = (stage: StageOverview) => new StageNode(stage, context).treeItem();
  const icon = (item: vscode.TreeItem) => (item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '');
  const tooltip = (item: vscode.TreeItem) => (item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value.replace(/\\(.)/g, '$1') : '');

  it('each verdict has its icon, its words in the description or the accessible label, and its reason in the tooltip', () => {
    const upgrade = row(
      stageOverview({
        stage: 'analysis',
        recommendation: { model: 'claude-sonnet-5', tier: 'capable', change: 'upgrade', confident: true, reason: 'haiku fails here' },
      }),
    );
    assert.equal(icon(upgrade), 'warning');
    assert.match(String(upgrade.description), /^→ claude-sonnet-5 · CHEAP → CAPABLE · \$\d/);
    assert.equal(upgrade.accessibilityInformation?.label, 'analysis, recommended claude-sonnet-5, upgrade CHEAP → CAPABLE');
    assert.match(tooltip(upgrade), /haiku fails here/);

    const outOfReach = row(stageOverview({ stage: 'hard', recommendation: { verdict: 'out-of-reach', outOfReach: true } }));
    assert.equal(icon(outOfReach), 'circle-slash');
    assert.match(String(outOfReach.description), / · target out of reach/);

    const thin = row(stageOverview({ stage: 'new', models: [modelRow('claude-haiku-4-5', 2, 1)], recommendation: { judged: false, calls: 2 } }));
    assert.equal(icon(thin), 'circle-outline');
    assert.match(thin.accessibilityInformation?.label ?? '', /too few calls to judge$/);

    const held = row(stageOverview({ stage: 'held', recommendation: { verdict: 'held-by-budget' } }));
    assert.match(String(held.description), / · held on the cheapest model by a spent budget/);
    assert.equal(icon(held), 'pass');

    const kept = row(stageOverview({ stage: 'kept' }));
    assert.equal(icon(kept), 'pass');
    assert.equal(kept.accessibilityInformation?.label, 'kept, recommended claude-haiku-4-5, keeps its tier');
    assert.equal(kept.contextValue, 'stage');
  });

  it('a stage before its recommendation is worked out, and the workflow-level stage', () => {
    const pending = row(stageOverview({ stage: 'later', recommendation: null }));
    assert.match(String(pending.description), /^→ …/);
    assert.equal(icon(pending), 'circle-outline');
    assert.equal(row(stageOverview({ stage: '' })).label, '(no stage)');
  });

  it("a model row names its observed rate, and its tooltip the router's estimate beside it", () => {
    const stage = stageOverview({
      stage: 'analysis',
      models: [modelRow('claude-haiku-4-5', 29, 28 / 29)],
      recommendation: { model: 'claude-haiku-4-5' },
    });
    stage.recommendation!.decision.alternatives[0].successRate = 0.938;
    const item = new ModelNode(stage, stage.models[0], 10).treeItem();
    assert.match(String(item.description), /^96\.6% observed \(n=29\) · /);
    assert.equal(item.contextValue, 'model');
    assert.equal(icon(item), 'star-full', 'the recommended model');
    const text = tooltip(item);
    assert.match(text, /Success rate observed in the range \| 96\.6%/);
    assert.match(text, /Router's estimate \(its reasons quote it\) \| 93\.8%/);
  });
});
