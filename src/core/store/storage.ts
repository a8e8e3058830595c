import type { CallJournal } from './nodeCallJournal';
/**
 * Where a telemetry database lives. The store only needs whole-file reads and atomic whole-file
 * writes; Node scripts use the file system, the VS Code web host uses `vscode.workspace.fs`.
 */
export interface StorageBackend {
  /** Human-readable location, used in every error message. */
  readonly location: string;
  /** The whole file, or undefined when it does not exist yet. */
  read(): Promise<Uint8Array | undefined>;
  /** Replaces the file atomically: readers see the old or the new bytes, never a mix. */
  write(bytes: Uint8Array): Promise<void>;
  /** A cheap fingerprint (size and modification time) to notice changes by other writers. */
  stat(): Promise<FileStamp | undefined>;
  /**
   * Takes the writers' lock (other processes and windows wait); resolves to its release. Backends
   * with a single writer (memory, the web host) have none.
   */
  lock?(): Promise<() => Promise<void>>;
  /** A journal where calls are on disk before a save (see nodeCallJournal.ts); backends without one save instead. */
  journal?(): CallJournal;
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Keeps the bytes in memory: the store without a path. */
export class MemoryBackend implements StorageBackend {
  readonly location = ':memory:';
  private bytes: Uint8Array | undefined;
  private stamp: FileStamp | undefined;

  async read(): Promise<Uint8Array | undefined> {
    return this.bytes;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.bytes = bytes;
    this.stamp = { size: bytes.length, mtimeMs: (this.stamp?.mtimeMs ?? 0) + 1 };
  }

  async stat(): Promise<FileStamp | undefined> {
    return this.stamp;
  }
}
