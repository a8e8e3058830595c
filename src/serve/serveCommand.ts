import type { TelemetryStore } from '../core';
import { isLoopback, startOtlpReceiver } from '../core/ingest/otlpReceiver';
import { describeSkipped } from '../core/ingest/otlpSpans';
import type { Io, Values } from '../cli/options';
import { UsageError, numberOption } from '../cli/options';
import { otlpRulesOption } from '../cli/ingestCommands';

/** Where the token may come from besides --token (which other users of the machine can read in the process list). */
export const TOKEN_ENV = 'ADAPTIVE_ROUTING_TOKEN';

/** How often received calls are taken from the journal into the telemetry file. */
const SAVE_EVERY_MS = 2000;

/**
 * adaptive-routing serve: the OTLP/HTTP receiver that VS Code runs, headless (CI, a server, a terminal),
 * recording into the telemetry file. A request is answered once its calls are on disk (the store's
 * journal, synced), so an acknowledged call survives a crash. SIGINT or SIGTERM stops it: calls still waiting for their
 * enclosing spans are recorded and the file saved before it exits.
 */
export async function serve(store: TelemetryStore, values: Values, io: Io): Promise<number> {
  const port = numberOption(values, 'port', 0, 65535) ?? 4318;
  const host = values.host ?? '127.0.0.1';
  const token = values.token ?? process.env[TOKEN_ENV] ?? undefined;
  if (!isLoopback(host) && !token) throw new UsageError(`serve --host ${host} listens beyond this machine: set a token (--token or ${TOKEN_ENV})`);
  const rules = otlpRulesOption(values, io);
  // Each request is answered once its calls are in the store's journal (synced to disk); the file
  // takes them in with a save every few seconds, as the extension's autosave does.
  const saves = setInterval(
    () => void store.flush().catch((error: Error) => io.err(`adaptive-routing serve: not saved yet (${error.message}); trying again`)),
    SAVE_EVERY_MS,
  );
  const receiver = await startOtlpReceiver((calls) => store.recordDurably(calls), {
    ...rules,
    port,
    host,
    token,
    onRejected: (rejections) => io.err(`adaptive-routing serve: rejected ${rejections.join('; ')}`),
    onError: (error) => io.err(`adaptive-routing serve: calls waiting to be recorded (${error.message}); trying again`),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use (another receiver or collector?): pass --port`);
    throw error;
  });
  const where = `http://${host.includes(':') ? `[${host}]` : host}:${receiver.port}`;
  io.out(
    values.json
      ? JSON.stringify({ listening: where, db: store.location })
      : `Receiving OpenTelemetry traces on ${where}/v1/traces into ${store.location}${token ? ' (bearer token required)' : ''}; Ctrl+C stops`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, stop);
      resolve();
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);
  });
  await receiver.close();
  clearInterval(saves);
  await store.flush();
  const skipped = describeSkipped(receiver.counts.skipped);
  const summary = { calls: receiver.counts.calls, requests: receiver.counts.requests, refused: receiver.counts.refused, skipped: receiver.counts.skipped };
  io.out(
    values.json
      ? JSON.stringify(summary)
      : `Stopped: ${receiver.counts.calls} calls recorded from ${receiver.counts.requests} requests${skipped ? `; ${skipped}` : ''}`,
  );
  return 0;
}
