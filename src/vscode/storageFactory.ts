import type * as vscode from 'vscode';
import { NodeFileBackend } from '../core/nodeFileBackend';
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
