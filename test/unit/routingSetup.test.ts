import { strict as assert } from 'assert';
import { ModelRegistry, openTelemetryStore, parseWorkflowsManifest, type TelemetryStore } from '../../src/core';
import { createRoutingSetup, stageTargetsFrom, type RoutingSetupOptions } from '../../src/core/routing/routingSetup';
import { DEFAULT_TARGET } from '../../src/core/routing/routerTypes';
import { fixedClock, series } from './helpers';

const MANIFEST = `{
  "workflows": {
    "code-review": { "budget": { "daily": 0.001, "onExceeded": "block" }, "stages": { "analysis": { "tier": "capable", "minSuccessRate": 0.9, "maxCost": 0.05 }, "summary": { "tier": "cheap" } } },
    "legacy": { "adaptive": false, "stages": { "draft": { "tier": "premium" } } }
  }
}`;

describe('createRoutingSetup: the router and stage targets, set up once for the extension, the CLI and serve', () => {
  let store: TelemetryStore;
  const parsed = parseWorkflowsManifest(MANIFEST);
  const manifest = {
    declarations: parsed.declarations,
    disabledWorkflows: parsed.workflows.filter((w) => !w.adaptive).map((w) => w.workflow),
    budgets: parsed.budgets,
  };
  beforeEach(async () => (store = await openTelemetryStore({ now: fixedClock().now })));
  afterEach(() => store.close());

  it("a stage's targets: the manifest's, else the settings' target, else the default", () => {
    assert.deepEqual([parsed.errors, parsed.budgets.length], [[], 1]);
    const targets = stageTargetsFrom({ manifest });
    assert.deepEqual(targets('code-review', 'analysis'), { tier: 'capable', minSuccessRate: 0.9, maxCost: 0.05, maxLatencyMs: undefined });
    assert.deepEqual(targets('code-review', 'summary'), { tier: 'cheap', minSuccessRate: DEFAULT_TARGET, maxCost: undefined, maxLatencyMs: undefined });
    assert.equal(DEFAULT_TARGET, 0.8);
    assert.equal(stageTargetsFrom({ manifest, settings: { target: 0.7 } })('code-review', 'summary').minSuccessRate, 0.7, 'the setting fills in');
    assert.equal(
      stageTargetsFrom({ manifest, settings: { target: 0.7 } })('code-review', 'analysis').minSuccessRate,
      0.9,
      'the manifest wins over the setting',
    );
    assert.deepEqual(stageTargetsFrom({ manifest: { declarations: [], disabledWorkflows: [], budgets: [] } })('x', 'y').tier, undefined);
  });

  it('overrides (the CLI flags) win over everything; a tier declared in a workflow file wins over the manifest', () => {
    const options: RoutingSetupOptions = { manifest, declaredTier: (w, s) => (w === 'code-review' && s === 'analysis' ? 'premium' : undefined) };
    assert.equal(stageTargetsFrom(options)('code-review', 'analysis').tier, 'premium');
    assert.equal(stageTargetsFrom(options)('code-review', 'summary').tier, 'cheap', 'undeclared in files: the manifest');
    const flagged = stageTargetsFrom({ ...options, overrides: { tier: 'cheap', minSuccessRate: 0.5, maxLatencyMs: 900 } })('code-review', 'analysis');
    assert.deepEqual(flagged, { tier: 'cheap', minSuccessRate: 0.5, maxCost: 0.05, maxLatencyMs: 900 });
  });

  it('the router: the settings, the manifest and the settings switch workflows off and add budgets together', () => {
    const registry = new ModelRegistry();
    const setup = createRoutingSetup(store, {
      manifest,
      settings: {
        registry,
        days: 30,
        minSampleSize: 25,
        failureRateThreshold: 0.3,
        disabledWorkflows: ['other'],
        budgets: [{ scope: { workflow: 'spender' }, period: 'daily', limit: 0.001, onExceeded: 'block', source: 'setting' }],
      },
    });
    assert.equal(setup.router.registry, registry);
    assert.deepEqual([setup.router.days, setup.router.minSampleSize, setup.router.failureRateThreshold], [30, 25, 0.3]);
    for (const workflow of ['legacy', 'other']) assert.equal(setup.router.route({ workflow, stage: 's' }).adaptive, false, `${workflow} is switched off`);
    // Both budgets are heeded: the manifest's and the setting's, each spent by a call today.
    const end = new Date(store.now().getTime() - 60_000);
    for (const workflow of ['code-review', 'spender']) store.trackLlmCalls(series(1, { end, workflow, stage: 's', cost: 0.01 }));
    for (const workflow of ['code-review', 'spender']) assert.equal(setup.router.route({ workflow, stage: 's' }).blocked, true, `${workflow} is blocked`);
    assert.notEqual(setup.router.route({ workflow: 'elsewhere', stage: 's' }).blocked, true, 'no budget elsewhere');
    assert.equal(setup.declares('code-review', 'analysis'), true);
    assert.equal(setup.declares('code-review', 'nowhere'), false);
  });
});
