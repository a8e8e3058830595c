import type { Database, SqlValue } from 'sql.js';
import type { LlmCall } from '../types';
import { mergeSplitModels } from './modelMerge';

/** Bumped with every forward migration; files from a newer version are refused. */
export const SCHEMA_VERSION = 5;
export const APP_ID = 'adaptive-model-router';

/** Errors about the file itself: the caller shows them and never saves over that file. */
export class TelemetryFileError extends Error {
  constructor(
    readonly location: string,
    readonly problem: 'not-sqlite' | 'corrupt' | 'foreign-schema' | 'newer-version' | 'wal-mode' | 'unsafe-schema' | 'too-large',
    detail: string,
  ) {
    super(`${location}: ${detail}`);
    this.name = 'TelemetryFileError';
  }
}

/** For people reading the file with the sqlite3 tool (as the calls table was up to v3). */
const CALLS_READABLE_VIEW = `CREATE VIEW calls_readable AS
      SELECT c.id, strftime('%Y-%m-%dT%H:%M:%fZ', c.ts / 1000.0, 'unixepoch') AS ts_utc,
             s.workflow, s.stage, m.name AS model, m.provider,
             CASE c.tier WHEN 0 THEN 'cheap' WHEN 1 THEN 'capable' WHEN 2 THEN 'premium' END AS tier,
             c.cost, c.input_tokens, c.output_tokens, c.duration_ms, c.success, c.error, c.cache_hit
      FROM calls c JOIN stages s ON s.id = c.stage_id JOIN models m ON m.id = c.model_id;`;

/** The same from v4, with the prompt-cache tokens. */
const CALLS_READABLE_VIEW_V4 = `CREATE VIEW calls_readable AS
      SELECT c.id, strftime('%Y-%m-%dT%H:%M:%fZ', c.ts / 1000.0, 'unixepoch') AS ts_utc,
             s.workflow, s.stage, m.name AS model, m.provider,
             CASE c.tier WHEN 0 THEN 'cheap' WHEN 1 THEN 'capable' WHEN 2 THEN 'premium' END AS tier,
             c.cost, c.cost_estimated, c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_write_tokens, c.cache_write_1h_tokens,
             c.duration_ms, c.success, c.error, c.cache_hit
      FROM calls c JOIN stages s ON s.id = c.stage_id JOIN models m ON m.id = c.model_id;`;

/** The same from v5, with the exact model id a call reported (model_version). */
const CALLS_READABLE_VIEW_V5 = CALLS_READABLE_VIEW_V4.replace('m.name AS model, m.provider,', 'm.name AS model, c.model_version, m.provider,');

/** The daily table's columns for calls without a billed cost, in DayCounter's order. */
export const UNPRICED_COLUMNS = [
  'unpriced_calls',
  'unpriced_input_tokens',
  'unpriced_output_tokens',
  'unpriced_cache_read_tokens',
  'unpriced_cache_write_tokens',
  'unpriced_cache_write_1h_tokens',
];

/** Those sums over a set of calls (SQL aggregates, in the same order). */
export const UNPRICED_SUMS = `total(cost IS NULL AND coalesce(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens) IS NOT NULL),
  total(CASE WHEN cost IS NULL THEN input_tokens END), total(CASE WHEN cost IS NULL THEN output_tokens END),
  total(CASE WHEN cost IS NULL THEN cache_read_tokens END), total(CASE WHEN cost IS NULL THEN cache_write_tokens END),
  total(CASE WHEN cost IS NULL THEN cache_write_1h_tokens END)`;

const MIGRATIONS: Record<number, string | ((db: Database) => void)> = {
  1: `
    CREATE TABLE router_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE stages (
      id INTEGER PRIMARY KEY,
      workflow TEXT NOT NULL,
      stage TEXT NOT NULL,
      UNIQUE (workflow, stage)
    );
    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      provider TEXT
    );
    -- One row per LLM call. id is a 53-bit identity derived from the call's own id, so that merging
    -- two copies of a file or re-importing a log never counts a call twice. ts: ms since epoch, UTC.
    -- tier: 0 cheap, 1 capable, 2 premium. success NULL = not recorded (counts as success).
    CREATE TABLE calls (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      stage_id INTEGER NOT NULL REFERENCES stages(id),
      model_id INTEGER NOT NULL REFERENCES models(id),
      tier INTEGER,
      cost REAL,
      input_tokens INTEGER,
      output_tokens INTEGER,
      duration_ms INTEGER,
      success INTEGER,
      error TEXT,
      cache_hit INTEGER
    );
    CREATE INDEX calls_by_stage_time ON calls (stage_id, ts);
    -- How far each importer has read each source file.
    CREATE TABLE import_progress (
      source TEXT PRIMARY KEY,
      offset INTEGER NOT NULL,
      fingerprint TEXT NOT NULL
    );
    ${CALLS_READABLE_VIEW}
  `,
  // v2: calls clustered by (stage, time) with no separate index, and per-day counters that
  // decisions read and that outlive the retention of raw calls.
  2: `
    DROP VIEW calls_readable;
    CREATE TABLE calls_v2 (
      stage_id INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      id INTEGER NOT NULL,
      model_id INTEGER NOT NULL,
      tier INTEGER,
      cost REAL,
      input_tokens INTEGER,
      output_tokens INTEGER,
      duration_ms INTEGER,
      success INTEGER,
      error TEXT,
      cache_hit INTEGER,
      PRIMARY KEY (stage_id, ts, id)
    ) WITHOUT ROWID;
    INSERT INTO calls_v2 SELECT stage_id, ts, id, model_id, tier, cost, input_tokens, output_tokens, duration_ms, success, error, cache_hit FROM calls;
    DROP TABLE calls;
    ALTER TABLE calls_v2 RENAME TO calls;
    CREATE TABLE daily (
      stage_id INTEGER NOT NULL,
      model_id INTEGER NOT NULL,
      day INTEGER NOT NULL,
      calls INTEGER NOT NULL,
      successes INTEGER NOT NULL,
      cost_sum REAL NOT NULL,
      cost_known INTEGER NOT NULL,
      latency_sum REAL NOT NULL,
      latency_known INTEGER NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      last_tier INTEGER,
      last_ts INTEGER NOT NULL,
      PRIMARY KEY (stage_id, model_id, day)
    ) WITHOUT ROWID;
    INSERT INTO daily
      SELECT stage_id, model_id, ts / 86400000, count(*), sum(coalesce(success, 1)), total(cost), count(cost),
             total(duration_ms), count(duration_ms), total(input_tokens), total(output_tokens), tier, max(ts)
      FROM calls GROUP BY stage_id, model_id, ts / 86400000;
    ${CALLS_READABLE_VIEW}
  `,
  // v3: the order calls were written in, for calls of one stage in the same millisecond ("the
  // last 20" follows the log, as upstream's does). Older rows have none and keep id order.
  3: `
    ALTER TABLE calls ADD COLUMN seq INTEGER;
  `,
  // v4: prompt-cache tokens per call, and whether its cost is the source's estimate; per day the
  // tokens of calls without a cost (what an estimate from registry prices covers; see spend.ts), the
  // sum of squared costs (their spread) and the sources' estimates. Before v4 none of it was kept.
  4: `
    ALTER TABLE calls ADD COLUMN cache_read_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN cache_write_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN cache_write_1h_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN cost_estimated INTEGER;
    ALTER TABLE daily ADD COLUMN source_estimated_sum REAL NOT NULL DEFAULT 0;
    ALTER TABLE daily ADD COLUMN source_estimated_calls INTEGER NOT NULL DEFAULT 0;
    ${UNPRICED_COLUMNS.map((c) => `ALTER TABLE daily ADD COLUMN ${c} ${c === 'unpriced_calls' ? 'INTEGER' : 'REAL'} NOT NULL DEFAULT 0;`).join('\n    ')}
    ALTER TABLE daily ADD COLUMN cost_sq_sum REAL NOT NULL DEFAULT 0;
    -- Days whose raw calls are kept: counted from them.
    UPDATE daily SET (${UNPRICED_COLUMNS.join(', ')}, cost_sq_sum) = (
      SELECT ${UNPRICED_SUMS}, total(cost * cost) FROM calls
      WHERE calls.stage_id = daily.stage_id AND calls.model_id = daily.model_id
        AND calls.ts >= daily.day * 86400000 AND calls.ts < (daily.day + 1) * 86400000);
    -- Days past the retention (their raw calls deleted): the least spread their costs can have (all
    -- at the mean) and, where no call had a billed cost, all their tokens as unpriced.
    UPDATE daily SET cost_sq_sum = CASE WHEN cost_known > 0 THEN cost_sum * cost_sum / cost_known ELSE 0 END,
        unpriced_calls = CASE WHEN cost_known = 0 AND (input_tokens > 0 OR output_tokens > 0) THEN calls ELSE 0 END,
        unpriced_input_tokens = CASE WHEN cost_known = 0 THEN input_tokens ELSE 0 END,
        unpriced_output_tokens = CASE WHEN cost_known = 0 THEN output_tokens ELSE 0 END
      WHERE NOT EXISTS (
        SELECT 1 FROM calls WHERE calls.stage_id = daily.stage_id AND calls.model_id = daily.model_id
          AND calls.ts >= daily.day * 86400000 AND calls.ts < (daily.day + 1) * 86400000);
    DROP VIEW calls_readable;
    ${CALLS_READABLE_VIEW_V4}
  `,
  // v5: the exact model id a call reported (a dated snapshot, a cloud id) beside its model, and one
  // model per family: names that are a family's name plus a date, prefix or cloud version are merged
  // into it where the file holds both (OpenTelemetry calls were split that way before).
  5: (db) => {
    db.exec(`ALTER TABLE calls ADD COLUMN model_version TEXT; DROP VIEW calls_readable; ${CALLS_READABLE_VIEW_V5}`);
    mergeSplitModels(db);
  },
};

/** Schema objects we create; anything else with code in it (triggers, views) is refused. */
const OWN_CODE_OBJECTS = new Set(['calls_readable']);

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** The error for a file that fails SQLite's integrity check. */
export function damaged(location: string, detail: string): TelemetryFileError {
  return new TelemetryFileError(
    location,
    'corrupt',
    `the database is damaged (${detail}). Move it aside to start a new one; keep it if you want to recover it with sqlite3 ".recover".`,
  );
}

/** Checks the raw bytes before handing them to SQLite. */
export function checkHeader(location: string, bytes: Uint8Array): void {
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, 16));
  if (bytes.length < 100 || header !== SQLITE_HEADER) {
    throw new TelemetryFileError(
      location,
      'not-sqlite',
      'not a SQLite database (the header is wrong). Move it aside or point the telemetry path at another file.',
    );
  }
  // Bytes 18 and 19 are the read/write format versions: 2 means write-ahead logging.
  if (bytes[18] === 2 || bytes[19] === 2) {
    throw new TelemetryFileError(
      location,
      'wal-mode',
      `the database is in WAL mode, and its recent changes live in a "-wal" file that cannot be read here. ` +
        `Run: sqlite3 "${location}" "PRAGMA journal_mode=DELETE;" with the -wal file beside it, then reload.`,
    );
  }
}

function scalar(db: Database, sql: string): unknown {
  const result = db.exec(sql);
  return result[0]?.values[0]?.[0];
}

/** Safety settings that `db.export()` resets, so they are applied after every open and save. */
export function applyPragmas(db: Database): void {
  // The database lives in memory and is saved whole, so the rollback journal stays in memory too;
  // a 32 MB page cache keeps sql.js from copying pages to and from its in-memory file on every batch.
  db.exec('PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = OFF; PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;');
}

/**
 * Validates an opened file and brings it to the current schema.
 * Returns true when the file was migrated or created (it needs saving).
 */
export function prepareSchema(db: Database, location: string, options: { quickCheck?: boolean } = {}): boolean {
  applyPragmas(db);
  if (options.quickCheck !== false) {
    let check: unknown;
    try {
      check = scalar(db, 'PRAGMA quick_check');
    } catch (error) {
      throw damaged(location, (error as Error).message);
    }
    if (check !== 'ok') throw damaged(location, String(check));
  }
  const version = Number(scalar(db, 'PRAGMA user_version') ?? 0);
  const objects = db.exec("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")[0]?.values ?? [];
  if (version > SCHEMA_VERSION) {
    throw new TelemetryFileError(
      location,
      'newer-version',
      `written by a newer version of Adaptive Model Router (schema ${version}, this one reads up to ${SCHEMA_VERSION}). Update the extension or CLI; the file is left as it is.`,
    );
  }
  if (version === 0 && objects.length > 0) {
    throw new TelemetryFileError(
      location,
      'foreign-schema',
      'a SQLite database of another program (it has tables, but not ours). Point adaptiveRouting.telemetryPath (or --db) at another file.',
    );
  }
  if (version > 0) {
    // A versioned file without our table is someone else's too (and must not end in "no such table").
    const hasMeta = objects.some(([type, name]) => type === 'table' && name === 'router_meta');
    const app = hasMeta ? db.exec("SELECT value FROM router_meta WHERE key = 'app'")[0]?.values[0]?.[0] : undefined;
    if (app !== APP_ID) {
      throw new TelemetryFileError(
        location,
        'foreign-schema',
        'a SQLite database of another program (no Adaptive Model Router marker). Point adaptiveRouting.telemetryPath (or --db) at another file.',
      );
    }
    for (const [type, name] of objects) {
      if ((type === 'trigger' || type === 'view') && !OWN_CODE_OBJECTS.has(String(name))) {
        throw new TelemetryFileError(
          location,
          'unsafe-schema',
          `contains a ${String(type)} "${String(name)}" that Adaptive Model Router did not create; it is not loaded, for safety. Remove it with sqlite3 or move the file aside.`,
        );
      }
    }
  }
  db.exec('BEGIN');
  try {
    let changed = false;
    if (version < SCHEMA_VERSION) {
      for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
        const migration = MIGRATIONS[next];
        if (typeof migration === 'string') db.exec(migration);
        else migration(db);
      }
      db.exec(`INSERT OR REPLACE INTO router_meta (key, value) VALUES ('app', '${APP_ID}'); PRAGMA user_version = ${SCHEMA_VERSION};`);
      changed = true;
    } else {
      // A family split since the last open (a snapshot name written by an older writer beside the family's own): merged again.
      changed = mergeSplitModels(db) > 0;
    }
    db.exec('COMMIT');
    return changed;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export const INSERT_CALL = `INSERT OR IGNORE INTO calls (stage_id, ts, id, model_id, tier, cost, input_tokens, output_tokens, duration_ms, success, error, cache_hit, seq,
    cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_estimated, model_version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A call as the row INSERT_CALL binds. */
export function callRow(call: LlmCall, stageId: number, modelId: number, tier: number | null, seq: number): SqlValue[] {
  const flag = (value: boolean | null) => (value == null ? null : value ? 1 : 0);
  return [
    stageId,
    call.ts,
    call.id,
    modelId,
    tier,
    call.cost,
    call.inputTokens,
    call.outputTokens,
    call.durationMs,
    flag(call.success),
    call.error,
    flag(call.cacheHit),
    seq,
    call.cacheReadTokens,
    call.cacheWriteTokens,
    call.cacheWrite1hTokens,
    flag(call.costEstimated),
    call.modelVersion ?? null,
  ];
}
