import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AdaptiveModelRouter, openTelemetryStore } from '../../src/core';
import { fixedClock, tempDir } from './helpers';

const DAY = 86_400_000;

describe('daily counters, retention and migration', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('amr-scale-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('windowed aggregates are exact at the window edge (whole days from counters, the first day from raw calls)', async () => {
    const clock = fixedClock('2026-11-20T15:00:00Z');
    const store = await openTelemetryStore({ now: clock.now });
    const now = clock.now().getTime();
    // One call every 3 hours for 10 days, failing every fourth.
    const calls = Array.from({ length: 80 }, (_, i) => ({
      workflow: 'w',
      stage: 's',
      model: 'm',
      cost: 0.01,
      durationMs: 100,
      success: i % 4 !== 0,
      ts: now - i * 3 * 3_600_000,
    }));
    store.trackLlmCalls(calls);
    const router = new AdaptiveModelRouter(store, { now: clock.now });
    for (const days of [1, 2.5, 7, 30]) {
      const since = now - days * DAY;
      const inWindow = calls.filter((c) => c.ts >= since);
      const stats = router.getRoutingStats('w', { days });
      assert.equal(stats.totalCalls, inWindow.length, `calls in ${days} days`);
      assert.equal(stats.performanceByModel.m.successRate, inWindow.filter((c) => c.success).length / inWindow.length);
    }
    await store.close();
  });

  it('retention deletes raw calls past it, keeps their daily totals for long ranges, and compacts the file', async () => {
    const clock = fixedClock('2026-11-20T12:00:00Z');
    const file = path.join(dir, 'telemetry.db');
    const now = clock.now().getTime();
    const store = await openTelemetryStore({ path: file, now: clock.now, autoSaveMs: 0, retentionDays: 0 });
    store.trackLlmCalls(
      Array.from({ length: 3000 }, (_, i) => ({
        workflow: 'w',
        stage: 's',
        model: 'm',
        success: true,
        error: 'x'.repeat(50),
        ts: now - (i % 120) * DAY - 1000,
      })),
    );
    await store.close();
    const before = fs.statSync(file).size;

    const kept = await openTelemetryStore({ path: file, now: clock.now, autoSaveMs: 0, retentionDays: 30 });
    assert.equal(kept.calls().length, 3000, 'opening does not delete (it stays quick)');
    kept.trackLlmCall({ workflow: 'w', stage: 's', model: 'm', success: true, ts: now - 1000 });
    await kept.flush();
    assert.equal(kept.calls().length, 751, 'the save kept 30 of the 120 days of raw calls, and the new one');
    const router = new AdaptiveModelRouter(kept, { now: clock.now });
    assert.equal(router.getRoutingStats('w', { days: 365 }).totalCalls, 3001, 'long ranges still count rolled-up calls');
    await kept.close();
    assert.ok(fs.statSync(file).size < before * 0.6, `compacted: ${before} -> ${fs.statSync(file).size} bytes`);
  });

  it('migrates a version 1 file forward, keeping every call', async () => {
    const file = path.join(dir, 'v1.db');
    const v1 = `
      CREATE TABLE router_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE stages (id INTEGER PRIMARY KEY, workflow TEXT NOT NULL, stage TEXT NOT NULL, UNIQUE (workflow, stage));
      CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, provider TEXT);
      CREATE TABLE calls (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, stage_id INTEGER NOT NULL, model_id INTEGER NOT NULL, tier INTEGER, cost REAL,
        input_tokens INTEGER, output_tokens INTEGER, duration_ms INTEGER, success INTEGER, error TEXT, cache_hit INTEGER);
      CREATE INDEX calls_by_stage_time ON calls (stage_id, ts);
      CREATE TABLE import_progress (source TEXT PRIMARY KEY, offset INTEGER NOT NULL, fingerprint TEXT NOT NULL);
      CREATE VIEW calls_readable AS SELECT c.id FROM calls c;
      INSERT INTO router_meta VALUES ('app', 'adaptive-model-router');
      INSERT INTO stages VALUES (1, 'code-review', 'analysis');
      INSERT INTO models VALUES (1, 'claude-haiku-4-5', 'anthropic');
      INSERT INTO calls VALUES (11, 1763600000000, 1, 1, 0, 0.002, 100, 20, 900, 1, NULL, 0);
      INSERT INTO calls VALUES (12, 1763600060000, 1, 1, 0, 0.002, 100, 20, 950, 0, 'timeout', 0);
      PRAGMA user_version = 1;`;
    assert.equal(spawnSync('sqlite3', [file, v1]).status, 0);
    const store = await openTelemetryStore({ path: file, now: () => new Date(1763600100000), autoSaveMs: 0 });
    assert.equal(store.callCount(), 2);
    assert.deepEqual(
      store.aggregateByModel({ workflow: 'code-review', stage: 'analysis' }).map((a) => [a.calls, a.successes]),
      [[2, 1]],
    );
    await store.close();
    const check = spawnSync('sqlite3', [file, 'PRAGMA user_version; SELECT count(*) FROM calls_readable; SELECT calls FROM daily;'], { encoding: 'utf8' });
    assert.equal(check.stdout.trim(), '5\n2\n2');
  });

  it('migrates a version 3 file to 4: cache-token columns, and the tokens of calls without a billed cost counted per day', async () => {
    const file = path.join(dir, 'v3.db');
    const writer = await openTelemetryStore({ path: file, now: () => new Date(1763600100000), autoSaveMs: 0 });
    writer.trackLlmCalls([
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', cost: 0.002, tokens: { input: 100, output: 20 }, ts: 1763600000000 },
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', tokens: { input: 300, output: 50 }, ts: 1763600001000 },
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', ts: 1763600002000 },
      // On a day whose raw calls retention deleted, no billed cost: all its tokens count as unpriced.
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', tokens: { input: 70, output: 7 }, ts: 1763600000000 - 5 * 86_400_000 },
      // Another such day with billed costs: their spread is taken as the least it can be (all at the mean).
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', cost: 0.01, tokens: { input: 5 }, ts: 1763600000000 - 6 * 86_400_000 },
      { workflow: 'w', stage: 's', model: 'claude-haiku-4-5', cost: 0.03, ts: 1763600000000 - 6 * 86_400_000 + 1 },
    ]);
    await writer.close();
    // Take the file back to version 3 as that version wrote it.
    const v3 = `
      DELETE FROM calls WHERE ts < 1763600000000 - 86400000;
      DROP VIEW calls_readable;
      CREATE VIEW calls_readable AS SELECT c.id FROM calls c;
      ALTER TABLE calls DROP COLUMN cache_read_tokens; ALTER TABLE calls DROP COLUMN cache_write_tokens; ALTER TABLE calls DROP COLUMN cache_write_1h_tokens;
      ALTER TABLE daily DROP COLUMN unpriced_calls; ALTER TABLE daily DROP COLUMN unpriced_input_tokens; ALTER TABLE daily DROP COLUMN unpriced_output_tokens;
      ALTER TABLE daily DROP COLUMN unpriced_cache_read_tokens; ALTER TABLE daily DROP COLUMN unpriced_cache_write_tokens; ALTER TABLE daily DROP COLUMN unpriced_cache_write_1h_tokens;
      ALTER TABLE daily DROP COLUMN cost_sq_sum; ALTER TABLE daily DROP COLUMN source_estimated_sum; ALTER TABLE daily DROP COLUMN source_estimated_calls;
      ALTER TABLE calls DROP COLUMN cost_estimated; ALTER TABLE calls DROP COLUMN model_version;
      PRAGMA user_version = 3;`;
    const downgrade = spawnSync('sqlite3', [file, v3], { encoding: 'utf8' });
    assert.equal(downgrade.status, 0, downgrade.stderr);
    const store = await openTelemetryStore({ path: file, now: () => new Date(1763600100000), autoSaveMs: 0 });
    assert.equal(store.callCount(), 3);
    const [all] = store.aggregateByModel({ workflow: 'w', since: 0 });
    assert.deepEqual(
      [all.calls, all.costKnown, all.unpricedCalls, all.unpricedInputTokens, all.unpricedOutputTokens, all.unpricedCacheReadTokens],
      [6, 3, 2, 370, 57, 0],
      'the call without tokens is of unknown cost; the deleted days count from their daily totals',
    );
    assert.ok(Math.abs(all.costSqSum - (0.002 ** 2 + 0.04 ** 2 / 2)) < 1e-15, String(all.costSqSum));
    store.trackLlmCall({
      workflow: 'w',
      stage: 's',
      model: 'claude-haiku-4-5',
      tokens: { input: 1, cacheRead: 900, cacheWrite: 100, cacheWrite1h: 40 },
      ts: 1763600003000,
    });
    await store.close();
    const check = spawnSync(
      'sqlite3',
      [
        file,
        'PRAGMA user_version; SELECT count(*) FROM calls_readable; SELECT cache_read_tokens, cache_write_tokens, cache_write_1h_tokens FROM calls_readable WHERE cache_read_tokens IS NOT NULL;',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(check.stdout.trim(), '5\n4\n900|100|40');
  });
});
