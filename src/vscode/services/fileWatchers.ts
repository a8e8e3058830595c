import * as vscode from 'vscode';
import { readSettings } from '../settings';

/** What to do when a watched file changes. */
export interface WatchHandlers {
  telemetryChanged(): void;
  manifestChanged(): void;
  sourceChanged(): void;
}

/**
 * Watches the telemetry file (plus a slow poll, since watchers miss events on network drives and
 * some remotes), the workflows manifest and the folders of the import sources. `stop()` then
 * `start()` again when a path setting changes, so nothing keeps watching an old path.
 */
export class FileWatchers implements vscode.Disposable {
  private live: vscode.Disposable[] = [];

  get watching(): boolean {
    return this.live.length > 0;
  }

  start(telemetry: vscode.Uri, sources: vscode.Uri[], on: WatchHandlers): void {
    if (this.watching) return;
    const folder = vscode.workspace.getWorkspaceFolder(telemetry);
    const pattern = folder
      ? new vscode.RelativePattern(folder, vscode.workspace.asRelativePath(telemetry, false))
      : new vscode.RelativePattern(vscode.Uri.joinPath(telemetry, '..'), telemetry.path.split('/').pop() ?? '');
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const telemetryChanged = () => on.telemetryChanged();
    const poll = setInterval(telemetryChanged, 5000);
    this.live.push(watcher, watcher.onDidChange(telemetryChanged), watcher.onDidCreate(telemetryChanged), { dispose: () => clearInterval(poll) });
    const manifest = vscode.workspace.createFileSystemWatcher(`**/${readSettings().workflowsFile.replace(/^\.\//, '')}`);
    const manifestChanged = () => on.manifestChanged();
    this.live.push(manifest, manifest.onDidChange(manifestChanged), manifest.onDidCreate(manifestChanged), manifest.onDidDelete(manifestChanged));
    for (const source of sources) {
      const sourceWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(source, '..'), '*.jsonl'));
      const sourceChanged = () => on.sourceChanged();
      this.live.push(sourceWatcher, sourceWatcher.onDidChange(sourceChanged), sourceWatcher.onDidCreate(sourceChanged));
    }
  }

  stop(): void {
    for (const d of this.live.splice(0)) d.dispose();
  }

  dispose(): void {
    this.stop();
  }
}
