import * as vscode from 'vscode';
import { checkOtlpRules } from '../core/ingest/otlpRules';
import type { OtlpRules } from '../core/ingest/otlpSpans';
import { DAY_MS } from '../core/timeWindow';
import { DEFAULT_POLICY } from '../core/routing/learningPolicy';
import { DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_MIN_SAMPLE_SIZE, DEFAULT_TARGET } from '../core/routing/routerTypes';

export const SECTION = 'adaptiveRouting';

export type SeverityChoice = 'auto' | 'warning' | 'information' | 'hint' | 'off';
export type SuggestionChoice = 'hint' | 'information' | 'off';
export type TimeRange = 'today' | '7d' | '30d' | 'all';

export interface RoutingSettings {
  telemetryPath: string;
  importSources: string[];
  workflowsFile: string;
  failureRateThreshold: number;
  minSampleSize: number;
  disabledWorkflows: string[];
  diagnosticSeverity: SeverityChoice;
  downgradeSuggestions: SuggestionChoice;
  pinnedStage: string;
  registryBaseUrl: string;
  maxFileSizeMB: number;
  targetSuccessRate: number;
  explorationBudget: number;
  retentionDays: number;
  /** The workspace budget as set (checked by settingBudgets). */
  budget: unknown;
}

/** Typed reads of the extension's settings, with the seed's defaults. */
export function readSettings(scope?: vscode.ConfigurationScope): RoutingSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    telemetryPath: c.get<string>('telemetryPath') || '.attune/telemetry.db',
    importSources: c.get<string[]>('importSources') ?? ['.attune/llm_calls.jsonl', '~/.attune/telemetry/usage.jsonl'],
    workflowsFile: c.get<string>('workflowsFile') || '.attune/workflows.json',
    failureRateThreshold: c.get<number>('failureRateThreshold') ?? DEFAULT_FAILURE_RATE_THRESHOLD,
    minSampleSize: c.get<number>('minSampleSize') ?? DEFAULT_MIN_SAMPLE_SIZE,
    disabledWorkflows: c.get<string[]>('disabledWorkflows') ?? [],
    diagnosticSeverity: c.get<SeverityChoice>('diagnosticSeverity') ?? 'auto',
    downgradeSuggestions: c.get<SuggestionChoice>('downgradeSuggestions') ?? 'hint',
    pinnedStage: c.get<string>('pinnedStage') ?? '',
    registryBaseUrl: c.get<string>('registryBaseUrl') || 'https://api.anthropic.com',
    maxFileSizeMB: c.get<number>('maxFileSizeMB') ?? 256,
    targetSuccessRate: c.get<number>('targetSuccessRate') ?? DEFAULT_TARGET,
    explorationBudget: c.get<number>('explorationBudget') ?? DEFAULT_POLICY.explorationBudget,
    retentionDays: c.get<number>('retentionDays') ?? 90,
    budget: c.get<unknown>('budget') ?? null,
  };
}

let otlpProblemsLogged = '';

/**
 * How OpenTelemetry spans become calls (`adaptiveRouting.otlp.*`: imports and the receiver). A wrong
 * value is left out, its default applying, and named in the log once while it stays wrong.
 */
export function readOtlpRules(log: vscode.LogOutputChannel, scope?: vscode.ConfigurationScope): OtlpRules {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const { rules, problems } = checkOtlpRules({
    evaluationThreshold: c.get('otlp.evaluationThreshold'),
    modelCallOperations: c.get('otlp.modelCallOperations'),
    modelCallSpanNames: c.get('otlp.modelCallSpanNames'),
    attributes: c.get('otlp.attributes'),
  });
  if (problems.join('\n') !== otlpProblemsLogged) for (const problem of problems) log.warn(`Setting adaptiveRouting.${problem}: left out, its default applies`);
  otlpProblemsLogged = problems.join('\n');
  return rules;
}

/** Days of history for a time range; "today" counts from local midnight. */
export function rangeDays(range: TimeRange, now = new Date()): number {
  switch (range) {
    case 'today': {
      const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
      return Math.max((now.getTime() - midnight.getTime()) / DAY_MS, 1 / 86_400);
    }
    case '30d':
      return 30;
    case 'all':
      return 0;
    default:
      return 7;
  }
}

export const RANGE_LABELS: Record<TimeRange, string> = { today: 'Today', '7d': 'Last 7 days', '30d': 'Last 30 days', all: 'All time' };
