import * as vscode from 'vscode';
import { overviewRows, toCsv } from '../../core/stats/overview';
import { generateSampleCalls } from '../../core/ingest/sampleData';
import { RANGE_LABELS, TimeRange, rangeDays, readSettings } from '../settings';
import type { StatsTreeProvider } from '../views/statsTreeProvider';
import type { TelemetryService } from '../services/telemetryService';
import { windowStart } from '../../core/timeWindow';
import { Commands } from '../constants';
import { registerCommand } from './commandRegistry';
import { rangeArgument, uriArgument } from './commandArguments';

const SAMPLE_MANIFEST = `{
  // Tiers of each workflow stage. Adaptive Routing warns here when telemetry says a stage needs more.
  "workflows": {
    "code-review": {
      "stages": {
        "analysis": { "tier": "cheap", "minSuccessRate": 0.85, "maxCost": 0.01 },
        "summary": { "tier": "cheap" },
        "security-scan": { "tier": "cheap" }
      }
    },
    "test-generation": {
      "stages": {
        "plan": { "tier": "cheap" },
        "generate": { "tier": "capable" }
      }
    },
    "refactor-plan": {
      "adaptive": false,
      "stages": {
        "design": { "tier": "premium" },
        "checklist": { "tier": "cheap" }
      }
    }
  }
}
`;

/** Getting telemetry in and statistics out: import, sample data, export, refresh, time range. */
export function registerTelemetryCommands(service: TelemetryService, tree: StatsTreeProvider): vscode.Disposable[] {
  return [
    registerCommand(Commands.Refresh, async () => {
      await service.file.reloadFromDisk();
      service.invalidate(true);
      tree.refresh();
    }),
    registerCommand(Commands.SetTimeRange, async (...args) => {
      const chosen =
        rangeArgument(args) ??
        (
          await vscode.window.showQuickPick(
            (Object.keys(RANGE_LABELS) as TimeRange[]).map((key) => ({ label: RANGE_LABELS[key], picked: key === service.range, key })),
            { title: vscode.l10n.t('Routing Stats: Time Range') },
          )
        )?.key;
      if (chosen) await service.setRange(chosen);
      return chosen;
    }),
    registerCommand(Commands.ImportFile, async (...args) => {
      const file = uriArgument(args);
      if (!guardWrites(service)) return undefined;
      const uri =
        file ??
        (
          await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { 'JSON Lines': ['jsonl', 'json', 'log'] },
            title: vscode.l10n.t('Import Telemetry File'),
          })
        )?.[0];
      if (!uri) return undefined;
      try {
        const [report] = await service.file.importUri(uri);
        if (!report) throw new Error(vscode.l10n.t('Cannot read {0}', uri.toString(true)));
        const message = vscode.l10n.t(
          'Imported from {0}: {1} new, {2} already present, {3} bad skipped.',
          uri.path.split('/').pop() ?? '',
          report.imported,
          report.duplicates,
          report.skipped,
        );
        service.log.info(
          message +
            (report.problems.length
              ? ` First problems: ${report.problems
                  .slice(0, 5)
                  .map((p) => `line ${p.line}: ${p.message}`)
                  .join('; ')}`
              : ''),
        );
        void (report.skipped ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
        return report;
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Import failed: {0}', (error as Error).message));
        return undefined;
      }
    }),
    registerCommand(Commands.CreateSample, async () => {
      if (!guardWrites(service)) return undefined;
      const store = await service.file.ensureOpen();
      if (!store) {
        void vscode.window.showErrorMessage(
          service.file.error?.message ?? vscode.l10n.t('Open a folder first: sample telemetry is written into the workspace.'),
        );
        return undefined;
      }
      const before = store.callCount();
      await service.file.trackLlmCalls(generateSampleCalls({ now: new Date(), registry: service.registry }));
      const added = store.callCount() - before;
      const manifest = await writeSampleManifest();
      service.invalidate(true);
      const where = vscode.workspace.asRelativePath(service.file.uri!);
      // The sample ends before today (UTC): in the "Today" range it would look as if nothing happened.
      const hidden = service.range === 'today';
      const text =
        (added
          ? vscode.l10n.t('Created {0} sample calls in {1}.', added, where)
          : vscode.l10n.t('The sample calls are already in {0}: nothing added.', where)) +
        (manifest ? ' ' + vscode.l10n.t('Also wrote a sample workflows manifest.') : '') +
        (hidden ? ' ' + vscode.l10n.t('They end yesterday, so the Today range shows none of them.') : '');
      const widen = vscode.l10n.t('Show Last 7 Days');
      void vscode.window.showInformationMessage(text, ...(hidden ? [widen] : [])).then((choice) => (choice === widen ? service.setRange('7d') : undefined));
      return added;
    }),
    registerCommand(Commands.ExportStats, async (...args) => {
      const target = uriArgument(args);
      // The overview leaves p95 latency out (it needs raw calls); an export reads it for every stage.
      const overview = [];
      for (const w of await service.overviewWithDecisions()) {
        const stages = [];
        for (const s of w.stages) {
          const p95 = await service.stageP95(s.workflow, s.stage);
          stages.push({ ...s, models: s.models.map((m) => ({ ...m, p95LatencyMs: p95.get(m.model) ?? null })) });
        }
        overview.push({ ...w, stages });
      }
      // Every row says which period it covers, so a CSV read later (or merged with others) is not misread.
      const exportedAt = new Date();
      const days = rangeDays(service.range, exportedAt);
      const from = windowStart(exportedAt.getTime(), days);
      const period = { rangeFrom: from > 0 ? new Date(from).toISOString() : '', rangeTo: exportedAt.toISOString() };
      const rows = overviewRows(overview).map((row) => ({ ...row, ...period }));
      if (!rows.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to export: there are no calls in the selected time range.'));
        return undefined;
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri =
        target ??
        (await vscode.window.showSaveDialog({
          defaultUri: folder && vscode.Uri.joinPath(folder, 'routing-stats.csv'),
          filters: { CSV: ['csv'], JSON: ['json'] },
          title: vscode.l10n.t('Export Routing Stats'),
        }));
      if (!uri) return undefined;
      const json = uri.path.toLowerCase().endsWith('.json');
      const text = json
        ? JSON.stringify({ range: service.range, from: period.rangeFrom || null, to: period.rangeTo, exportedAt: exportedAt.toISOString(), rows }, null, 2) +
          '\n'
        : toCsv(rows);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      const open = vscode.l10n.t('Open');
      void vscode.window
        .showInformationMessage(vscode.l10n.t('Exported {0} rows ({1}) to {2}', rows.length, service.rangeLabel, vscode.workspace.asRelativePath(uri)), open)
        .then((choice) => (choice === open ? vscode.window.showTextDocument(uri) : undefined));
      return uri;
    }),
    registerCommand(Commands.MoveTelemetryAside, async () => {
      if (!guardWrites(service)) return undefined;
      const aside = await service.file.moveAside();
      if (aside)
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Moved the unreadable telemetry file to {0} and started a new one.', vscode.workspace.asRelativePath(aside)),
        );
      return aside;
    }),
    registerCommand(Commands.OpenDocs, () =>
      vscode.commands.executeCommand(
        'markdown.showPreview',
        vscode.Uri.joinPath(vscode.extensions.getExtension('attune-tools.adaptive-model-router')!.extensionUri, 'README.md'),
      ),
    ),
  ];
}

function guardWrites(service: TelemetryService): boolean {
  if (service.file.trusted) return true;
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t('Restricted Mode: Adaptive Routing shows statistics but does not import, create or edit anything until you trust this workspace.'),
      vscode.l10n.t('Manage Workspace Trust'),
    )
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}

async function writeSampleManifest(): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return false;
  const uri = vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).workflowsFile);
  try {
    await vscode.workspace.fs.stat(uri);
    return false; // never overwrite the user's manifest
  } catch {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SAMPLE_MANIFEST));
    return true;
  }
}
