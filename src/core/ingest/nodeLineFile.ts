import { promises as fs } from 'fs';

/**
 * Writes lines to a file as they come (an export of any size holds one line at a time), to a file
 * beside it first, renamed over it when complete: a failed write leaves no half file, and an earlier
 * export stands. The event loop runs between lines.
 */
export async function writeLinesToFile(file: string, lines: Iterable<string>): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  const handle = await fs.open(partial, 'w');
  try {
    try {
      for (const line of lines) await handle.write(line + '\n');
    } finally {
      await handle.close();
    }
    await fs.rename(partial, file);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}
