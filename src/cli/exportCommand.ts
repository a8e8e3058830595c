import * as fs from 'fs';
import * as path from 'path';
import type { TelemetryStore } from '../core';
import { otlpJsonLines } from '../core/ingest/otlpExport';
import { windowStart } from '../core/timeWindow';
import { Io, UsageError, Values, numberOption } from './options';

/**
 * adaptive-routing export --format otlp-json [--workflow W] [--stage S] [--days N] [--out FILE]: the
 * calls as OpenTelemetry GenAI spans, one OTLP JSON export request per line (what a collector's file
 * receiver and our own import read).
 */
export function exportCalls(store: TelemetryStore, values: Values, io: Io): number {
  if (values.format !== 'otlp-json') throw new UsageError(`export needs --format otlp-json${values.format ? ` (got "${values.format}")` : ''}`);
  const days = numberOption(values, 'days', 0, 36_500) ?? 0;
  if (values.stage && !values.workflow) throw new UsageError('export --stage needs --workflow');
  const since = windowStart(store.now().getTime(), days);
  const calls = (values.workflow ? store.calls({ workflow: values.workflow, stage: values.stage, since }) : store.calls()).filter((c) => c.ts >= since);
  const text = otlpJsonLines(calls);
  if (values.out) {
    const file = path.resolve(io.cwd, values.out);
    fs.writeFileSync(file, text);
    io.err(`Exported ${calls.length} call${calls.length === 1 ? '' : 's'} as OTLP JSON to ${file}`);
  } else io.out(text.trimEnd());
  return 0;
}
