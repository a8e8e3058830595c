import { counted, stageLabel } from '../../core/format';
import * as vscode from 'vscode';
import type { StageOverview } from '../../core/stats/overview';
import { changeText } from '../../core/routing/recommendation';
import { formatRoutingStats } from '../../core/stats/report';
import { routingCheck, type RoutingCheck } from '../../core/stats/routingCheck';
import { notifyWithDetails } from '../views/reports';
import type { RoutingStatusBar } from '../statusBar/statusBar';
import type { StatsTreeProvider } from '../views/statsTreeProvider';
import { Commands, Views } from '../constants';
import { registerCommand } from './commandRegistry';
import { commandTarget, stageTarget } from './commandArguments';
import type { TelemetryService } from '../services/telemetryService';
import type { TierDiagnostics } from '../diagnostics/tierDiagnostics';

/** What the Routing Check commands resolve with (the core's routing check). */
export type CheckResult = RoutingCheck;

/** Routing checks, best model, and the stage actions of the tree and status bar. */
export function registerRoutingCommands(
  service: TelemetryService,
  tree: StatsTreeProvider,
  statusBar: RoutingStatusBar,
  diagnostics: TierDiagnostics,
): vscode.Disposable[] {
  async function check(workflows: string[] | undefined, stage?: { workflow: string; stage: string }): Promise<CheckResult | undefined> {
    const router = await service.router();
    if (!router) return noTelemetry(service);
    const overview = await service.overviewWithDecisions();
    const selected = overview.filter((w) => !workflows || workflows.includes(w.workflow));
    const stages = selected.flatMap((w) => w.stages).filter((s) => !stage || (s.workflow === stage.workflow && s.stage === stage.stage));
    const title = stage
      ? `Workflow: ${stage.workflow}\nStage: ${stage.stage}`
      : workflows
        ? `Workflow: ${workflows.join(', ')}`
        : `Checking ${selected.length} workflows`;
    const result = routingCheck(stages, { days: router.days, minSampleSize: router.minSampleSize, title, rangeLabel: service.rangeLabel });
    const { recommendations, upgradesNeeded, report } = result;
    if (recommendations.length === 0) {
      // Calls exist (else noTelemetry above), just none in the view's time range: say which, offer a wider one.
      const widen = vscode.l10n.t('Show All Time');
      void vscode.window
        .showInformationMessage(vscode.l10n.t('Routing check: no calls in the time range ({0}), so nothing to check.', service.rangeLabel), widen)
        .then((choice) => (choice === widen ? service.setRange('all') : undefined));
      return result;
    }
    const summary = upgradesNeeded
      ? upgradesNeeded === 1
        ? vscode.l10n.t('Routing check: 1 stage needs a tier upgrade.')
        : vscode.l10n.t('Routing check: {0} stages need a tier upgrade.', upgradesNeeded)
      : recommendations.length === 1
        ? vscode.l10n.t('Routing check: the stage does not need a tier upgrade.')
        : vscode.l10n.t('Routing check: none of {0} stages needs a tier upgrade.', recommendations.length);
    void notifyWithDetails(summary, report, upgradesNeeded > 0, vscode.l10n.t('Routing Check'));
    return result;
  }

  return [
    registerCommand(Commands.CheckAll, () => check(undefined)),
    registerCommand(Commands.CheckWorkflow, async (...args) => {
      const workflow = commandTarget(args)?.workflow;
      const overview = await service.overview();
      if (!overview.length) return noTelemetry(service);
      const chosen =
        workflow ??
        (
          await vscode.window.showQuickPick(
            overview.map((w) => ({
              label: w.workflow,
              description: counted(w.stages.length, 'stage') + ' · ' + counted(w.calls, 'call'),
              detail: w.upgradesNeeded
                ? w.upgradesNeeded === 1
                  ? vscode.l10n.t('1 stage to upgrade')
                  : vscode.l10n.t('{0} stages to upgrade', w.upgradesNeeded)
                : undefined,
            })),
            { title: vscode.l10n.t('Routing Check: Workflow'), placeHolder: vscode.l10n.t('Pick a workflow to check') },
          )
        )?.label;
      return chosen ? check([chosen]) : undefined;
    }),
    registerCommand(Commands.CheckStage, async (...args) => {
      const stage = stageTarget(args) ?? (await statusBar.stageInContext())?.stage;
      return stage ? check([stage.workflow], { workflow: stage.workflow, stage: stage.stage }) : undefined;
    }),
    registerCommand(Commands.ShowStats, async () => {
      await vscode.commands.executeCommand(`${Views.Stats}.focus`);
      return service.overview();
    }),
    registerCommand(Commands.BestModel, async (...args) => {
      const picked = stageTarget(args) ?? (await pickStage(service, vscode.l10n.t('Best Model for Stage')));
      const router = await service.router();
      if (!picked || !router) return picked ? noTelemetry(service) : undefined;
      // The stage's recommendation, at the manifest's target: what the tree and status bar show.
      const recommendation = await service.recommendation(picked.workflow, picked.stage);
      const stats = router.getRoutingStats(picked.workflow, { stage: picked.stage, days: router.days });
      const details = [
        `Recommended model: ${recommendation.model}${recommendation.fallback ? ' (a default: no evidence yet)' : ''}`,
        recommendation.reason,
        changeText(recommendation) ?? '',
        formatRoutingStats(stats),
      ]
        .filter(Boolean)
        .join('\n');
      void notifyWithDetails(
        vscode.l10n.t('Best model for {0} / {1}: {2}', picked.workflow, picked.stage, recommendation.model),
        details,
        false,
        vscode.l10n.t('Best Model {0} {1}', picked.workflow, picked.stage),
      );
      return recommendation.model;
    }),
    registerCommand(Commands.PickStage, async () => {
      const picked = await pickStage(service, vscode.l10n.t('Show the recommended model for…'));
      if (picked) statusBar.pick(picked);
      return picked;
    }),
    registerCommand(Commands.CopyModel, async (...args) => {
      const stage = stageTarget(args) ?? tree.selection;
      if (!stage) return undefined;
      const model = (await service.recommendation(stage.workflow, stage.stage)).model;
      if (!model) return undefined;
      await vscode.env.clipboard.writeText(model);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', model), 3000);
      return model;
    }),
    registerCommand(Commands.GoToDefinition, async (...args) => {
      const stage = stageTarget(args) ?? tree.selection;
      if (!stage) return undefined;
      const found = await diagnostics.findDeclaration(stage.workflow, stage.stage);
      if (!found) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('No tier declaration found for {0} / {1} (Python tier_map or {2}).', stage.workflow, stage.stage, 'adaptiveRouting.workflowsFile'),
        );
        return undefined;
      }
      await vscode.window.showTextDocument(found.uri, { selection: found.range });
      return found.uri;
    }),
  ];
}

async function pickStage(service: TelemetryService, title: string): Promise<{ workflow: string; stage: string } | undefined> {
  const overview = await service.overviewWithDecisions();
  if (!overview.length) {
    noTelemetry(service);
    return undefined;
  }
  const items = overview.flatMap((w) =>
    w.stages.map((s: StageOverview) => ({
      label: stageLabel(s),
      description: `→ ${s.recommendation?.model ?? '…'}`,
      detail: s.recommendation?.reason ?? s.verdict.reason,
      stage: { workflow: w.workflow, stage: s.stage },
    })),
  );
  return (await vscode.window.showQuickPick(items, { title, matchOnDetail: true }))?.stage;
}

function noTelemetry(service: TelemetryService): undefined {
  const reason = service.file.error?.message ?? vscode.l10n.t('No telemetry yet: import a JSONL file or create sample telemetry.');
  void vscode.window.showInformationMessage(reason);
  return undefined;
}
