import * as vscode from 'vscode';
import { ImportReport, importJsonlBytes, isRotatedSibling, resumeOffset, sortRotated } from '../../core/ingest/importers';
import type { TelemetryStore } from '../../core/store/telemetryStore';
import { counted } from '../../core/format';
import { readOtlpRules, readSettings } from '../settings';
import { createLocalImporter } from './storageFactory';

/**
 * The upstream framework's logs into the store: the configured sources (adaptiveRouting.importSources,
 * rotated siblings included) and files the user picks. Imports are idempotent and incremental.
 */
export class LogImports {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly writableStore: () => Promise<TelemetryStore>,
    private readonly save: () => Promise<void>,
  ) {}

  /** The configured sources as URIs (`~/` is the home folder, relative paths are in the workspace). */
  sourceUris(): vscode.Uri[] {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const home = typeof process !== 'undefined' ? (process.env.HOME ?? process.env.USERPROFILE) : undefined;
    return readSettings(folder?.uri).importSources.flatMap((source) => {
      if (source.startsWith('~/')) return home ? [vscode.Uri.file(`${home}/${source.slice(2)}`)] : [];
      if (isAbsolute(source)) return [vscode.Uri.file(source)];
      return folder ? [vscode.Uri.joinPath(folder.uri, source)] : [];
    });
  }

  /** Imports the configured upstream logs (and rotated siblings). */
  async importConfigured(): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    for (const uri of this.sourceUris()) reports.push(...(await this.importUri(uri, true)));
    const imported = reports.reduce((n, r) => n + r.imported, 0);
    if (imported > 0) {
      const sources = reports.filter((r) => r.imported).map((r) => r.source);
      this.log.info(`Imported ${counted(imported, 'call')} from ${sources.join(', ')}`);
    }
    return reports;
  }

  /** Imports one JSONL file (and its rotated siblings when asked); nothing for a missing file. */
  async importUri(uri: vscode.Uri, withRotated = false): Promise<ImportReport[]> {
    const store = await this.writableStore();
    const files = withRotated ? await this.rotatedFiles(uri) : [uri];
    const reports: ImportReport[] = [];
    const importLocal = createLocalImporter();
    const rules = readOtlpRules(this.log, vscode.workspace.workspaceFolders?.[0]?.uri);
    for (const file of files) {
      // Local files are read from where the last import stopped, not whole (logs grow large).
      if (importLocal && file.scheme === 'file') {
        const report = await importLocal(store, file.fsPath, rules);
        if (report) reports.push(report);
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(file);
      } catch {
        continue;
      }
      const source = file.toString(true);
      const from = resumeOffset(store.getImportProgress(source), bytes.subarray(0, 1024), bytes.length);
      reports.push(importJsonlBytes(store, source, bytes.subarray(from), from, bytes.subarray(0, 1024), rules));
    }
    if (reports.some((r) => r.imported > 0 || r.linesRead > 0)) await this.save();
    return reports;
  }

  private async rotatedFiles(uri: vscode.Uri): Promise<vscode.Uri[]> {
    const name = uri.path.split('/').pop() ?? '';
    const dir = vscode.Uri.joinPath(uri, '..');
    try {
      await vscode.workspace.fs.stat(dir); // a missing folder is normal (no upstream logs yet)
    } catch {
      return [uri];
    }
    try {
      const entries = await vscode.workspace.fs.readDirectory(dir);
      const siblings = sortRotated(entries.filter(([entry, type]) => type === vscode.FileType.File && isRotatedSibling(name, entry)).map(([entry]) => entry));
      return [...siblings.map((entry) => vscode.Uri.joinPath(dir, entry)), uri];
    } catch {
      return [uri];
    }
  }
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}
