import * as vscode from 'vscode';
import { otlpJsonLines } from '../../core/ingest/otlpExport';
import { windowStart } from '../../core/timeWindow';
import { rangeDays } from '../settings';
import type { TelemetryService } from '../services/telemetryService';

/**
 * "Export Calls as OpenTelemetry (OTLP JSON)...": the calls of the tree's time range as GenAI spans,
 * one OTLP export request per line, as `adaptive-routing export --format otlp-json` writes them
 * (what a collector's file receiver, an OTLP backend's importer and our own Import read).
 */
export function registerOtlpCommands(service: TelemetryService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('adaptiveRouting.exportOtlp', async (target?: vscode.Uri) => {
      const store = await service.ensureOpen();
      if (!store) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the telemetry to export is kept in the workspace.'));
        return undefined;
      }
      const since = windowStart(Date.now(), rangeDays(service.range));
      const calls = store.calls().filter((c) => c.ts >= since);
      if (!calls.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to export: there are no calls in the selected time range ({0}).', service.rangeLabel));
        return undefined;
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri =
        target ??
        (await vscode.window.showSaveDialog({
          defaultUri: folder && vscode.Uri.joinPath(folder, 'telemetry.otlp.jsonl'),
          filters: { 'OTLP JSON lines': ['jsonl', 'json'] },
          title: vscode.l10n.t('Export Calls as OpenTelemetry (OTLP JSON)'),
        }));
      if (!uri) return undefined;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(otlpJsonLines(calls)));
      const open = vscode.l10n.t('Open');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t('Exported {0} calls ({1}) as OTLP JSON to {2}', calls.length, service.rangeLabel, vscode.workspace.asRelativePath(uri)),
          open,
        )
        .then((choice) => (choice === open ? vscode.window.showTextDocument(uri) : undefined));
      return uri;
    }),
  ];
}
