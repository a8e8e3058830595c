/**
 * The router core: no `vscode` import, usable from Node scripts, other extensions and the CLI.
 * Bundled as dist/core.js (CommonJS).
 */
export { openTelemetryStore } from './store/openTelemetryStore';
export type { OpenStoreOptions } from './store/openTelemetryStore';
/** @deprecated The name before it said what it opens (the telemetry store, not OpenTelemetry): kept for API callers. */
export { openTelemetryStore as openTelemetry } from './store/openTelemetryStore';
/** @deprecated Renamed OpenStoreOptions. */
export type { OpenStoreOptions as OpenTelemetryOptions } from './store/openTelemetryStore';
export { TelemetryStore } from './store/telemetryStore';
export type { CallScope, StoreEvent, TelemetryStoreOptions } from './store/telemetryStore';
export { AdaptiveModelRouter, money, pct } from './routing/router';
export type { BestModelQuery, ModelPerformance, RouteDecision, RouteQuery, RouterOptions, RoutingStats, TierUpgradeVerdict } from './routing/router';
export { ModelRegistry, BUILT_IN_REGISTRY, resolveNewestModels } from './routing/registry';
export type { ApiModelEntry, ModelInfo, RegistryData } from './routing/registry';
export { TIERS, nextTier, parseTier } from './tiers';
export type { Tier } from './tiers';
export type { LlmCall, LlmCallInput } from './types';
export { InvalidCallError } from './ingest/callValidation';
export { TelemetryFileError, SCHEMA_VERSION } from './store/schema';
export { parseTelemetryLine, importJsonlBytes, parseNaiveLocalTime } from './ingest/importers';
export type { ImportReport } from './ingest/importers';
export { importJsonlFile, importJsonlFiles, defaultImportSources, expandRotated } from './ingest/nodeImport';
export { generateSampleCalls } from './ingest/sampleData';
export { formatRecommendationCheck, formatRoutingStats, formatUpgradeCheck } from './stats/report';
export { closestName } from './names';
export { counted, dollars, stageLabel } from './format';
export { DAY_MS, periodText, windowStart } from './timeWindow';
export { changeText, recommendStage, verdictText } from './routing/recommendation';
export type { StageRecommendation, StageVerdict } from './routing/recommendation';
export { createRoutingSetup } from './routing/routingSetup';
export type { RoutingManifest, RoutingSettings, RoutingSetup, RoutingSetupOptions } from './routing/routingSetup';
export { DEFAULT_TARGET } from './routing/routerTypes';
export { describeEvidence, failureEvidence } from './stats/failureEvidence';
export type { FailureEvidence } from './stats/failureEvidence';
export { wilsonInterval, normalQuantile } from './stats/statistics';
export { NodeFileBackend } from './store/nodeFileBackend';
export { MemoryBackend } from './store/storage';
export type { StorageBackend } from './store/storage';
export { buildOverview, overviewRows, toCsv } from './stats/overview';
export type { StageOverview, WorkflowOverview, StageTargets, OverviewScope } from './stats/overview';
export { needsUpgrade } from './stats/overview';
export { spendOf, spendShort, spendText, spendTotal } from './stats/spend';
export { dailySeries } from './stats/dailySeries';
export type { DailySeries, ModelDays } from './stats/dailySeries';
export type { Spend } from './stats/spend';
export { findPythonTierDeclarations, parseWorkflowsManifest, tierReplacement, positionAt } from './declarations';
export type { ManifestProblem, TierDeclaration, WorkflowSettings } from './declarations';
export { readManifestBudgets, scopeText, settingBudgets } from './budgets/budgetDeclarations';
export type { BudgetDeclaration, BudgetScope, OnExceeded } from './budgets/budgetDeclarations';
export { periodAt } from './budgets/budgetPeriods';
export type { BudgetPeriod, PeriodSpan } from './budgets/budgetPeriods';
export { budgetSentence, budgetShort, budgetState, budgetStateText, budgetStatuses, budgetsOf, projectionText, scopeSpend } from './budgets/budgetStatus';
export type { BudgetProjection, BudgetStatus } from './budgets/budgetStatus';
export type { BudgetInfluence } from './budgets/budgetGuard';
export { workerIntegrityCheck } from './store/nodeIntegrityCheck';
export { syncRound, TeamSyncError } from './team/teamSync';
export type { SyncOptions, SyncReport, TeamDatabase } from './team/teamSync';
export { migrateTeamSchema, TEAM_SCHEMA_VERSION } from './team/teamSchema';
