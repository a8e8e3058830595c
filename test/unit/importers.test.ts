import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { importJsonlFile, importJsonlFiles, openTelemetryStore, parseNaiveLocalTime } from '../../src/core';
import { tempDir } from './helpers';

/** Lines as the upstream UsageTracker writes them (usage.jsonl). */
function usageLine(seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    ts: `2026-11-20T10:${String(seq % 60).padStart(2, '0')}:00Z`,
    workflow: 'code-review',
    stage: 'analysis',
    tier: 'CHEAP',
    model: 'claude-haiku-4-5',
    provider: 'anthropic',
    cost: 0.0012,
    tokens: { input: 800, output: 120 },
    cache: { hit: seq % 3 === 0, type: seq % 3 === 0 ? 'hash' : undefined },
    duration_ms: 900 + seq,
    user_id: 'u-1',
    seq,
    ...extra,
  });
}

/** Lines as the upstream TelemetryStore writes them (.attune/llm_calls.jsonl). */
function llmCallsLine(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    call_id: id,
    timestamp: '2026-11-20T09:15:30.123456',
    workflow_name: 'test-generation',
    step_name: 'generate',
    provider: 'anthropic',
    tier: 'capable',
    model_id: 'claude-sonnet-5',
    input_tokens: 3000,
    output_tokens: 1200,
    estimated_cost: 0.027,
    actual_cost: 0.0265,
    latency_ms: 5100,
    success: false,
    error_type: 'timeout',
    error_message: 'took too long',
    fallback_used: false,
    ...extra,
  });
}

describe('importers', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports usage.jsonl: tiers, tokens, cache, duration; success unknown', async () => {
    const file = path.join(dir, 'usage.jsonl');
    fs.writeFileSync(file, [usageLine(1), usageLine(2)].join('\n') + '\n');
    const store = await openTelemetryStore();
    const report = await importJsonlFile(store, file);
    assert.equal(report.imported, 2);
    assert.deepEqual(report.formats, { usage: 2 });
    const [call] = store.calls();
    assert.equal(call.workflow, 'code-review');
    assert.equal(call.tier, 'cheap');
    assert.equal(call.inputTokens, 800);
    assert.equal(call.durationMs, 901);
    assert.equal(call.success, null);
    assert.equal(call.cacheHit, false);
    assert.equal(new Date(call.ts).toISOString(), '2026-11-20T10:01:00.000Z');
    await store.close();
  });

  it('imports llm_calls.jsonl: naive local time, actual cost, success and error text', async () => {
    const file = path.join(dir, 'llm_calls.jsonl');
    fs.writeFileSync(file, llmCallsLine('a') + '\n' + llmCallsLine('b', { actual_cost: null, success: true, error_type: null, error_message: null }) + '\n');
    const store = await openTelemetryStore();
    const report = await importJsonlFile(store, file);
    assert.equal(report.imported, 2);
    const calls = store.calls();
    const failed = calls.find((c) => c.success === false)!;
    assert.equal(failed.cost, 0.0265);
    assert.equal(failed.error, 'timeout: took too long');
    assert.equal(failed.stage, 'generate');
    assert.equal(failed.ts, new Date(2026, 10, 20, 9, 15, 30, 123).getTime(), 'naive timestamps are local time');
    assert.equal(calls.find((c) => c.success === true)!.cost, 0.027, 'estimated cost when no actual cost');
    await store.close();
  });

  it('skips and counts bad lines, keeps the good ones, and reports why', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const lines = [
      usageLine(1),
      '{not json',
      '[1,2]',
      JSON.stringify({ hello: 'world' }),
      usageLine(2, { cost: -3 }),
      llmCallsLine('x', { model_id: '' }),
      llmCallsLine('ok'),
      '',
    ];
    fs.writeFileSync(file, lines.join('\n'));
    const store = await openTelemetryStore();
    const report = await importJsonlFile(store, file);
    assert.equal(report.linesRead, 7);
    assert.equal(report.imported, 2);
    assert.equal(report.skipped, 5);
    assert.deepEqual(
      report.problems.map((p) => p.line),
      [2, 3, 4, 5, 6],
    );
    assert.match(report.problems[0].message, /not valid JSON/);
    assert.match(report.problems[3].message, /cost/);
    assert.match(report.problems[4].message, /model/);
    await store.close();
  });

  it('re-importing adds nothing, and an appended file is read on from where it stopped', async () => {
    const file = path.join(dir, 'llm_calls.jsonl');
    fs.writeFileSync(file, llmCallsLine('1') + '\n' + llmCallsLine('2') + '\n');
    const store = await openTelemetryStore();
    assert.equal((await importJsonlFile(store, file)).imported, 2);
    const again = await importJsonlFile(store, file);
    assert.equal(again.imported, 0);
    assert.equal(again.linesRead, 0, 'nothing new was read');
    fs.appendFileSync(file, llmCallsLine('3') + '\n' + llmCallsLine('4-partial').slice(0, 20));
    const appended = await importJsonlFile(store, file);
    assert.equal(appended.imported, 1, 'the unfinished last line waits');
    assert.equal(appended.fromOffset, again.toOffset);
    fs.writeFileSync(file, llmCallsLine('1') + '\n');
    const replaced = await importJsonlFile(store, file);
    assert.equal(replaced.fromOffset, 0, 'a replaced file is read from the start');
    assert.equal(replaced.duplicates, 1);
    assert.equal(store.callCount(), 3);
    await store.close();
  });

  it('imports the rotated siblings of usage.jsonl, oldest first, and re-imports nothing', async () => {
    const folder = path.join(dir, 'telemetry');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'usage.2026-11-18.jsonl'), usageLine(1) + '\n');
    fs.writeFileSync(path.join(folder, 'usage.2026-11-19.1.jsonl'), usageLine(2) + '\n');
    fs.writeFileSync(path.join(folder, 'usage.jsonl'), usageLine(3) + '\n');
    fs.writeFileSync(path.join(folder, 'other.jsonl'), usageLine(4) + '\n');
    const store = await openTelemetryStore();
    const reports = await importJsonlFiles(store, [path.join(folder, 'usage.jsonl')]);
    assert.deepEqual(
      reports.map((r) => path.basename(r.source)),
      ['usage.2026-11-18.jsonl', 'usage.2026-11-19.1.jsonl', 'usage.jsonl'],
    );
    assert.equal(store.callCount(), 3);
    const second = await importJsonlFiles(store, [path.join(folder, 'usage.jsonl')]);
    assert.equal(
      second.reduce((n, r) => n + r.imported, 0),
      0,
    );
    await store.close();
  });

  it('parity: keeps calls whose tier is not one of ours (no tier), and honours a success key on usage lines', async () => {
    const file = path.join(dir, 'usage.jsonl');
    fs.writeFileSync(
      file,
      [usageLine(1, { tier: 'ULTRA' }), usageLine(2, { tier: 'NONE', success: false }), llmCallsLine('u', { tier: 'UNKNOWN' })].join('\n') + '\n',
    );
    const store = await openTelemetryStore();
    const report = await importJsonlFile(store, file);
    assert.equal(report.imported, 3, JSON.stringify(report.problems));
    const calls = store.calls();
    assert.deepEqual(
      calls.map((c) => c.tier),
      [null, null, null],
    );
    assert.equal(calls.find((c) => c.workflow === 'code-review' && c.success === false)?.workflow, 'code-review', "the usage line's success: false is kept");
    await store.close();
  });

  it('bookmarks survive a save and reopen', async () => {
    const file = path.join(dir, 'llm_calls.jsonl');
    const db = path.join(dir, 'telemetry.db');
    fs.writeFileSync(file, llmCallsLine('1') + '\n');
    const now = () => new Date('2026-11-21T00:00:00Z');
    const first = await openTelemetryStore({ path: db, autoSaveMs: 0, now });
    await importJsonlFile(first, file);
    await first.close();
    const second = await openTelemetryStore({ path: db, autoSaveMs: 0, now });
    const report = await importJsonlFile(second, file);
    assert.equal(report.linesRead, 0);
    assert.equal(report.fromOffset, fs.statSync(file).size);
    second.dispose();
  });

  it('parses Python timestamps: naive local, with offset, with Z', () => {
    assert.equal(parseNaiveLocalTime('2026-01-27T10:00:00').getTime(), new Date(2026, 0, 27, 10).getTime());
    assert.equal(parseNaiveLocalTime('2026-01-27T10:00:00.5+02:00').toISOString(), '2026-01-27T08:00:00.500Z');
    assert.equal(parseNaiveLocalTime('2026-01-27T10:00:00Z').toISOString(), '2026-01-27T10:00:00.000Z');
    assert.throws(() => parseNaiveLocalTime('last tuesday'), /not an ISO date/);
  });
});
