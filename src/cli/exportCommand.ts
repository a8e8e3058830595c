import * as path from 'path';
import type { TelemetryStore } from '../core';
import { writeLinesToFile } from '../core/ingest/nodeLineFile';
import { otlpJsonLineStream } from '../core/ingest/otlpExport';
import { windowStart } from '../core/timeWindow';
import { Io, UsageError, Values, numberOption } from './options';

/**
 * adaptive-routing export --format otlp-json [--workflow W] [--stage S] [--days N] [--out FILE]: the
 * calls as OpenTelemetry GenAI spans, one OTLP JSON export request per line (what a collector's file
 * receiver and our own import read).
 */
export async function exportCalls(store: TelemetryStore, values: Values, io: Io): Promise<number> {
  if (values.format !== 'otlp-json') throw new UsageError(`export needs --format otlp-json${values.format ? ` (got "${values.format}")` : ''}`);
  const days = numberOption(values, 'days', 0, 36_500) ?? 0;
  if (values.stage && !values.workflow) throw new UsageError('export --stage needs --workflow');
  const since = windowStart(store.now().getTime(), days);
  const counted = { calls: 0 };
  const lines = otlpJsonLineStream(store.callPages({ workflow: values.workflow, stage: values.stage, since }), 1000, counted);
  if (!values.out) {
    for (const line of lines) io.out(line);
    return 0;
  }
  const file = path.resolve(io.cwd, values.out);
  await writeLinesToFile(file, lines).catch((error: Error) => {
    throw new Error(`cannot write the export to ${file} (${error.message}); nothing there was changed`);
  });
  io.err(`Exported ${counted.calls} call${counted.calls === 1 ? '' : 's'} as OTLP JSON to ${file}`);
  return 0;
}
