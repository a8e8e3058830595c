import type { ClientBase } from 'pg';

/**
 * The team database's schema, as versioned migrations (one transaction each, under an advisory lock
 * so that two machines starting at once do not both migrate). `project` lets projects share it.
 */
export const TEAM_MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE amr_calls (
      -- No index of its own: the pull's index orders by it (each index costs every insert).
      seq bigint GENERATED ALWAYS AS IDENTITY,
      -- The inserting transaction: pulls re-read from the oldest transaction still running at the
      -- last pull, so rows committed out of order are never skipped (see teamSync.ts).
      tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
      project text NOT NULL,
      writer text NOT NULL,
      id bigint NOT NULL,
      ts bigint NOT NULL,
      workflow text NOT NULL,
      stage text NOT NULL,
      model text NOT NULL,
      provider text,
      tier text,
      cost double precision,
      cost_estimated boolean,
      input_tokens bigint,
      output_tokens bigint,
      cache_read_tokens bigint,
      cache_write_tokens bigint,
      cache_write_1h_tokens bigint,
      duration_ms bigint,
      success boolean,
      error text,
      cache_hit boolean,
      -- A call's identity, as in the local files; also the index of per-stage reads over time.
      UNIQUE (project, workflow, stage, ts, id)
    );
    CREATE INDEX amr_calls_pull ON amr_calls (project, tx, seq);
  `,
  // v2: server-side aggregates per stage, model and UTC day (reports, dashboards on a replica),
  // read through the identity index.
  2: `
    CREATE VIEW amr_stage_days AS
      SELECT project, workflow, stage, model, ts / 86400000 AS day, count(*) AS calls,
             count(*) FILTER (WHERE success IS NOT FALSE) AS successes, sum(cost) AS cost, count(cost) AS cost_known,
             sum(duration_ms) AS latency_sum, count(duration_ms) AS latency_known
      FROM amr_calls GROUP BY project, workflow, stage, model, ts / 86400000;
  `,
};

export const TEAM_SCHEMA_VERSION = Math.max(...Object.keys(TEAM_MIGRATIONS).map(Number));

/** A lock id of our own (pg_advisory_xact_lock): "amr" and the schema table. */
const MIGRATION_LOCK = 0x616d72;

/** Brings the team schema to `target` (the latest by default); returns the version it found. */
export async function migrateTeamSchema(client: ClientBase, target = TEAM_SCHEMA_VERSION): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Read first: a role that may only SELECT and INSERT syncs with a database already at the target.
    const exists = (await client.query("SELECT to_regclass('amr_schema') IS NOT NULL AS e")).rows[0].e === true;
    const found = exists ? Number((await client.query('SELECT max(version) AS v FROM amr_schema')).rows[0]?.v ?? 0) : 0;
    if (found > TEAM_SCHEMA_VERSION) {
      throw new Error(`the team database has schema version ${found}, newer than this version knows (${TEAM_SCHEMA_VERSION}): update the extension`);
    }
    if (found < target && !exists) await client.query('CREATE TABLE amr_schema (version integer NOT NULL)');
    for (let version = found + 1; version <= target; version++) {
      await client.query(TEAM_MIGRATIONS[version]);
      await client.query('INSERT INTO amr_schema (version) VALUES ($1)', [version]);
    }
    await client.query('COMMIT');
    return found;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
