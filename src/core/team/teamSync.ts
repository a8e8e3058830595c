import { Client } from 'pg';
import { checkStoredCall, randomIdentity, withoutNul } from '../ingest/callValidation';
import type { OutboxCall } from '../store/teamOutbox';
import type { TelemetryStore } from '../store/telemetryStore';
import { parseTier } from '../tiers';
import type { LlmCall } from '../types';
import { migrateTeamSchema } from './teamSchema';
import { hostOf } from './teamDatabaseUrl';

export { hostOf } from './teamDatabaseUrl';

/** Where the team's calls live. The password comes from SecretStorage or PGPASSWORD, never from the URL in settings. */
export interface TeamDatabase {
  url: string;
  project: string;
  password?: string;
}

/** One round: what went up, what came down, and who else writes. */
export interface SyncReport {
  /** Calls sent, and of them those the database did not have yet. */
  sent: number;
  pushed: number;
  /** Calls received (a re-read overlap included), and of them those this file did not have yet. */
  received: number;
  pulled: number;
  /** Other machines whose calls came down in this round. */
  writers: number;
  /** Calls still waiting to be pushed (0 after a full round). */
  waiting: number;
  /** Calls the team database refused this round (kept aside in the file, see `quarantined`), and rows pulled that fail this machine's checks (not stored). */
  refused: number;
  refusedPulled: number;
  /** All calls kept aside so far, and the latest reasons (refused pushes, then refused pulled rows). */
  quarantined: number;
  reasons: string[];
}

export interface SyncOptions {
  /** After each batch the database has committed: how many calls were sent so far (progress). */
  onPushed?: (sent: number) => void;
}

/** A sync that could not complete, with one sentence on what to do; the local file is never the worse for it. */
export class TeamSyncError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'authentication' | 'tls' | 'schema' | 'failed',
  ) {
    super(message);
    this.name = 'TeamSyncError';
  }
}

const PUSH_BATCH = 5_000;
const PULL_PAGE = 10_000;
const COLUMNS = [
  'id',
  'ts',
  'workflow',
  'stage',
  'model',
  'provider',
  'tier',
  'cost',
  'cost_estimated',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'duration_ms',
  'success',
  'error',
  'cache_hit',
] as const;
const TYPES = [
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'float8',
  'bool',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bool',
  'text',
  'bool',
];

/**
 * One sync round between a telemetry file and the team database: push the file's outbox, then pull
 * the other machines' calls. The pull never misses a row committed out of order: it reads from the
 * oldest transaction still running at the previous pull (pg_snapshot_xmin), so a row whose
 * transaction was in flight then is read now; rows read twice are the same call (same id, stage and
 * time), which the file stores once. Decisions keep reading the local file throughout.
 */
export async function syncRound(store: TelemetryStore, team: TeamDatabase, options: SyncOptions = {}): Promise<SyncReport> {
  let client: Client | undefined;
  try {
    client = await connect(team);
    await migrateTeamSchema(client);
    const writer = writerId(store);
    const { sent, pushed, refused } = await push(client, store, team, writer, options.onPushed);
    const { received, pulled, writers, refusedPulled, pulledReasons } = await pull(client, store, team, writer);
    const outbox = store.teamOutbox();
    const kept = outbox.quarantined();
    return {
      sent,
      pushed,
      received,
      pulled,
      writers,
      waiting: outbox.size,
      refused,
      refusedPulled,
      quarantined: kept.count,
      reasons: [...kept.reasons, ...pulledReasons].slice(0, 5),
    };
  } catch (error) {
    throw explain(error, team.url);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

async function connect(team: TeamDatabase): Promise<Client> {
  const client = new Client({ connectionString: withExplicitSslMode(team.url), password: team.password, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a dropped connection fails the query in flight, reported there
  await client.connect();
  return client;
}

/** This file's writer id in the team database (kept in the file, so every process writing it shares it). */
function writerId(store: TelemetryStore): string {
  const known = store.getImportProgress('team:writer')?.fingerprint;
  if (known) return known;
  const id = randomIdentity().toString(36);
  store.setImportProgress('team:writer', 0, id);
  return id;
}

async function push(
  client: Client,
  store: TelemetryStore,
  team: TeamDatabase,
  writer: string,
  onPushed?: (sent: number) => void,
): Promise<{ sent: number; pushed: number; refused: number }> {
  const outbox = store.teamOutbox();
  outbox.enable();
  let sent = 0;
  let pushed = 0;
  let refused = 0;
  let batch = outbox.take(PUSH_BATCH);
  // A large outbox (a machine's first push) goes over two connections, two batches in flight: the
  // server inserts on one core while the other batch travels and the next is read from the file.
  const second = batch.length === PUSH_BATCH ? await connect(team) : undefined;
  const clients = second ? [client, second] : [client];
  const inFlight: Array<Promise<void>> = [];
  try {
    for (let i = 0; batch.length; i++) {
      const keys = batch.map((b) => b.key);
      inFlight.push(
        handled(
          insertBatch(clients[i % clients.length], batch, team, writer).then((result) => {
            // Committed (autocommit): only now may the outbox forget them; refused rows go aside with their reason.
            const aside = new Set(result.refused.map((r) => r.key.join(':')));
            outbox.remove(keys.filter((key) => !aside.has(key.join(':'))));
            outbox.quarantine(result.refused, Date.now());
            sent += keys.length - result.refused.length;
            refused += result.refused.length;
            pushed += result.pushed;
            onPushed?.(sent);
          }),
        ),
      );
      // The next batch is read from the file while the database inserts this one.
      batch = outbox.take(PUSH_BATCH, keys[keys.length - 1]);
      if (inFlight.length >= clients.length) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await second?.end().catch(() => undefined);
  }
  return { sent, pushed, refused };
}

/**
 * PostgreSQL's classes for a value it cannot hold (22: data exception, out of range, bad text) or a
 * constraint a row breaks (23): the row's fault, not the connection's, so the batch is split to find it.
 */
const isRowError = (error: unknown) => /^(22|23)/.test(String((error as { code?: string }).code ?? ''));

/** Inserts a batch; a batch the database refuses for a row's value is halved until the refused rows are found, alone. */
async function insertBatch(
  client: Client,
  batch: OutboxCall[],
  team: TeamDatabase,
  writer: string,
): Promise<{ pushed: number; refused: Array<{ key: OutboxCall['key']; reason: string }> }> {
  try {
    const columns = COLUMNS.map((c, n) =>
      columnParameter(
        batch.map(({ call }) => valueOf(call, c)),
        TYPES[n],
      ),
    );
    const result = await client.query(
      `INSERT INTO amr_calls (project, writer, ${COLUMNS.join(', ')})
       SELECT $1, $2, * FROM unnest(${COLUMNS.map((_, n) => `$${n + 3}::${TYPES[n]}[]`).join(', ')})
       ON CONFLICT DO NOTHING`,
      [team.project, writer, ...columns],
    );
    return { pushed: result.rowCount ?? 0, refused: [] };
  } catch (error) {
    if (!isRowError(error)) throw error;
    if (batch.length === 1) {
      const { call, key } = batch[0];
      return { pushed: 0, refused: [{ key, reason: `${call.workflow} / ${call.stage} at ${callTime(call.ts)}: ${(error as Error).message}` }] };
    }
    const half = batch.length >> 1;
    const first = await insertBatch(client, batch.slice(0, half), team, writer);
    const rest = await insertBatch(client, batch.slice(half), team, writer);
    return { pushed: first.pushed + rest.pushed, refused: [...first.refused, ...rest.refused] };
  }
}

/** A call's time for a message, even one no Date can show. */
function callTime(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? `ts ${ts}` : date.toISOString();
}

async function pull(
  client: Client,
  store: TelemetryStore,
  team: TeamDatabase,
  writer: string,
): Promise<{ received: number; pulled: number; writers: number; refusedPulled: number; pulledReasons: string[] }> {
  const bookmark = `team:${team.project}@${hostOf(team.url)}`;
  const cursor = String(store.getImportProgress(bookmark)?.offset ?? 0);
  const before = store.callCount();
  const writers = new Set<string>();
  let received = 0;
  let refusedPulled = 0;
  const pulledReasons: string[] = [];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // Every transaction older than this one's xmin has committed or aborted: the next pull starts there.
    const next = String((await client.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0].xmin);
    const page = (after: { tx: string; seq: string }) =>
      handled(
        client.query(
          `SELECT tx::text AS tx, seq::text AS seq, writer, ${COLUMNS.join(', ')} FROM amr_calls
         WHERE project = $1 AND writer <> $2 AND (tx, seq) > ($3::xid8, $4::bigint) AND tx >= $5::xid8
         ORDER BY amr_calls.tx, amr_calls.seq LIMIT $6`, // the columns, not their text aliases (which sort '10' before '9')
          [team.project, writer, after.tx, after.seq, cursor, PULL_PAGE],
        ),
      );
    let pending = page({ tx: cursor, seq: '0' });
    for (;;) {
      const { rows } = await pending;
      if (!rows.length) break;
      // The database reads the next page while this one goes into the file.
      const last = rows[rows.length - 1];
      pending = page({ tx: String(last.tx), seq: String(last.seq) });
      // A teammate's row passes the checks a call recorded here passes (an older or other client may have sent it): never stored otherwise.
      const calls: LlmCall[] = [];
      for (const row of rows) {
        const call = callOf(row);
        try {
          checkStoredCall(call, store.now);
          calls.push(call);
        } catch (error) {
          refusedPulled++;
          if (pulledReasons.length < 3) pulledReasons.push(`pulled from ${String(row.writer)}: ${(error as Error).message}`);
        }
      }
      store.trackPulledCalls(calls);
      for (const row of rows) writers.add(String(row.writer));
      received += rows.length;
    }
    await client.query('COMMIT');
    store.setImportProgress(bookmark, Number(next), writer);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { received, pulled: store.callCount() - before, writers: writers.size, refusedPulled, pulledReasons };
}

/** A query in flight while other work runs: if that work throws first, its failure is not left unhandled. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The call's field behind each column of amr_calls. */
const FIELDS: Record<(typeof COLUMNS)[number], keyof LlmCall> = {
  id: 'id',
  ts: 'ts',
  workflow: 'workflow',
  stage: 'stage',
  model: 'model',
  provider: 'provider',
  tier: 'tier',
  cost: 'cost',
  cost_estimated: 'costEstimated',
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
  cache_read_tokens: 'cacheReadTokens',
  cache_write_tokens: 'cacheWriteTokens',
  cache_write_1h_tokens: 'cacheWrite1hTokens',
  duration_ms: 'durationMs',
  success: 'success',
  error: 'error',
  cache_hit: 'cacheHit',
};

function valueOf(call: LlmCall, column: (typeof COLUMNS)[number]): unknown {
  return call[FIELDS[column]];
}

/**
 * A column as a parameter: numbers and booleans as PostgreSQL's array literal, which they need no
 * quoting in (pg quotes and escapes every element of an array, the push's largest cost after the
 * file's read); text as an array, which pg escapes.
 */
function columnParameter(values: unknown[], type: string): unknown {
  // Files from before NUL was kept out of names and errors may hold one, which PostgreSQL's text refuses.
  if (type === 'text') return values.map((value) => (typeof value === 'string' && value.includes('\0') ? withoutNul(value) : value));
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // Whole numbers for bigint: files from before counts were rounded on the way in may hold fractions.
    const shown = value === null || value === undefined ? 'NULL' : type === 'bigint' ? String(Math.round(Number(value))) : String(value);
    literal += (i ? ',' : '') + shown;
  }
  return literal + '}';
}

function callOf(row: Record<string, unknown>): LlmCall {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const bool = (v: unknown) => (v === null || v === undefined ? null : Boolean(v));
  return {
    id: Number(row.id),
    ts: Number(row.ts),
    workflow: String(row.workflow),
    stage: String(row.stage),
    model: String(row.model),
    provider: row.provider == null ? null : String(row.provider),
    tier: row.tier == null ? null : (parseTier(String(row.tier)) ?? null),
    cost: num(row.cost),
    costEstimated: bool(row.cost_estimated),
    inputTokens: num(row.input_tokens),
    outputTokens: num(row.output_tokens),
    cacheReadTokens: num(row.cache_read_tokens),
    cacheWriteTokens: num(row.cache_write_tokens),
    cacheWrite1hTokens: num(row.cache_write_1h_tokens),
    durationMs: num(row.duration_ms),
    success: bool(row.success),
    error: row.error == null ? null : String(row.error),
    cacheHit: bool(row.cache_hit),
  };
}

/** Node's TLS errors for a certificate it does not trust or that names another host. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function explain(error: unknown, url: string): TeamSyncError {
  if (error instanceof TeamSyncError) return error;
  const e = error as { code?: string; message?: string };
  const where = hostOf(url);
  const message = e.message ?? String(error);
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', '57P01', '57P03'].includes(e.code ?? '') || /timeout|terminat/i.test(message))
    return new TeamSyncError(
      `Cannot reach the team database at ${where} (${e.code ?? message}): is it running and reachable? No local call is lost: what was not pushed yet waits in the file; sync again later.`,
      'unreachable',
    );
  if (e.code === '28P01' || /password authentication failed|password must be a string|SASL/i.test(message))
    return new TeamSyncError(
      `The team database at ${where} refused the password: set it again (Set Team Database Password..., or PGPASSWORD for the CLI).`,
      'authentication',
    );
  // node-postgres takes sslmode=require as verify-full: a server with its own CA fails the check.
  if (CERTIFICATE_CODES.has(e.code ?? '') || /self[- ]signed|unable to verify|altnames|certificate has expired/i.test(message))
    return new TeamSyncError(
      `The team database at ${where} offered a certificate this machine does not trust (${message}): give its CA with ?sslmode=verify-full&sslrootcert=/path/to/ca.pem, or, to encrypt without checking the server, ?uselibpqcompat=true&sslmode=require.`,
      'tls',
    );
  if (/does not support SSL/i.test(message))
    return new TeamSyncError(
      `The team database at ${where} does not offer TLS (${message}): remove sslmode from the URL, or turn ssl on in the server.`,
      'tls',
    );
  if (/SSL|TLS|certificate|no encryption/i.test(message))
    return new TeamSyncError(
      `The team database at ${where} needs TLS (${message}): add ?sslmode=verify-full&sslrootcert=/path/to/ca.pem (or ?sslmode=require with a certificate from a public CA) to the database URL.`,
      'tls',
    );
  if (/schema version/.test(message)) return new TeamSyncError(message, 'schema');
  if (e.code === '42501' && /schema|create/i.test(message))
    return new TeamSyncError(
      `The team database at ${where} has no tables yet (or older ones) and this role may not create them: run the first sync as their owner (see the README's team set-up).`,
      'schema',
    );
  return new TeamSyncError(
    `Sync with the team database at ${where} failed: ${message}. No local call is lost: what was not pushed yet waits in the file for the next round.`,
    'failed',
  );
}

/**
 * node-postgres reads sslmode prefer, require and verify-ca as verify-full, and says so in a
 * multi-line SECURITY WARNING on stderr (in the middle of a command's output). The URL gets the mode
 * it is read as, so the behaviour is the same and the warning is not printed; an untrusted
 * certificate is explained by the sync's own error. `uselibpqcompat` keeps libpq's meanings.
 */
export function withExplicitSslMode(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // not a URL node-postgres could read either: its own error says so
  }
  const mode = parsed.searchParams.get('sslmode');
  if (!mode || !['prefer', 'require', 'verify-ca'].includes(mode) || parsed.searchParams.get('uselibpqcompat') === 'true') return url;
  parsed.searchParams.set('sslmode', 'verify-full');
  return parsed.toString();
}
