import { runInSlices } from '../timeSlices';
import type { StoreReader } from './storeReader';

/** The background read of stage histories after opening: slices this long, up to this many calls kept. */
const SLICE_MS = 8;
const BUDGET = 250_000;

/**
 * Reads the recent calls of the most recently called stages into memory after opening, in slices
 * that leave the event loop free, so that their first decisions do not wait on SQLite. `reader`
 * is asked again each slice (the store replaces its reader when the database changes under it).
 */
export function readHistoriesAhead(reader: () => StoreReader, closed: () => boolean): Promise<void> {
  return runInSlices((stop) => reader().prefetchHistories(stop, BUDGET), { sliceMs: SLICE_MS, cancelled: closed }).then(
    () => undefined,
    () => undefined, // only a head start: a stage whose read fails here fails, and is reported, at its decision
  );
}
