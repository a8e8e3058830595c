import { promises as fs } from 'fs';
import * as path from 'path';
import type * as vscode from 'vscode';
import { NodeFileBackend } from '../../core/store/nodeFileBackend';
import { workerIntegrityCheck } from '../../core/store/nodeIntegrityCheck';
import type { ImportReport } from '../../core/ingest/importers';
import { importJsonlFile } from '../../core/ingest/nodeImport';
import { writeLinesToFile } from '../../core/ingest/nodeLineFile';
import type { startOtlpReceiver } from '../../core/ingest/otlpReceiver';
import type { OtlpRules } from '../../core/ingest/otlpSpans';
import type { TelemetryStore } from '../../core/store/telemetryStore';
import type { StorageBackend } from '../../core/store/storage';
import { syncRound } from '../../core/team/teamSync';
import { WorkspaceFsBackend } from './workspaceFsBackend';

/**
 * Node hosts: local files go through the file system directly, with the writers' lock that merges
 * saves from other windows, the CLI and scripts. Other schemes use vscode.workspace.fs.
 * (The browser build swaps this file for storageFactory.web.ts.)
 */
export function createStorageBackend(uri: vscode.Uri): StorageBackend {
  return uri.scheme === 'file' ? new NodeFileBackend(uri.fsPath) : new WorkspaceFsBackend(uri);
}

/** Imports a local JSONL file reading only what was appended since the last import; undefined for a missing file. */
export function createLocalImporter(): ((store: TelemetryStore, file: string, otlpRules: OtlpRules) => Promise<ImportReport | undefined>) | undefined {
  return async (store, file, otlpRules) => {
    const exists = await fs.stat(file).then(
      (info) => info.isFile(),
      () => false,
    );
    return exists ? importJsonlFile(store, file, otlpRules) : undefined;
  };
}

/** SQLite's integrity check in a worker thread: a large file never blocks the extension host. */
export function createIntegrityCheck(): ((bytes: Uint8Array) => Promise<string>) | undefined {
  return workerIntegrityCheck(path.join(__dirname, 'integrityWorker.js'));
}

/** Writes a local file a line at a time (exports of any size); other schemes go through vscode.workspace.fs. */
export function createLocalLineWriter(): typeof writeLinesToFile | undefined {
  return writeLinesToFile;
}

/** Team sync through PostgreSQL (the pg client needs Node's sockets). */
export function createTeamSync(): typeof syncRound | undefined {
  return syncRound;
}

/**
 * The local OTLP/HTTP receiver (a Node HTTP server on 127.0.0.1). Its bundle (dist/otlpReceiver.js,
 * with the protobuf decoder) is loaded when the receiver starts, not with the extension: it is off
 * by default.
 */
export function createOtlpReceiver(): typeof startOtlpReceiver | undefined {
  return (...args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(path.join(__dirname, 'otlpReceiver.js')) as typeof import('../../core/ingest/otlpReceiver');
    return bundle.startOtlpReceiver(...args);
  };
}
