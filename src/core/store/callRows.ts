import type { SqlValue } from 'sql.js';
import { TIERS } from '../tiers';
import type { LlmCall } from '../types';
import type { SqlSession } from './sqlSession';

/**
 * A stored call as a query reads it: the columns to select (calls c, stages s, models m) and the
 * call they make. Shared by the reader's queries and the team outbox.
 */
export const CALL_COLUMNS = `c.id, c.ts, s.workflow, s.stage, c.tier, m.name, m.provider, c.cost, c.input_tokens, c.output_tokens,
  c.duration_ms, c.success, c.error, c.cache_hit, c.cache_read_tokens, c.cache_write_tokens, c.cache_write_1h_tokens, c.cost_estimated, c.model_version`;

/** The tables CALL_COLUMNS reads, under the names it gives them. */
export const CALL_TABLES = 'calls c JOIN stages s ON s.id = c.stage_id JOIN models m ON m.id = c.model_id';

/**
 * CALL_COLUMNS with ids in place of names (the stage id in the workflow slot, the model id in the
 * model slot), for reads of many calls: naming them from the small stages and models tables
 * (callNames) spares decoding and collecting four strings per row.
 */
export const CALL_COLUMNS_BY_ID = `c.id, c.ts, c.stage_id, NULL, c.tier, c.model_id, NULL, c.cost, c.input_tokens, c.output_tokens,
  c.duration_ms, c.success, c.error, c.cache_hit, c.cache_read_tokens, c.cache_write_tokens, c.cache_write_1h_tokens, c.cost_estimated, c.model_version`;

/** The names behind stage and model ids, read once for a CALL_COLUMNS_BY_ID read. */
export function callNames(session: SqlSession): (row: SqlValue[]) => SqlValue[] {
  const stages = new Map(session.all('SELECT id, workflow, stage FROM stages', []).map((r) => [Number(r[0]), r]));
  const models = new Map(session.all('SELECT id, name, provider FROM models', []).map((r) => [Number(r[0]), r]));
  return (row) => {
    const stage = stages.get(Number(row[2]));
    const model = models.get(Number(row[5]));
    row[2] = stage?.[1] ?? null;
    row[3] = stage?.[2] ?? null;
    row[5] = model?.[1] ?? null;
    row[6] = model?.[2] ?? null;
    return row;
  };
}

export function rowToCall(r: SqlValue[]): LlmCall {
  const bool = (v: SqlValue) => (v == null ? null : Number(v) === 1);
  const num = (v: SqlValue) => (v == null ? null : Number(v));
  return {
    id: Number(r[0]),
    ts: Number(r[1]),
    workflow: String(r[2]),
    stage: String(r[3]),
    tier: r[4] == null ? null : (TIERS[Number(r[4])] ?? null),
    model: String(r[5]),
    provider: r[6] == null ? null : String(r[6]),
    cost: num(r[7]),
    inputTokens: num(r[8]),
    outputTokens: num(r[9]),
    durationMs: num(r[10]),
    success: bool(r[11]),
    error: r[12] == null ? null : String(r[12]),
    cacheHit: bool(r[13]),
    cacheReadTokens: num(r[14]),
    cacheWriteTokens: num(r[15]),
    cacheWrite1hTokens: num(r[16]),
    costEstimated: bool(r[17]),
    modelVersion: r[18] == null ? null : String(r[18]),
  };
}
