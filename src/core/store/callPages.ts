import type { LlmCall } from '../types';
import { CALL_COLUMNS, CALL_TABLES, rowToCall } from './callRows';
import type { SqlSession } from './sqlSession';

/**
 * The calls of some stages a page at a time, stage by stage and each stage oldest first, read along
 * the calls' key (stage_id, ts, id): an export of any size holds one page.
 */
export function* callPages(session: SqlSession, stageIds: number[], since: number, pageSize: number): Generator<LlmCall[]> {
  for (const stageId of stageIds) {
    let after = [Number.MIN_SAFE_INTEGER, 0];
    for (;;) {
      const page = session
        .all(
          `SELECT ${CALL_COLUMNS} FROM ${CALL_TABLES}
           WHERE c.stage_id = ? AND c.ts >= ? AND (c.ts, c.id) > (?, ?) ORDER BY c.ts, c.id LIMIT ?`,
          [stageId, since, ...after, pageSize],
        )
        .map(rowToCall);
      if (page.length) yield page;
      if (page.length < pageSize) break;
      after = [page[page.length - 1].ts, page[page.length - 1].id];
    }
  }
}
