/**
 * The router core: no `vscode` import, usable from Node scripts, other extensions and the CLI.
 * Bundled as dist/core.js (CommonJS).
 */
export { openTelemetry } from './openTelemetry';
export type { OpenTelemetryOptions } from './openTelemetry';
export { TelemetryStore } from './telemetryStore';
export type { CallScope, StoreEvent, TelemetryStoreOptions } from './telemetryStore';
export { AdaptiveModelRouter, money, pct } from './router';
export type { BestModelQuery, ModelPerformance, RouteDecision, RouteQuery, RouterOptions, RoutingStats, TierUpgradeVerdict } from './router';
export { ModelRegistry, BUILT_IN_REGISTRY, resolveNewestModels } from './registry';
export type { ApiModelEntry, ModelInfo, RegistryData } from './registry';
export { TIERS, nextTier, parseTier } from './tiers';
export type { Tier } from './tiers';
export type { LlmCall, LlmCallInput } from './types';
export { InvalidCallError } from './callValidation';
export { TelemetryFileError, SCHEMA_VERSION } from './schema';
export { parseTelemetryLine, importJsonlBytes, parseNaiveLocalTime } from './importers';
export type { ImportReport } from './importers';
export { importJsonlFile, importJsonlFiles, defaultImportSources, expandRotated } from './nodeImport';
export { generateSampleCalls } from './sampleData';
export { formatRecommendationCheck, formatRoutingStats, formatUpgradeCheck } from './report';
export { closestName, counted, periodText } from './text';
export { DAY_MS, windowStart } from './timeWindow';
export { changeText, recommendStage } from './recommendation';
export type { StageRecommendation } from './recommendation';
export { describeEvidence, failureEvidence } from './failureEvidence';
export type { FailureEvidence } from './failureEvidence';
export { wilsonInterval, normalQuantile } from './statistics';
export { NodeFileBackend } from './nodeFileBackend';
export { MemoryBackend } from './storage';
export type { StorageBackend } from './storage';
export { buildOverview, overviewRows, toCsv } from './overview';
export type { StageOverview, WorkflowOverview, StageTargets } from './overview';
export { needsUpgrade } from './overview';
export { findPythonTierDeclarations, parseWorkflowsManifest, tierReplacement, positionAt } from './declarations';
export type { ManifestProblem, TierDeclaration, WorkflowSettings } from './declarations';
export { workerIntegrityCheck } from './nodeIntegrityCheck';
