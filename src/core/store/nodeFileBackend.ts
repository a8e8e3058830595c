import { promises as fs, constants } from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import type { FileStamp, StorageBackend } from './storage';
import { NodeCallJournal, type CallJournal } from './nodeCallJournal';

/** A lock not refreshed for this long belongs to a dead process and is taken over. */
const STALE_LOCK_MS = 5000;

/** A telemetry file on the local disk, written through a temporary sibling, fsync and rename. */
export class NodeFileBackend implements StorageBackend {
  readonly location: string;

  constructor(filePath: string) {
    this.location = path.resolve(filePath);
  }

  journal(): CallJournal {
    return new NodeCallJournal(this.location);
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.location);
    } catch (error) {
      return absentOrExplained(this.location, error as NodeJS.ErrnoException);
    }
  }

  /** Called under the writers' lock (see TelemetryStore.save), so other temporary siblings are orphans of killed writers. */
  async write(bytes: Uint8Array): Promise<void> {
    await ensureFolder(path.dirname(this.location));
    await this.removeOrphanedTemporaries();
    const temp = `${this.location}.${process.pid}.${Date.now().toString(36)}.tmp`;
    const handle = await fs.open(temp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, this.location);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(path.dirname(this.location));
  }

  private async removeOrphanedTemporaries(): Promise<void> {
    const base = path.basename(this.location);
    for (const name of await fs.readdir(path.dirname(this.location))) {
      if (name.startsWith(`${base}.`) && name.endsWith('.tmp')) await fs.rm(path.join(path.dirname(this.location), name), { force: true });
    }
  }

  /**
   * `<file>.lock`, a directory (mkdir is atomic on every platform) whose modification time the owner
   * refreshes every second; a lock left by a killed process goes stale after 5 s and is taken over.
   */
  async lock(): Promise<() => Promise<void>> {
    await ensureFolder(path.dirname(this.location));
    // Waits only while another writer holds the lock (proper-lockfile would retry any error, so a
    // folder that refuses the lock would cost a minute before saying so).
    let wait = 10;
    for (let attempt = 0; ; attempt++) {
      try {
        return await lockfile.lock(this.location, {
          realpath: false,
          lockfilePath: `${this.location}.lock`,
          stale: STALE_LOCK_MS,
          update: 1000,
          retries: 0,
          // Losing the lock mid-save (a paused process) must not crash the host: the rename is still atomic.
          onCompromised: () => undefined,
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ELOCKED' || attempt >= 200)
          throw code && REASONS[code] ? new Error(`cannot lock ${this.location} for writing: ${REASONS[code]} (${code})`) : error;
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(200, wait * 1.2);
      }
    }
  }

  async stat(): Promise<FileStamp | undefined> {
    try {
      const info = await fs.stat(this.location);
      return { size: info.size, mtimeMs: info.mtimeMs };
    } catch (error) {
      return absentOrExplained(this.location, error as NodeJS.ErrnoException);
    }
  }
}

/** Makes the rename itself durable; not every platform lets a directory be opened, so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'a part of the path does not exist',
  EEXIST: 'a file of that name is in the way',
};

/**
 * Creates `folder` and its missing parents one level at a time. (Node 20's recursive mkdir loops
 * for ever under some paths it cannot create, e.g. below /proc; one level at a time, every failure
 * ends with an error that names the folder and the reason in words.)
 */
export async function ensureFolder(folder: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(folder);
  for (;;) {
    const stat = await fs.stat(current).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(folderError(current, error))));
    if (stat) {
      if (!stat.isDirectory()) throw new Error(`cannot use ${folder}: ${current} is a file, not a folder`);
      break;
    }
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) {
    await fs.mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      // ENOENT although the parent exists: a special file system (such as /proc) that takes no folders.
      if (error.code === 'ENOENT') throw new Error(`cannot create the folder ${dir}: ${path.dirname(dir)} does not accept new folders`);
      throw folderError(dir, error);
    });
  }
}

/** A file that is not there is undefined (a new store); any other failure is thrown with the path and the reason in words. */
function absentOrExplained(location: string, error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  if (error.code === 'EISDIR') throw new Error(`cannot use ${location}: it is a folder, not a telemetry file`);
  if (error.code && REASONS[error.code]) throw new Error(`cannot read ${location}: ${REASONS[error.code]} (${error.code})`);
  throw error;
}

function folderError(dir: string, error: NodeJS.ErrnoException): Error {
  const reason = (error.code && REASONS[error.code]) ?? error.message;
  return new Error(`cannot create the folder ${dir}: ${reason}${error.code ? ` (${error.code})` : ''}`);
}
