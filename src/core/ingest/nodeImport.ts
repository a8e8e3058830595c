import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImportReport, importJsonlBytes, isRotatedSibling, resumeOffset, sortRotated } from './importers';
import type { OtlpRules } from './otlpSpans';
import type { TelemetryStore } from '../store/telemetryStore';

/** Where the upstream framework writes its logs. */
export function defaultImportSources(workspaceFolder?: string): string[] {
  const sources = [path.join(os.homedir(), '.attune', 'telemetry', 'usage.jsonl')];
  if (workspaceFolder) sources.unshift(path.join(workspaceFolder, '.attune', 'llm_calls.jsonl'));
  return sources;
}

/** `usage.jsonl` plus its rotated siblings `usage.YYYY-MM-DD[.N].jsonl`, oldest first. */
export async function expandRotated(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((name) => isRotatedSibling(path.basename(file), name));
  } catch {
    return [file];
  }
  return [...sortRotated(names).map((name) => path.join(dir, name)), file];
}

/**
 * Imports one JSONL file from where the last import stopped (from the start when the file was
 * replaced or truncated). Missing files yield an empty report, not an error.
 */
export async function importJsonlFile(store: TelemetryStore, file: string, otlpRules: OtlpRules = {}): Promise<ImportReport> {
  const source = path.resolve(file);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(source, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        source,
        linesRead: 0,
        imported: 0,
        duplicates: 0,
        skipped: 0,
        problems: [{ line: 0, message: 'file not found' }],
        formats: {},
        fromOffset: 0,
        toOffset: 0,
      };
    }
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(1024, size));
    await handle.read(head, 0, head.length, 0);
    const from = resumeOffset(store.getImportProgress(source), head, size);
    const bytes = Buffer.alloc(size - from);
    await handle.read(bytes, 0, bytes.length, from);
    return importJsonlBytes(store, source, bytes, from, head, otlpRules);
  } finally {
    await handle.close();
  }
}

/** Imports each file and, for a usage log, its rotated siblings. */
export async function importJsonlFiles(store: TelemetryStore, files: string[], otlpRules: OtlpRules = {}): Promise<ImportReport[]> {
  const reports: ImportReport[] = [];
  for (const file of files) {
    for (const part of await expandRotated(file)) reports.push(await importJsonlFile(store, part, otlpRules));
  }
  return reports;
}
