import * as vscode from 'vscode';
import { otlpJsonLineStream } from '../../core/ingest/otlpExport';
import { windowStart } from '../../core/timeWindow';
import { rangeDays } from '../settings';
import { createLocalLineWriter } from '../services/storageFactory';
import type { TelemetryService } from '../services/telemetryService';
import { Commands } from '../constants';
import { registerCommand } from './commandRegistry';
import { uriArgument } from './commandArguments';

/**
 * "Export Calls as OpenTelemetry (OTLP JSON)...": the calls of the tree's time range as GenAI spans,
 * one OTLP export request per line, as `adaptive-routing export --format otlp-json` writes them
 * (what a collector's file receiver, an OTLP backend's importer and our own Import read).
 */
export function registerOtlpCommands(service: TelemetryService): vscode.Disposable[] {
  return [
    registerCommand(Commands.ExportOtlp, async (...args) => {
      const target = uriArgument(args);
      const store = await service.file.ensureOpen();
      if (!store) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the telemetry to export is kept in the workspace.'));
        return undefined;
      }
      const since = windowStart(Date.now(), rangeDays(service.range));
      if (store.callPages({ since }, 1).next().done) {
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
      const counted = { calls: 0 };
      await writeLines(uri, otlpJsonLineStream(store.callPages({ since }), 1000, counted));
      const open = vscode.l10n.t('Open');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t('Exported {0} calls ({1}) as OTLP JSON to {2}', counted.calls, service.rangeLabel, vscode.workspace.asRelativePath(uri)),
          open,
        )
        .then((choice) => (choice === open ? vscode.window.showTextDocument(uri) : undefined));
      return uri;
    }),
  ];
}

/**
 * Lines to a file: a local one a line at a time where the host has a file system; elsewhere (the
 * browser, remote schemes) through vscode.workspace.fs, encoded a line at a time (no one string of
 * the whole, which a large export would exceed).
 */
async function writeLines(uri: vscode.Uri, lines: Iterable<string>): Promise<void> {
  const local = uri.scheme === 'file' ? createLocalLineWriter() : undefined;
  if (local) return local(uri.fsPath, lines);
  const encoder = new TextEncoder();
  const parts = Array.from(lines, (line) => encoder.encode(line + '\n'));
  const bytes = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  parts.reduce((at, part) => (bytes.set(part, at), at + part.length), 0);
  await vscode.workspace.fs.writeFile(uri, bytes);
}
