import * as vscode from 'vscode';
import { AdaptiveRoutingApi, createApi } from './vscode/api';
import { DeclarationIndex, declarationsIn } from './vscode/diagnostics/declarationIndex';
import { registerRegistryCommands } from './vscode/commands/registryCommands';
import { registerReportProvider, showReport } from './vscode/views/reports';
import { registerRoutingCommands } from './vscode/commands/routingCommands';
import { RoutingStatusBar } from './vscode/statusBar/statusBar';
import { StatsTreeProvider } from './vscode/views/statsTreeProvider';
import { registerTelemetryCommands } from './vscode/commands/telemetryCommands';
import { TelemetryService } from './vscode/services/telemetryService';
import { TierDiagnostics } from './vscode/diagnostics/tierDiagnostics';
import { TierCodeActions } from './vscode/diagnostics/tierCodeActions';
import { BudgetMonitor } from './vscode/services/budgetMonitor';
import { BudgetStatusBar } from './vscode/statusBar/budgetStatusBar';
import { registerBudgetCommands } from './vscode/commands/budgetCommands';
import { DashboardPanel } from './vscode/views/dashboardPanel';
import { registerDashboardCommands } from './vscode/commands/dashboardCommands';
import { TeamSyncService } from './vscode/services/teamSync';
import { registerTeamCommands } from './vscode/commands/teamCommands';
import { OtlpReceiverService } from './vscode/services/otlpReceiverService';
import { registerOtlpCommands } from './vscode/commands/otlpCommands';

let service: TelemetryService | undefined;
let receiver: OtlpReceiverService | undefined;

/** Wires the adapters together. Nothing heavy here: the telemetry file opens on first use. */
export function activate(context: vscode.ExtensionContext): AdaptiveRoutingApi & { readonly testing?: unknown } {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Adaptive Routing', { log: true });
  const declarations = new DeclarationIndex();
  service = new TelemetryService(context, log, declarations);
  const budgets = new BudgetMonitor(service, context.workspaceState, log);
  const team = new TeamSyncService(context, service);
  const tree = new StatsTreeProvider(service, budgets, team);
  receiver = new OtlpReceiverService(service);
  const statusBar = new RoutingStatusBar(service, tree, team, receiver);
  const diagnostics = new TierDiagnostics(service, declarations);
  const budgetStatusBar = new BudgetStatusBar(budgets);
  const dashboard = new DashboardPanel(context.extensionUri, service);
  context.subscriptions.push(
    log,
    declarations,
    { dispose: () => void service?.dispose() },
    tree,
    statusBar,
    diagnostics,
    budgets,
    budgetStatusBar,
    dashboard,
    team,
    receiver,
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'python' }, { language: 'json' }, { language: 'jsonc' }],
      new TierCodeActions((uri, offset) => diagnostics.savingsLabel(uri, offset)),
      { providedCodeActionKinds: TierCodeActions.kinds },
    ),
    registerReportProvider(),
    ...registerRoutingCommands(service, tree, statusBar, diagnostics),
    ...registerTelemetryCommands(service, tree),
    ...registerRegistryCommands(context, service),
    ...registerBudgetCommands(budgets),
    ...registerDashboardCommands(service, dashboard),
    ...registerTeamCommands(team),
    ...registerOtlpCommands(service),
  );
  // The status bar and diagnostics need the file; open it once the window has settled.
  const opener = setTimeout(() => void service?.file.ensureOpen(), 500);
  context.subscriptions.push({ dispose: () => clearTimeout(opener) });

  const api = createApi(service);
  const activateMs = performance.now() - started;
  if (context.extensionMode !== vscode.ExtensionMode.Test) return api;
  // Test runs can read what a person would see, which VS Code's API does not expose.
  return {
    ...api,
    testing: { service, tree, statusBar, diagnostics, budgets, budgetStatusBar, dashboard, team, receiver, activateMs, showReport, declarationsIn },
  };
}

/** Saves pending calls before the extension host goes away (the receiver's waiting calls first). */
export async function deactivate(): Promise<void> {
  await receiver?.close();
  receiver = undefined;
  await service?.dispose();
  service = undefined;
}
