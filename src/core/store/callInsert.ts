import { tierIndex } from '../tiers';
import type { LlmCall } from '../types';
import type { PendingCalls } from './pendingCalls';
import { INSERT_CALL, callRow } from './schema';
import type { SqlSession } from './sqlSession';
import type { StoreReader } from './storeReader';
import { nextSeq } from './types';
import { OUTBOX_INSERT } from './teamOutbox';

/**
 * Inserts a batch taken from the pending calls, inside the caller's transaction, and brings what the
 * reader derives (ids, histories, daily counters) up to date with it. Calls stored already (same
 * stage, time and id) are skipped. Returns how many were new.
 */
export function insertPendingCalls(session: SqlSession, reader: StoreReader, pending: PendingCalls, batch: LlmCall[]): number {
  const insert = session.statement(INSERT_CALL);
  const outbox = session.hasOutbox ? session.statement(OUTBOX_INSERT) : undefined;
  let added = 0;
  for (const call of batch) {
    const stageId = reader.stageId(call.workflow, call.stage);
    const modelId = reader.modelId(call.model, call.provider);
    const tier = call.tier == null ? null : tierIndex(call.tier);
    const early = pending.earlySeqOf(call);
    const seq = early ?? nextSeq();
    insert.run(callRow(call, stageId, modelId, tier, seq));
    // Counted as added either way, so that workflowVersion never goes back.
    reader.countAdded(call.workflow);
    if (session.db.getRowsModified() > 0) {
      added++;
      if (outbox && !session.pulled.has(call)) outbox.run([stageId, call.ts, call.id]);
      // An early call is in its stage's history and the daily counters since it was tracked.
      if (early === undefined) {
        reader.counters.add(stageId, modelId, call, tier);
        reader.rememberInHistory(stageId, call, seq);
      }
    } else if (early !== undefined) {
      // A duplicate after all: take it back out of what counted it ahead.
      reader.forgetHistory(stageId);
      reader.uncount(stageId, call);
    }
  }
  return added;
}
