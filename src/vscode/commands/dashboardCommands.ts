import * as vscode from 'vscode';
import type { TelemetryService } from '../services/telemetryService';
import type { DashboardPanel } from '../views/dashboardPanel';
import { Commands } from '../constants';
import { commandTarget } from './commandArguments';
import { registerCommand } from './commandRegistry';

/**
 * "Adaptive Routing: Open Dashboard": for the workspace (palette, view title, status-bar tooltip), a
 * workflow or a stage (their tree rows' menus, or `{ workflow, stage }` from a link). Resolves the panel.
 */
export function registerDashboardCommands(service: TelemetryService, dashboard: DashboardPanel): vscode.Disposable[] {
  return [
    registerCommand(Commands.OpenDashboard, async (...args) => {
      if (!service.file.uri) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the dashboard shows the telemetry of the workspace.'));
        return undefined;
      }
      const target = commandTarget(args);
      dashboard.show(target ? { workflow: target.workflow, stage: target.stage } : { workflow: null, stage: null });
      return dashboard;
    }),
  ];
}
