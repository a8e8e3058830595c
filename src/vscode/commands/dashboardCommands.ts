import * as vscode from 'vscode';
import type { DashboardScope } from '../../core/dashboard/dashboardTypes';
import type { TelemetryService } from '../services/telemetryService';
import type { DashboardPanel } from '../views/dashboardPanel';
import { StageNode, WorkflowNode } from '../views/statsNodes';

export const OPEN_DASHBOARD_COMMAND = 'adaptiveRouting.openDashboard';

/**
 * "Adaptive Routing: Open Dashboard": for the workspace (palette, view title, status-bar tooltip), a
 * workflow or a stage (their tree rows' menus, or `{ workflow, stage }` from a link). Resolves the panel.
 */
export function registerDashboardCommands(service: TelemetryService, dashboard: DashboardPanel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(OPEN_DASHBOARD_COMMAND, async (target?: unknown) => {
      if (!service.telemetryUri) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the dashboard shows the telemetry of the workspace.'));
        return undefined;
      }
      dashboard.show(scopeOf(target));
      return dashboard;
    }),
  ];
}

function scopeOf(target: unknown): DashboardScope {
  if (target instanceof StageNode) return { workflow: target.stage.workflow, stage: target.stage.stage };
  if (target instanceof WorkflowNode) return { workflow: target.workflow.workflow, stage: null };
  if (typeof target === 'object' && target !== null && typeof (target as { workflow?: unknown }).workflow === 'string') {
    const { workflow, stage } = target as { workflow: string; stage?: unknown };
    return { workflow, stage: typeof stage === 'string' ? stage : null };
  }
  return { workflow: null, stage: null };
}
