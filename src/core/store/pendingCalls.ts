import type { LlmCall } from '../types';
import type { StoreReader } from './storeReader';
import { nextSeq } from './types';

/**
 * Calls tracked but not yet inserted. Inserts wait for the next query or save (write-behind), so a
 * decision right after a tracked call does not wait on SQLite: a call with a fresh id (no duplicate
 * possible) goes into its stage's cached history and the daily counters as it is tracked ("early").
 * Any other call makes its stage and workflow "late": reading them inserts the pending calls first.
 */
export class PendingCalls {
  private calls: LlmCall[] = [];
  /** Calls already in a cached history, with the write order (seq) they were given there. */
  private earlySeq = new WeakMap<LlmCall, number>();
  private lateStages = new Set<string>();
  private lateWorkflows = new Set<string>();
  private perWorkflow = new Map<string, number>();

  get size(): number {
    return this.calls.length;
  }

  /** One tracked call; `reader` is given when its id is fresh, to put it into a cached history now. */
  add(call: LlmCall, reader?: StoreReader): void {
    this.calls.push(call);
    this.note(call);
    const stageId = reader?.historyStageId(call.workflow, call.stage);
    if (stageId === undefined) {
      this.markLate(call);
      return;
    }
    const seq = nextSeq();
    reader!.rememberInHistory(stageId, call, seq);
    reader!.countAhead(stageId, call);
    this.earlySeq.set(call, seq);
  }

  /** Calls to insert after those pending (a batch, or the unsaved calls of a merge). */
  addAll(calls: LlmCall[]): void {
    // Not push(...calls): spreading a large array overflows the call stack (about 120,000 calls).
    this.calls = this.calls.length ? this.calls.concat(calls) : calls.slice();
    for (const call of calls) {
      this.note(call);
      this.markLate(call);
    }
  }

  /** Every pending call, for one insert transaction. */
  take(): LlmCall[] {
    const batch = this.calls;
    this.calls = [];
    this.lateStages.clear();
    this.lateWorkflows.clear();
    this.perWorkflow.clear();
    return batch;
  }

  /**
   * A taken batch whose insert was rolled back goes back ahead of the calls tracked since. The
   * store has dropped the reader that held the batch's early calls, so none of them is early now.
   */
  putBack(batch: LlmCall[]): void {
    const since = this.calls;
    for (const call of batch) this.earlySeq.delete(call);
    this.calls = [];
    this.perWorkflow.clear(); // recounted below: the calls tracked since were counted once already
    this.addAll(batch);
    this.addAll(since);
  }

  /** Whether reading the stage must insert the pending calls first. */
  isLate(workflow: string, stage: string): boolean {
    return this.lateStages.has(stageKey(workflow, stage));
  }

  /** Whether reading the workflow's daily counters must insert the pending calls first. */
  isWorkflowLate(workflow: string): boolean {
    return this.lateWorkflows.has(workflow);
  }

  countIn(workflow: string): number {
    return this.perWorkflow.get(workflow) ?? 0;
  }

  /** The write order a call was given when it went into a cached history, if it did. */
  earlySeqOf(call: LlmCall): number | undefined {
    return this.earlySeq.get(call);
  }

  private markLate(call: LlmCall): void {
    this.lateStages.add(stageKey(call.workflow, call.stage));
    this.lateWorkflows.add(call.workflow);
  }

  private note(call: LlmCall): void {
    this.perWorkflow.set(call.workflow, (this.perWorkflow.get(call.workflow) ?? 0) + 1);
  }
}

function stageKey(workflow: string, stage: string): string {
  return `${workflow}\u0000${stage}`;
}
