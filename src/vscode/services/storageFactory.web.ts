import type * as vscode from 'vscode';
import type { StorageBackend } from '../../core/store/storage';
import { WorkspaceFsBackend } from './workspaceFsBackend';

/** Browser hosts have no file system of their own: everything goes through vscode.workspace.fs. */
export function createStorageBackend(uri: vscode.Uri): StorageBackend {
  return new WorkspaceFsBackend(uri);
}

/** No local file system here: imports read through vscode.workspace.fs. */
export function createLocalImporter(): undefined {
  return undefined;
}

/** No worker threads here: the integrity check runs inline. */
export function createIntegrityCheck(): undefined {
  return undefined;
}

/** No local file system here: exports write through vscode.workspace.fs. */
export function createLocalLineWriter(): undefined {
  return undefined;
}

/** No sockets here: the browser build does not sync with a team database. */
export function createTeamSync(): undefined {
  return undefined;
}

/** No HTTP server in a browser: the OTLP receiver needs the desktop or a remote extension host. */
export function createOtlpReceiver(): undefined {
  return undefined;
}
