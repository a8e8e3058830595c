import type { Tier } from '../tiers';
import type { LlmCall, ModelAggregate } from '../types';
import { DAY_MS } from '../timeWindow';
import type { StoreReader } from './storeReader';
import type { CallScope } from './types';

/**
 * The store's queries that only read: each inserts the buffered calls first (through `read()`), then
 * asks the reader. TelemetryStore extends this; the queries with a faster path of their own are there.
 */
export abstract class StoreQueries {
  /** The reader, with every buffered call inserted first: no query can forget to. */
  protected abstract read(): StoreReader;

  /**
   * Per-model aggregates of the calls in scope: whole days from the daily counters (which include
   * calls past the retention), the partial first day from the raw calls.
   */
  aggregateByModel(scope: CallScope): ModelAggregate[] {
    return this.read().aggregateByModel(scope);
  }
  /**
   * The scope's totals per UTC day from `since`'s day on, per model (`day` counts days since the
   * epoch): the daily counters alone, so calls past the retention still count.
   */
  dailyAggregates(scope: Omit<CallScope, 'since'>, since: number): Array<ModelAggregate & { day: number }> {
    return this.read().dailyAggregates(scope, Math.floor(since / DAY_MS));
  }
  /** Outcomes of the most recent calls in scope, newest first (unknown counts as success). */
  recentOutcomes(scope: CallScope, limit: number): Array<{ success: boolean; tier: Tier | null; model: string; ts: number }> {
    return this.read().recentOutcomes(scope, limit);
  }
  /** The q-quantile (nearest rank) of known latencies per model in scope. */
  latencyQuantiles(scope: CallScope, q: number): Map<string, number> {
    return this.read().latencyQuantiles(scope, q);
  }
  /** Workflows with calls at or after `since`, sorted. */
  workflows(since = 0): string[] {
    return this.read().workflows(since);
  }
  /** Stages of a workflow with calls at or after `since`, sorted ('' is the workflow-level stage). */
  stages(workflow: string, since = 0): string[] {
    return this.read().stages(workflow, since);
  }
  /** The most recent call of all, or undefined when there is none. */
  lastCall(): LlmCall | undefined {
    return this.read().lastCall();
  }
  /** Every stored call in scope, oldest first: for exports and tests, not for decisions. */
  calls(scope?: CallScope): LlmCall[] {
    return this.read().calls(scope);
  }
  /** The calls a page at a time, stage by stage (see StoreReader.callPages): for exports of any size. */
  callPages(scope?: Partial<CallScope>, pageSize?: number): Generator<LlmCall[]> {
    return this.read().callPages(scope, pageSize);
  }
  /** Raw calls stored. */
  callCount(): number {
    return this.read().callCount();
  }
}
