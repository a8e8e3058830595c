import * as path from 'path';
import type * as vscode from 'vscode';
import { NodeFileBackend } from '../core/nodeFileBackend';
import { workerIntegrityCheck } from '../core/nodeIntegrityCheck';
import type { StorageBackend } from '../core/storage';
import { WorkspaceFsBackend } from './workspaceFsBackend';

/**
 * Node hosts: local files go through the file system directly, with the writers' lock that merges
 * saves from other windows, the CLI and scripts. Other schemes use vscode.workspace.fs.
 * (The browser build swaps this file for storageFactory.web.ts.)
 */
export function createStorageBackend(uri: vscode.Uri): StorageBackend {
  return uri.scheme === 'file' ? new NodeFileBackend(uri.fsPath) : new WorkspaceFsBackend(uri);
}

/** SQLite's integrity check in a worker thread: a large file never blocks the extension host. */
export function createIntegrityCheck(): ((bytes: Uint8Array) => Promise<string>) | undefined {
  return workerIntegrityCheck(path.join(__dirname, 'integrityWorker.js'));
}
