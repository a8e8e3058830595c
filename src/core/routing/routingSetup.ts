import type { BudgetDeclaration } from '../budgets/budgetDeclarations';
import type { TierDeclaration } from '../declarations';
import type { TelemetryStore } from '../store/telemetryStore';
import type { StageTargets } from './recommendation';
import type { RouterOptions } from './routerTypes';
import { AdaptiveModelRouter } from './router';
import { DEFAULT_TARGET } from './routerTypes';

/** What a workflows manifest says for routing: declared stages (tier and targets), switched-off workflows, budgets. */
export interface RoutingManifest {
  declarations: readonly TierDeclaration[];
  disabledWorkflows: Iterable<string>;
  budgets: readonly BudgetDeclaration[];
}

/**
 * The user's settings (the editor's) or options (the CLI's flags): the router's own options (unset ones
 * take its defaults), and the target, switched-off workflows and budgets declared outside the manifest.
 */
export interface RoutingSettings extends Pick<RouterOptions, 'registry' | 'days' | 'failureRateThreshold' | 'minSampleSize' | 'explorationBudget'> {
  /** Success-rate target of stages the manifest gives none (DEFAULT_TARGET when unset). */
  target?: number;
  /** Workflows switched off outside the manifest (the editor's setting). */
  disabledWorkflows?: Iterable<string>;
  /** Budgets declared outside the manifest (the editor's setting), heeded beside the manifest's. */
  budgets?: readonly BudgetDeclaration[];
}

export interface RoutingSetupOptions {
  /** No manifest: nothing declared, nothing switched off, no budgets (the demo, a script). */
  manifest?: RoutingManifest;
  settings?: RoutingSettings;
  /** Targets that win over the manifest's for every stage (the CLI's flags). */
  overrides?: StageTargets;
  /** A tier declared where the manifest does not say (the editor's Python tier_map index); the manifest's otherwise. */
  declaredTier?: (workflow: string, stage: string) => string | undefined;
}

/** The router, and each stage's targets, set up once from a manifest and settings: what the extension, the CLI and `serve` share. */
export interface RoutingSetup {
  router: AdaptiveModelRouter;
  /** A stage's tier and targets: the overrides, else the manifest's, else the settings' target. */
  targets(workflow: string, stage: string): StageTargets & { minSuccessRate: number };
  /** Whether the manifest declares the stage (its targets come from there). */
  declares(workflow: string, stage: string): boolean;
}

export function createRoutingSetup(store: TelemetryStore, options: RoutingSetupOptions): RoutingSetup {
  const { manifest = NO_MANIFEST, settings = {} } = options;
  const router = new AdaptiveModelRouter(store, {
    registry: settings.registry,
    days: settings.days,
    failureRateThreshold: settings.failureRateThreshold,
    minSampleSize: settings.minSampleSize,
    explorationBudget: settings.explorationBudget,
    disabledWorkflows: new Set([...(settings.disabledWorkflows ?? []), ...manifest.disabledWorkflows]),
    budgets: [...(settings.budgets ?? []), ...manifest.budgets],
  });
  return { router, targets: stageTargetsFrom(options), declares: (workflow, stage) => declarationOf(manifest, workflow, stage) !== undefined };
}

/** The targets half of the setup alone (no store needed): a stage's tier and targets, as RoutingSetup.targets gives them. */
export function stageTargetsFrom(options: RoutingSetupOptions): RoutingSetup['targets'] {
  const { manifest = NO_MANIFEST, settings = {}, overrides = {} } = options;
  return (workflow, stage) => {
    const declared = declarationOf(manifest, workflow, stage);
    return {
      tier: overrides.tier ?? options.declaredTier?.(workflow, stage) ?? declared?.tier,
      minSuccessRate: overrides.minSuccessRate ?? declared?.minSuccessRate ?? settings.target ?? DEFAULT_TARGET,
      maxCost: overrides.maxCost ?? declared?.maxCost,
      maxLatencyMs: overrides.maxLatencyMs ?? declared?.maxLatencyMs,
    };
  };
}

const NO_MANIFEST: RoutingManifest = { declarations: [], disabledWorkflows: [], budgets: [] };

function declarationOf(manifest: RoutingManifest, workflow: string, stage: string): TierDeclaration | undefined {
  return manifest.declarations.find((d) => d.workflow === workflow && d.stage === stage);
}
