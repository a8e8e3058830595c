/**
 * The names package.json and the code share: command ids, tree-item context values, context keys and
 * view ids, typed so a misspelt one fails to compile (GitLens keeps its own in `constants.commands.ts`).
 * test/unit/contributions.test.ts holds them and package.json to each other, both ways. No `vscode`
 * import, so that test reads this file without an extension host.
 */

/** Every command the extension contributes (package.json `contributes.commands`). */
export const Commands = {
  CheckAll: 'adaptiveRouting.checkAll',
  CheckWorkflow: 'adaptiveRouting.checkWorkflow',
  CheckStage: 'adaptiveRouting.checkStage',
  ShowStats: 'adaptiveRouting.showStats',
  BestModel: 'adaptiveRouting.bestModel',
  PickStage: 'adaptiveRouting.pickStage',
  CopyModel: 'adaptiveRouting.copyModel',
  GoToDefinition: 'adaptiveRouting.goToDefinition',
  Refresh: 'adaptiveRouting.refresh',
  SetTimeRange: 'adaptiveRouting.setTimeRange',
  ImportFile: 'adaptiveRouting.importFile',
  CreateSample: 'adaptiveRouting.createSample',
  ExportStats: 'adaptiveRouting.exportStats',
  ExportOtlp: 'adaptiveRouting.exportOtlp',
  MoveTelemetryAside: 'adaptiveRouting.moveTelemetryAside',
  OpenDocs: 'adaptiveRouting.openDocs',
  SetApiKey: 'adaptiveRouting.setApiKey',
  RefreshRegistry: 'adaptiveRouting.refreshRegistry',
  ShowBudgets: 'adaptiveRouting.showBudgets',
  OpenDashboard: 'adaptiveRouting.openDashboard',
  SyncTeamNow: 'adaptiveRouting.syncTeamNow',
  SetTeamPassword: 'adaptiveRouting.setTeamPassword',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** The `contextValue` of each kind of tree row: what `viewItem == ...` in package.json menus matches. */
export const ContextValues = {
  Workflow: 'workflow',
  Stage: 'stage',
  Model: 'model',
  TeamSync: 'teamSync',
} as const;

export type ContextValue = (typeof ContextValues)[keyof typeof ContextValues];

/** Context keys the extension sets (`setContext`) for package.json `when` clauses. */
export const ContextKeys = {
  NoTelemetry: 'adaptiveRouting.noTelemetry',
  NoCallsInRange: 'adaptiveRouting.noCallsInRange',
  TelemetryError: 'adaptiveRouting.telemetryError',
} as const;

export type ContextKey = (typeof ContextKeys)[keyof typeof ContextKeys];

/** Views and their container (package.json `contributes.views`, `viewsContainers`). */
export const Views = {
  Stats: 'adaptiveRouting.stats',
} as const;

export const ViewContainers = {
  Sidebar: 'adaptiveRouting',
} as const;
