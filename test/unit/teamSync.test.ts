import { strict as assert } from 'assert';
import { Client } from 'pg';
import { AdaptiveModelRouter, TelemetryStore, openTelemetryStore } from '../../src/core';
import { migrateTeamSchema } from '../../src/core/team/teamSchema';
import { syncRound, TeamSyncError, withExplicitSslMode } from '../../src/core/team/teamSync';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PgCluster, startPgCluster } from '../pgCluster';
import { fixedClock, runCli, series, tempDir } from './helpers';
import { waitFor } from '../poll';

describe('team sync through a real PostgreSQL', function () {
  this.timeout(60_000);
  const clock = fixedClock();
  let pg: PgCluster;
  let stores: TelemetryStore[] = [];
  let project = 0;
  const team = () => ({ url: pg.url, project: `p${project}` });
  const newStore = async () => {
    const store = await openTelemetryStore({ now: clock.now });
    stores.push(store);
    return store;
  };
  /** Per stage and model: calls, successes, cost (what routing reads), as one comparable text. */
  const aggregates = (store: TelemetryStore) =>
    store
      .workflows()
      .flatMap((w) =>
        store
          .stages(w)
          .flatMap((s) =>
            store.aggregateByModel({ workflow: w, stage: s }).map((a) => `${w}/${s}/${a.model}:${a.calls}/${a.successes}/${a.costSum.toFixed(6)}`),
          ),
      )
      .join('\n');

  before(async () => {
    pg = await startPgCluster();
  });
  after(() => pg?.destroy());
  beforeEach(() => {
    project++; // each test its own project in the shared database: no leftovers between tests
  });
  afterEach(() => {
    for (const s of stores) s.dispose();
    stores = [];
  });

  it("two machines learn each other's calls; another round moves nothing and counts nothing twice", async () => {
    const a = await newStore();
    const b = await newStore();
    a.trackLlmCalls(series(300, { end: clock.now(), workflow: 'review', stage: 'lint', cost: 0.01, fails: (i) => i % 5 === 0 }));
    b.trackLlmCalls(series(200, { end: clock.now(), workflow: 'review', stage: 'lint', model: 'claude-sonnet-5', tier: 'capable', cost: 0.03 }));
    const first = await syncRound(a, team());
    assert.deepEqual([first.sent, first.pushed, first.pulled], [300, 300, 0]);
    const second = await syncRound(b, team());
    assert.deepEqual([second.sent, second.pushed, second.pulled, second.writers], [200, 200, 300, 1]);
    const third = await syncRound(a, team());
    assert.deepEqual([third.sent, third.pulled], [0, 200]);
    assert.equal(a.callCount(), 500);
    assert.equal(b.callCount(), 500);
    assert.equal(aggregates(a), aggregates(b));
    for (const store of [a, b]) {
      const again = await syncRound(store, team());
      assert.deepEqual([again.sent, again.pushed, again.pulled, again.waiting], [0, 0, 0, 0], 'nothing new either way');
    }
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 500);
    // Calls pulled are not pushed back; a new local call is.
    a.trackLlmCall({ workflow: 'review', stage: 'lint', model: 'claude-haiku-4-5', success: true, ts: clock.now() });
    assert.deepEqual([(await syncRound(a, team())).pushed, (await syncRound(b, team())).pulled], [1, 1]);
  });

  it('names with quotes, backslashes, commas, braces, "NULL" and emoji travel unchanged through push and pull', async () => {
    const names = ['say "hi"', 'back\\slash\\', 'a,b {c}', 'NULL', 'émoji 🚀', ' spaced '];
    const a = await newStore();
    a.trackLlmCalls(
      names.map((name, i) => ({ ...series(1, { end: clock.now() })[0], workflow: name, stage: name, model: `m-${name}`, provider: i % 2 ? null : name })),
    );
    assert.equal((await syncRound(a, team())).pushed, names.length);
    const b = await newStore();
    assert.equal((await syncRound(b, team())).pulled, names.length);
    const seen = (s: TelemetryStore) => s.calls().map((c) => [c.id, c.workflow, c.stage, c.model, c.provider, c.cost, c.success, c.inputTokens]);
    assert.deepEqual(seen(b), seen(a));
    assert.deepEqual(b.workflows().sort(), [...names.map((n) => n.trim())].sort());
  });

  it('every field travels exactly (doubles, booleans, nulls, cache tokens); a fractional count or a NUL in an error from an older file arrives whole or replaced instead of failing the push', async () => {
    const a = await newStore();
    const [full, bare] = series(2, { end: clock.now(), workflow: 'fields', stage: 'exact' });
    a.trackLlmCalls([
      {
        ...full,
        cost: 0.1 + 0.2,
        costEstimated: true,
        success: false,
        error: 'timeout, "retried"',
        cacheHit: true,
        durationMs: 1234,
        tokens: { input: 900, output: 210, cacheRead: 4000, cacheWrite: 300, cacheWrite1h: 100 },
      },
      { ...bare, cost: undefined, success: undefined, tier: undefined, provider: undefined, durationMs: undefined, tokens: undefined },
    ]);
    // What a file written before counts were rounded (and NUL kept out) on the way in may hold.
    const session = (a as unknown as { session: { run(sql: string, params: unknown[]): void } }).session;
    session.run('UPDATE calls SET output_tokens = 2.5 WHERE output_tokens = 210', []);
    session.run("UPDATE calls SET error = 'nul' || char(0) || 'inside' WHERE error IS NOT NULL", []);
    assert.equal((await syncRound(a, team())).pushed, 2);
    const b = await newStore();
    assert.equal((await syncRound(b, team())).pulled, 2);
    const byId = (s: TelemetryStore) => s.calls().sort((x, y) => x.id - y.id);
    assert.equal(byId(a).find((c) => c.error)?.error, 'nul\0inside', 'the local file holds the NUL');
    assert.deepEqual(
      byId(b),
      byId(a).map((c) => (c.outputTokens === 2.5 ? { ...c, outputTokens: 3, error: 'nul\uFFFDinside' } : c)),
    );
    assert.equal(byId(b).find((c) => c.costEstimated)?.cost, 0.1 + 0.2, 'the same double, not 0.3');
  });

  it('a row the server refuses (a count past bigint in an older file) is kept aside with its reason; the rest of the batch and the pull go on', async () => {
    const a = await newStore();
    a.trackLlmCalls(series(50, { end: clock.now(), workflow: 'odd', stage: 'rows' }));
    // What an older file may hold: a count no bigint takes (validation refuses it now).
    const session = (a as unknown as { session: { run(sql: string, params: unknown[]): void } }).session;
    session.run('UPDATE calls SET input_tokens = 1e30 WHERE id = (SELECT min(id) FROM calls)', []);
    const other = await newStore();
    other.trackLlmCalls(series(3, { end: clock.now(), workflow: 'odd', stage: 'rows', model: 'claude-sonnet-5' }));
    await syncRound(other, team());
    const first = await syncRound(a, team());
    assert.deepEqual(
      [first.sent, first.pushed, first.refused, first.quarantined, first.waiting, first.pulled],
      [49, 49, 1, 1, 0, 3],
      'the rest pushed, the pull ran',
    );
    assert.match(first.reasons[0], /^odd \/ rows at \d{4}-\d\d-\d\dT[\d:.]+Z: invalid input syntax for type bigint: "1e\+30"$/);
    const again = await syncRound(a, team());
    assert.deepEqual([again.sent, again.refused, again.quarantined], [0, 0, 1], 'kept aside, not sent again every round; still reported');
    assert.equal(a.callCount(), 53, 'the refused call stays in the local file');
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 52);
  });

  it('pulled rows pass the checks a local call passes: a 300-character stage or a time before 2000 is counted and named, never stored', async () => {
    const a = await newStore();
    a.trackLlmCalls(series(2, { end: clock.now(), workflow: 'pulled', stage: 'ok' }));
    await syncRound(a, team());
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      const insert = `INSERT INTO amr_calls (project, writer, id, ts, workflow, stage, model) VALUES ($1, 'old-client', $2, $3, 'pulled', $4, 'claude-haiku-4-5')`;
      await client.query(insert, [team().project, 1, clock.now().getTime() - 1000, 'x'.repeat(300)]);
      await client.query(insert, [team().project, 2, -1, 'ok']);
      await client.query(insert, [team().project, 3, clock.now().getTime() - 2000, 'ok']);
    } finally {
      await client.end();
    }
    const b = await newStore();
    const round = await syncRound(b, team());
    assert.deepEqual([round.received, round.pulled, round.refusedPulled], [5, 3, 2]);
    assert.match(round.reasons.join('\n'), /pulled from old-client: Invalid LLM call: stage is longer than 200 characters/);
    assert.match(round.reasons.join('\n'), /pulled from old-client: Invalid LLM call: ts is before 2000-01-01/);
    assert.ok(b.calls().every((c) => c.stage.length <= 200 && c.ts > 0));
  });

  it('[bundle] five processes, each with its own file, write 20,000 calls each while syncing: every file ends with the same 100,000 calls', async function () {
    this.timeout(300_000);
    const dir = tempDir();
    const writer = path.resolve(__dirname, '..', 'fixtures', 'teamWriter.cjs');
    const files = [0, 1, 2, 3, 4].map((i) => path.join(dir, `machine-${i}.db`));
    await Promise.all(
      files.map(
        (file, i) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [writer, file, pg.url, team().project, '20000', '2000', `m${i}`], { stdio: ['ignore', 'pipe', 'pipe'] });
            let err = '';
            child.stderr.on('data', (d) => (err += d));
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`machine ${i} exited ${code}: ${err}`))));
          }),
      ),
    );
    // Each machine pushed all of its calls before it stopped; one more round brings down what the
    // others pushed after its last pull.
    const finals: TelemetryStore[] = [];
    for (const file of files) {
      const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
      stores.push(store);
      await syncRound(store, team());
      finals.push(store);
    }
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 100_000, 'nothing doubled on the server');
    const expected = aggregates(finals[0]);
    for (const store of finals) {
      assert.equal(store.callCount(), 100_000);
      assert.equal(aggregates(store), expected);
    }
  });

  it('a row whose transaction commits after a later one is still pulled (no sequence-number gap)', async () => {
    const reader = await newStore();
    await syncRound(reader, team()); // creates the schema and the reader's cursor
    const early = new Client({ connectionString: pg.url });
    const late = new Client({ connectionString: pg.url });
    await early.connect();
    await late.connect();
    const insert = (client: Client, id: number) =>
      client.query(
        `INSERT INTO amr_calls (project, writer, id, ts, workflow, stage, model, success) VALUES ($1, 'other', $2, $3, 'w', 's', 'claude-haiku-4-5', true)`,
        [team().project, id, clock.now().getTime() - id],
      );
    try {
      await early.query('BEGIN');
      await insert(early, 1); // takes its transaction id and sequence number first...
      await insert(late, 2); // ...this one commits first (autocommit)
      const seqs = pg.psql(`SELECT id || ':' || seq FROM amr_calls WHERE project = '${team().project}' ORDER BY seq`);
      const first = await syncRound(reader, team());
      assert.equal(first.pulled, 1, 'only the committed row is visible');
      await early.query('COMMIT');
      // A poller asking for "sequence numbers after the last one it saw" would never see row 1 now:
      const lastSeen = Number(pg.psql(`SELECT seq FROM amr_calls WHERE project = '${team().project}' AND id = 2`));
      const earlySeq = Number(pg.psql(`SELECT seq FROM amr_calls WHERE project = '${team().project}' AND id = 1`));
      assert.ok(earlySeq < lastSeen, `row 1 has the lower sequence number (${seqs.trim()})`);
      const second = await syncRound(reader, team());
      assert.equal(second.pulled, 1, 'the late-committed row comes down in the next round');
      assert.equal(reader.callCount(), 2);
      assert.equal((await syncRound(reader, team())).pulled, 0);
    } finally {
      await early.end();
      await late.end();
    }
  });

  it('with the database down: one clear message, the local file untouched, routing from it; the next round catches up', async () => {
    const store = await newStore();
    store.trackLlmCalls(series(50, { end: clock.now(), workflow: 'review', stage: 'lint' }));
    await syncRound(store, team());
    store.trackLlmCalls(series(20, { end: clock.now(), workflow: 'review', stage: 'draft' }));
    pg.stop('immediate');
    try {
      const error = await syncRound(store, team()).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TeamSyncError && error.kind === 'unreachable', String(error));
      assert.match(error.message, new RegExp(`^Cannot reach the team database at 127\\.0\\.0\\.1:${pg.port}/postgres .*No local call is lost`));
      assert.doesNotMatch(error.message, /\n|at .*\.ts:/, 'one sentence, no stack');
      assert.equal(store.callCount(), 70);
      assert.equal(store.teamOutbox().size, 20, 'the new calls still wait');
      const decision = new AdaptiveModelRouter(store).route({ workflow: 'review', stage: 'lint' });
      assert.ok(decision.model);
    } finally {
      pg.start();
    }
    const report = await syncRound(store, team());
    assert.deepEqual([report.pushed, report.waiting], [20, 0]);
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 70);
  });

  it('migrates a database of an older schema version, keeping its calls', async () => {
    pg.psql('DROP TABLE IF EXISTS amr_calls CASCADE; DROP TABLE IF EXISTS amr_schema;');
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      assert.equal(await migrateTeamSchema(client, 1), 0);
      await client.query(
        `INSERT INTO amr_calls (project, writer, id, ts, workflow, stage, model, success) VALUES ($1, 'old', 7, $2, 'w', 's', 'claude-haiku-4-5', false)`,
        [team().project, clock.now().getTime()],
      );
    } finally {
      await client.end();
    }
    assert.equal(pg.psql("SELECT to_regclass('amr_stage_days') IS NULL").trim(), 't', 'version 1 has no aggregate view');
    const store = await newStore();
    assert.equal((await syncRound(store, team())).pulled, 1);
    assert.equal(pg.psql('SELECT max(version) FROM amr_schema').trim(), '2');
    assert.equal(
      pg.psql(`SELECT calls || '/' || successes FROM amr_stage_days WHERE project = '${team().project}'`).trim(),
      '1/0',
      'version 2 adds the per-day aggregates, over the calls kept',
    );
    assert.equal(store.calls()[0].success, false);
  });

  it("a role that may only SELECT and INSERT (the README's GRANTs) syncs once the tables exist", async () => {
    const owner = await newStore();
    await syncRound(owner, team()); // the owner's first round creates the tables
    pg.psql(
      ['DROP OWNED BY amr_reader_writer', 'DROP ROLE IF EXISTS amr_reader_writer']
        .map((q) => `DO $$ BEGIN EXECUTE '${q.replace(/'/g, "''")}'; EXCEPTION WHEN OTHERS THEN NULL; END $$;`)
        .join(' '),
    );
    pg.psql(
      'CREATE ROLE amr_reader_writer LOGIN; GRANT USAGE ON SCHEMA public TO amr_reader_writer; GRANT SELECT, INSERT ON amr_calls, amr_schema TO amr_reader_writer; REVOKE CREATE ON SCHEMA public FROM PUBLIC;',
    );
    const store = await newStore();
    store.trackLlmCalls(series(5, { end: clock.now(), workflow: 'limited', stage: 'role' }));
    const report = await syncRound(store, { url: pg.url.replace('postgres@', 'amr_reader_writer@'), project: team().project });
    assert.equal(report.pushed, 5);
  });

  it('a wrong password gives one clear message naming what to do', async () => {
    pg.psql(
      "DROP ROLE IF EXISTS amr_writer; CREATE ROLE amr_writer LOGIN PASSWORD 'right-one'; GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO amr_writer;",
    );
    pg.allow('local all postgres trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
    try {
      const store = await newStore();
      const url = pg.url.replace('postgres@', 'amr_writer@');
      const error = await syncRound(store, { url, project: team().project, password: 'wrong-one' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TeamSyncError && error.kind === 'authentication', String(error));
      assert.match(error.message, /refused the password: set it again/);
      assert.doesNotMatch(error.message, /wrong-one|right-one/, 'never the password');
    } finally {
      pg.allow('local all all trust\nhost all all 127.0.0.1/32 trust\n');
    }
  });

  it('CLI: sync pushes then pulls and says how many; an unreachable database exits 6 and leaves the file byte for byte', async () => {
    const dir = tempDir();
    const cli = (...args: string[]) => runCli(args, dir);
    const other = await newStore();
    other.trackLlmCalls(series(30, { end: clock.now(), workflow: 'review', stage: 'lint' }));
    await syncRound(other, team());
    const file = path.join(dir, 'telemetry.db');
    const seed = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    seed.trackLlmCalls(series(12, { end: new Date(), workflow: 'review', stage: 'draft' }));
    await seed.close();
    const first = await cli('sync', '--database', pg.url, '--project', team().project, '--db', file);
    assert.equal(first.code, 0, first.err);
    assert.equal(
      first.out.trim(),
      `Synced with 127.0.0.1:${pg.port}/postgres (project ${team().project}): pushed 12 new calls, pulled 30 from 1 other machine`,
    );
    const json = await cli('sync', '--database', pg.url, '--project', team().project, '--db', file, '--json');
    assert.deepEqual(JSON.parse(json.out), {
      project: team().project,
      database: `127.0.0.1:${pg.port}/postgres`,
      sent: 0,
      pushed: 0,
      received: 0,
      pulled: 0,
      writers: 0,
      refused: 0,
      refusedPulled: 0,
      quarantined: 0,
      reasons: [],
      waiting: 0,
    });
    const bytes = fs.readFileSync(file);
    const down = await cli('sync', '--database', `postgres://postgres@127.0.0.1:1/postgres`, '--db', file);
    assert.equal(down.code, 6);
    assert.match(down.err, /^adaptive-routing: Cannot reach the team database at 127\.0\.0\.1:1\/postgres \(ECONNREFUSED\)/);
    assert.ok(fs.readFileSync(file).equals(bytes), 'the local file is unchanged');
    const secret = await cli('sync', '--database', 'postgres://u:hunter2@127.0.0.1/db', '--db', file);
    assert.deepEqual([secret.code, /PGPASSWORD/.test(secret.err), /hunter2/.test(secret.err)], [1, true, false]);
  });

  it('the server stopped in the middle of a push: the next round sends the rest, nothing lost or doubled', async () => {
    const store = await newStore();
    store.trackLlmCalls(series(23_000, { end: clock.now(), workflow: 'bulk', stage: 'load' }));
    let stoppedAfter = 0;
    let confirmed = 0; // the other batch in flight may still be confirmed after the stop
    const error = await syncRound(store, team(), {
      onPushed: (sent) => {
        confirmed = sent;
        if (stoppedAfter) return;
        stoppedAfter = sent;
        pg.stop('immediate'); // a crash right after the first batch committed
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    pg.start();
    assert.ok(error instanceof TeamSyncError && error.kind === 'unreachable', String(error));
    assert.ok(stoppedAfter > 0 && stoppedAfter < 23_000, `stopped after ${stoppedAfter} of 23,000`);
    // What the server kept: the confirmed batch, and maybe one more that committed as it went down
    // (two batches are in flight) whose confirmation never arrived.
    const kept = Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`));
    assert.ok(kept >= confirmed && kept < 23_000, `kept ${kept} after confirming ${confirmed}`);
    assert.equal(store.teamOutbox().size, 23_000 - confirmed, 'everything unconfirmed still waits');
    const report = await syncRound(store, team());
    assert.deepEqual([report.sent, report.pushed, report.waiting], [23_000 - confirmed, 23_000 - kept, 0], 'sent again, stored once');
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 23_000);
  });

  it('TLS: a server that requires it says to add sslmode; an untrusted certificate says how to trust it; with its CA (or libpq-style require) the round runs', async () => {
    const certificate = pg.enableTls();
    pg.allow('local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
    const ca = path.join(tempDir(), 'ca.pem');
    fs.writeFileSync(ca, certificate);
    const failure = async (url: string) => {
      const error = await syncRound(await newStore(), { ...team(), url }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TeamSyncError && error.kind === 'tls', String(error));
      return error.message;
    };
    const withQuery = (query: string) => `${pg.url}${pg.url.includes('?') ? '&' : '?'}${query}`;
    try {
      assert.match(await failure(pg.url), /needs TLS .*add \?sslmode=verify-full&sslrootcert=/);
      // node-postgres takes sslmode=require as verify-full: a self-signed server is not trusted.
      assert.match(
        await failure(withQuery('sslmode=require')),
        /a certificate this machine does not trust .*sslrootcert=.*uselibpqcompat=true&sslmode=require/,
      );
      for (const [i, query] of [`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`, 'uselibpqcompat=true&sslmode=require'].entries()) {
        const store = await newStore();
        store.trackLlmCalls(series(3, { end: store.now(), workflow: 'tls', stage: `over-tls-${i}` }));
        const report = await syncRound(store, { ...team(), url: withQuery(query) });
        assert.equal(report.pushed, 3, `pushed over TLS with ${query}`);
      }
    } finally {
      pg.allow('local all all trust\nhost all all 127.0.0.1/32 trust\n');
    }
  });

  it('[bundle] CLI sync --watch runs a round every interval and ends cleanly on SIGINT, its calls saved', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'runner.db');
    const seed = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    seed.trackLlmCalls(series(3, { end: new Date(), workflow: 'ci', stage: 'watch' }));
    await seed.close();
    const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
    const child = spawn(process.execPath, [cli, 'sync', '--database', pg.url, '--project', team().project, '--db', file, '--watch', '--interval', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('two rounds', () => (out.match(/^Synced with /gm)?.length ?? 0) >= 2, 20_000);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, 'interrupted is a clean end');
    assert.match(out, /pushed 3 new calls/);
    assert.equal(Number(pg.psql(`SELECT count(*) FROM amr_calls WHERE project = '${team().project}'`)), 3);
  });
});

describe('the team database URL node-postgres gets', () => {
  it('sslmode prefer, require and verify-ca become the verify-full node-postgres reads them as (no SECURITY WARNING on stderr); libpq compatibility and other URLs are left alone', () => {
    assert.equal(withExplicitSslMode('postgres://me@db.example:5432/team?sslmode=require'), 'postgres://me@db.example:5432/team?sslmode=verify-full');
    assert.equal(
      withExplicitSslMode('postgres://me@db/team?sslmode=verify-ca&sslrootcert=%2Fca.pem'),
      'postgres://me@db/team?sslmode=verify-full&sslrootcert=%2Fca.pem',
    );
    for (const url of [
      'postgres://me@db/team',
      'postgres://me@db/team?sslmode=disable',
      'postgres://me@db/team?uselibpqcompat=true&sslmode=require',
      'not a url',
    ])
      assert.equal(withExplicitSslMode(url), url);
  });
});
