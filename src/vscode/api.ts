import type { BestModelQuery, RouteDecision, RouteQuery, RoutingStats, TierUpgradeVerdict } from '../core/routing/routerTypes';
import { definedOnly, type StageRecommendation } from '../core/routing/recommendation';
import type { LlmCall, LlmCallInput } from '../core/types';
import type { TelemetryService } from './services/telemetryService';

/**
 * What `activate` returns to other extensions that call LLMs: route each stage through the router,
 * and record each call into the workspace's telemetry.
 * `vscode.extensions.getExtension('attune-tools.adaptive-model-router')?.activate()` resolves to it.
 */
export interface AdaptiveRoutingApi {
  readonly version: 1;
  trackLlmCall(call: LlmCallInput): Promise<LlmCall>;
  /** The model to run now; `explore: false` gives the current best guess without exploration. */
  route(query: RouteQuery, options?: { explore?: boolean }): Promise<RouteDecision>;
  /** The seed's contract: the cheapest model over `minSuccessRate` in the window, else the cheap tier's (what no surface shows). */
  getBestModel(query: BestModelQuery): Promise<string>;
  /** The stage's recommendation at its manifest targets, with its verdict and reason: what the tree, status bar, Problems and CLI show. */
  recommendation(workflow: string, stage: string): Promise<StageRecommendation>;
  recommendTierUpgrade(workflow: string, stage?: string): Promise<TierUpgradeVerdict>;
  getRoutingStats(workflow: string, options?: { stage?: string; days?: number }): Promise<RoutingStats>;
  /** Saves pending calls now (they are also saved on a timer and on shutdown). */
  flush(): Promise<void>;
}

export function createApi(service: TelemetryService): AdaptiveRoutingApi {
  const router = async () => {
    const r = await service.router();
    if (!r) throw new Error(service.file.error?.message ?? 'Adaptive Routing: no workspace folder is open, so there is no telemetry.');
    return r;
  };
  return {
    version: 1,
    trackLlmCall: (call) => service.file.trackLlmCall(call),
    // The manifest's (or the settings') targets for the stage fill in what the caller leaves out.
    route: async (query, options) =>
      (await router()).route({ ...service.stageTargets(query.workflow, query.stage ?? ''), ...definedOnly(query), workflow: query.workflow }, options),
    getBestModel: async (query) => (await router()).getBestModel(query),
    recommendation: async (workflow, stage) => {
      await router(); // the same message as the other calls when there is no workspace
      return service.recommendation(workflow, stage);
    },
    recommendTierUpgrade: async (workflow, stage) => (await router()).recommendTierUpgrade(workflow, stage),
    getRoutingStats: async (workflow, options) => {
      const r = await router();
      return r.getRoutingStats(workflow, { stage: options?.stage, days: options?.days ?? r.days });
    },
    flush: () => service.file.save(),
  };
}
