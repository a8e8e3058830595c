import { promises as fs, constants } from 'fs';
import * as path from 'path';
import type { FileStamp, StorageBackend } from './storage';

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

  async write(bytes: Uint8Array): Promise<void> {
    await fs.mkdir(path.dirname(this.location), { recursive: true });
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
