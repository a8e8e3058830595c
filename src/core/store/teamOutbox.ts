import type { SqlValue } from 'sql.js';
import type { LlmCall } from '../types';
import { CALL_COLUMNS_BY_ID, callNames, rowToCall } from './callRows';
import type { SqlSession } from './sqlSession';

/** Keys of the calls this file has that the team database may not: filled by every writer of the file. */
const OUTBOX_TABLE = `CREATE TABLE IF NOT EXISTS team_outbox (
    stage_id INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (stage_id, ts, id)
  ) WITHOUT ROWID`;

export const OUTBOX_INSERT = 'INSERT OR IGNORE INTO team_outbox (stage_id, ts, id) VALUES (?, ?, ?)';

/** Calls the team database refused, kept aside with its reason (they stay in the file and count locally). */
const QUARANTINE_TABLE = `CREATE TABLE IF NOT EXISTS team_quarantine (
    stage_id INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (stage_id, ts, id)
  ) WITHOUT ROWID`;

/** A call waiting in the outbox, with its key in this file. */
export interface OutboxCall {
  key: [stageId: number, ts: number, id: number];
  call: LlmCall;
}

/**
 * The team sync's side of a telemetry file (a transactional outbox): every call inserted locally
 * gets a row here in the same transaction, except calls pulled from the team; a push removes the
 * rows the team database has confirmed. A crash between the two sends them again, which the
 * database ignores (its key is the call's own), so nothing is lost or counted twice.
 */
export class TeamOutbox {
  constructor(private readonly session: SqlSession) {}

  /** Starts syncing this file: its calls so far all wait to be pushed (once; later calls follow by insert). */
  enable(): void {
    if (this.session.hasOutbox) return;
    this.session.transaction(() => {
      this.session.createOutbox(OUTBOX_TABLE);
      this.session.run('INSERT OR IGNORE INTO team_outbox (stage_id, ts, id) SELECT stage_id, ts, id FROM calls', []);
    });
  }

  get enabled(): boolean {
    return this.session.hasOutbox;
  }

  get size(): number {
    return this.enabled ? Number(this.session.all('SELECT count(*) FROM team_outbox', [])[0][0]) : 0;
  }

  /** Up to `limit` waiting calls in key order, after `after` (a push reads ahead while a batch is in flight). */
  take(limit: number, after: OutboxCall['key'] = [-1, 0, 0]): OutboxCall[] {
    if (!this.enabled) return [];
    const rows = this.session.all(
      `SELECT o.stage_id, o.ts, o.id, ${CALL_COLUMNS_BY_ID}
       FROM team_outbox o
       LEFT JOIN calls c ON c.stage_id = o.stage_id AND c.ts = o.ts AND c.id = o.id
       WHERE (o.stage_id, o.ts, o.id) > (?, ?, ?)
       ORDER BY o.stage_id, o.ts, o.id LIMIT ?`,
      [...after, limit],
    );
    const keyOf = (r: SqlValue[]): OutboxCall['key'] => [Number(r[0]), Number(r[1]), Number(r[2])];
    // A key without its call (c.id null): retention deleted the call.
    const gone = rows.filter((r) => r[3] === null).map(keyOf);
    if (gone.length) this.remove(gone);
    const named = callNames(this.session);
    return rows.filter((r) => r[3] !== null).map((r) => ({ key: keyOf(r), call: rowToCall(named(r.slice(3))) }));
  }

  /**
   * Moves calls the team database refused out of the outbox into the quarantine, with the reason: the
   * rest of the outbox goes on, and the refused calls stay in the file (and in local decisions).
   */
  quarantine(refused: Array<{ key: OutboxCall['key']; reason: string }>, at: number): void {
    if (!refused.length) return;
    this.session.transaction(() => {
      this.session.createOutbox(QUARANTINE_TABLE);
      for (const { key, reason } of refused) {
        this.session.run('INSERT OR REPLACE INTO team_quarantine (stage_id, ts, id, reason, at) VALUES (?, ?, ?, ?, ?)', [...key, reason, at]);
        this.session.run('DELETE FROM team_outbox WHERE stage_id = ? AND ts = ? AND id = ?', key);
      }
    });
  }

  /** How many calls the team database refused so far, and the latest reasons (up to `limit`, each once). */
  quarantined(limit = 3): { count: number; reasons: string[] } {
    const exists = this.session.all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'team_quarantine'", []).length > 0;
    if (!exists) return { count: 0, reasons: [] };
    const count = Number(this.session.all('SELECT count(*) FROM team_quarantine', [])[0][0]);
    const reasons = this.session.all('SELECT reason FROM team_quarantine GROUP BY reason ORDER BY max(at) DESC LIMIT ?', [limit]).map((r) => String(r[0]));
    return { count, reasons };
  }

  /** Forgets calls the team database has confirmed. */
  remove(keys: OutboxCall['key'][]): void {
    // One DELETE per key beats one statement over a JSON list or a VALUES list of the batch (measured).
    this.session.transaction(() => {
      for (const key of keys) this.session.run('DELETE FROM team_outbox WHERE stage_id = ? AND ts = ? AND id = ?', key);
    });
  }
}
