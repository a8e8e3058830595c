import * as vscode from 'vscode';
import type { FileStamp, StorageBackend } from '../../core/store/storage';

/**
 * The telemetry file through `vscode.workspace.fs`, so the same code serves desktop, remote and web
 * hosts. Writes go to a temporary sibling that is then renamed over the file: readers never see half a file.
 */
export class WorkspaceFsBackend implements StorageBackend {
  readonly location: string;

  constructor(readonly uri: vscode.Uri) {
    this.location = uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return await vscode.workspace.fs.readFile(this.uri);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.uri, '..'));
    const temp = this.uri.with({ path: `${this.uri.path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}.tmp` });
    await vscode.workspace.fs.writeFile(temp, bytes);
    try {
      await vscode.workspace.fs.rename(temp, this.uri, { overwrite: true });
    } catch (error) {
      await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
      throw error;
    }
  }

  async stat(): Promise<FileStamp | undefined> {
    try {
      const info = await vscode.workspace.fs.stat(this.uri);
      return { size: info.size, mtimeMs: info.mtime };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof vscode.FileSystemError && (error.code === 'FileNotFound' || error.code === 'EntryNotFound');
}
