import type { SqlValue } from 'sql.js';
import { TIERS } from '../tiers';
import type { LlmCall } from '../types';

/**
 * A stored call as a query reads it: the columns to select (calls c, stages s, models m) and the
 * call they make. Shared by the reader's queries and the team outbox.
 */
export const CALL_COLUMNS = `c.id, c.ts, s.workflow, s.stage, c.tier, m.name, m.provider, c.cost, c.input_tokens, c.output_tokens,
  c.duration_ms, c.success, c.error, c.cache_hit, c.cache_read_tokens, c.cache_write_tokens, c.cache_write_1h_tokens, c.cost_estimated`;

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
  };
}
