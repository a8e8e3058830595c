import { NodeFileBackend } from './nodeFileBackend';
import { MemoryBackend } from './storage';
import { TelemetryStore, TelemetryStoreOptions } from './telemetryStore';

export interface OpenStoreOptions extends TelemetryStoreOptions {
  /** SQLite file to load (created on first save). Without it the store lives in memory. */
  path?: string;
}

/** Opens a telemetry store on a file (Node) or in memory. */
export function openTelemetryStore(options: OpenStoreOptions = {}): Promise<TelemetryStore> {
  const backend = options.path ? new NodeFileBackend(options.path) : new MemoryBackend();
  return TelemetryStore.open(backend, options);
}
