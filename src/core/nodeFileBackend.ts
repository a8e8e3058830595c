import { promises as fs, constants } from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import type { FileStamp, StorageBackend } from './storage';

/** A lock not refreshed for this long belongs to a dead process and is taken over. */
const STALE_LOCK_MS = 5000;

/** A telemetry file on the local disk, written through a temporary sibling, fsync and rename. */
export class NodeFileBackend implements StorageBackend {
  readonly location: string;

  constructor(filePath: string) {
    this.location = path.resolve(filePath);
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.location);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Called under the writers' lock (see TelemetryStore.save), so other temporary siblings are orphans of killed writers. */
  async write(bytes: Uint8Array): Promise<void> {
    await fs.mkdir(path.dirname(this.location), { recursive: true });
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
    await fs.mkdir(path.dirname(this.location), { recursive: true });
    return lockfile.lock(this.location, {
      realpath: false,
      lockfilePath: `${this.location}.lock`,
      stale: STALE_LOCK_MS,
      update: 1000,
      retries: { retries: 200, factor: 1.2, minTimeout: 10, maxTimeout: 200 },
      // Losing the lock mid-save (a paused process) must not crash the host: the rename is still atomic.
      onCompromised: () => undefined,
    });
  }

  async stat(): Promise<FileStamp | undefined> {
    try {
      const info = await fs.stat(this.location);
      return { size: info.size, mtimeMs: info.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
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
