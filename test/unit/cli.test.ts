import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openTelemetryStore } from '../../src/core';
import { runCli, sampleWorkspace, tempDir } from './helpers';

const run = runCli;

describe('adaptive-routing CLI', () => {
  let dir: string;
  before(async () => (dir = await sampleWorkspace()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('routing-check with neither --workflow nor --all exits 1 with usage', async () => {
    const r = await run(['routing-check'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /needs --workflow W or --all/);
    assert.match(r.err, /Usage: adaptive-routing/);
  });

  it('routing-check --all lists the failing stage and --fail-on-upgrade exits 2', async () => {
    const r = await run(['routing-check', '--all'], dir);
    assert.equal(r.code, 0);
    assert.match(r.out, /TIER RECOMMENDATIONS/);
    assert.match(r.out, /code-review \/ analysis CHEAP → CAPABLE: claude-sonnet/);
    assert.match(r.out, /cheap calls here: Confident: failure rate \d+\.\d%–\d+\.\d% \(90% interval\) over \d+ calls/);
    assert.match(
      r.out,
      /💰 Spend and savings\n-+\n {2}Spent: \$\d+\.\d+\n {2}Could save ~\$\d\.\d{4} \/ week \(\$\d\.\d{4}–\$\d\.\d{4}, 90% interval\):\n {4}• code-review \/ summary: could save ~\$[^\n]+\n {2}Reaching the target costs more on:\n {4}• code-review \/ analysis: \+\$/,
    );
    assert.equal((await run(['routing-check', '--all', '--fail-on-upgrade'], dir)).code, 2);
    assert.equal((await run(['routing-check', '--workflow', 'code-review', '--stage', 'summary', '--fail-on-upgrade'], dir)).code, 0);
  });

  it('routing-stats prints the seed layout and --json the API shape', async () => {
    const human = await run(['routing-stats', '--workflow', 'code-review'], dir);
    assert.equal(human.code, 0);
    assert.match(human.out, /ADAPTIVE ROUTING STATISTICS - code-review/);
    assert.match(human.out, /Average cost: \$\d\.\d{4}/);
    assert.match(human.out, /Success rate: \d+\.\d%/);
    assert.match(human.out, /\n {2}Spend: \$\d+\.\d{2,4}\n/, 'the demo data reports every cost: no estimate, nothing unknown');
    const json = JSON.parse((await run(['routing-stats', '--workflow', 'code-review', '--json', '--days', '30'], dir)).out);
    assert.equal(json.daysAnalyzed, 30);
    assert.ok(json.totalCalls > 300);
    assert.ok(json.performanceByModel['claude-haiku-4-5'].calls > 0);
    assert.equal(json.spend.reportedCalls, json.totalCalls);
    assert.ok(json.spend.reported > 0);
    assert.equal(json.performanceByModel['claude-haiku-4-5'].spend.reportedCalls, json.performanceByModel['claude-haiku-4-5'].calls);
  });

  it('routing-stats --by-day prints calls, success and spend per UTC day; --json the series the dashboard charts', async () => {
    const json = JSON.parse((await run(['routing-stats', '--workflow', 'code-review', '--by-day', '--json', '--days', '30'], dir)).out);
    assert.equal(json.days.length, 30);
    assert.equal(json.days[29], new Date().toISOString().slice(0, 10), 'today last');
    const total = JSON.parse((await run(['routing-stats', '--workflow', 'code-review', '--json', '--days', '30'], dir)).out).totalCalls;
    assert.equal(
      json.success.reduce((n: number, d: { calls: number }) => n + d.calls, 0),
      total,
      'the same calls as the statistics of the range',
    );
    assert.deepEqual(json.models.map((m: { model: string }) => m.model).sort(), ['claude-haiku-4-5', 'claude-sonnet-5']);
    const everything = JSON.parse((await run(['routing-stats', '--by-day', '--json', '--days', '30'], dir)).out);
    assert.equal(everything.workflow, null, 'without --workflow: every workflow');
    assert.ok(everything.success.reduce((n: number, d: { calls: number }) => n + d.calls, 0) > total);
    const human = await run(['routing-stats', '--workflow', 'code-review', '--stage', 'summary', '--by-day', '--days', '3'], dir);
    assert.equal(human.code, 0);
    assert.match(human.out, /^code-review \/ summary, per UTC day \(last 3 days\)\n\n\d{4}-\d\d-\d\d +\d+ calls +(\d+\.\d%|—) success +\$\d\.\d{4}\n/);
  });

  it('savings prints what each stage spent and what its recommended model would save or cost per week, or why not', async () => {
    const human = await run(['savings'], dir);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /ADAPTIVE ROUTING - SAVINGS \(Last 7 days\)\n\nSpent: \$\d+\.\d{2}\n/);
    // The sample's analysis stage fails too often on haiku: reaching 80% on sonnet costs more.
    assert.match(
      human.out,
      /Pricier models needed to reach the target:\n {2}• code-review \/ analysis: \+\$\d\.\d{4} \/ week \(\$\d\.\d{4}–\$\d\.\d{4}\) to reach 80% on claude-sonnet-5; per success \$\d\.\d{4} now, \$\d\.\d{4} on claude-sonnet-5\n/,
    );
    // Its summary stage ran partly on sonnet this week, and haiku does as well there: a saving.
    assert.match(
      human.out,
      /Could save ~\$\d\.\d{4} \/ week \(\$\d\.\d{4}–\$\d\.\d{4}, 90% interval\) on 1 stage\n\nCheaper models that meet the target:\n {2}• code-review \/ summary: could save ~\$\d\.\d{4} \/ week \(\$\d\.\d{4}–\$\d\.\d{4}\) on claude-haiku-4-5; per success \$\d\.\d{4} now, \$\d\.\d{4} on claude-haiku-4-5\n/,
    );
    assert.match(human.out, /No estimate:\n(.*\n)*.*refactor-plan \/ checklist: claude-haiku-4-5 needs \d+\+ calls here/);
    const json = JSON.parse((await run(['savings', '--json', '--workflow', 'code-review'], dir)).out);
    assert.equal(json.days, 7);
    assert.ok(json.stages.length >= 3 && json.stages.every((s: { workflow: string }) => s.workflow === 'code-review'));
    const analysis = json.stages.find((s: { stage: string }) => s.stage === 'analysis');
    assert.equal(analysis.estimate.direction, 'spend');
    assert.ok(analysis.estimate.low <= analysis.estimate.perWeek && analysis.estimate.perWeek <= analysis.estimate.high);
    assert.ok(json.spend.reportedCalls > 0);
    assert.equal((await run(['savings', '--workflow', 'nope'], dir)).code, 4, 'an unknown workflow is named, as elsewhere');
  });

  it('budget prints each budget with its spend, projection and state; --fail-over exits 5 once one is spent', async () => {
    const db = path.join(dir, 'budget.db');
    const manifest = path.join(dir, 'budgets.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({ budget: { daily: 1 }, workflows: { w: { stages: { s: { tier: 'cheap', budget: { daily: 0.25, onExceeded: 'block', hourly: 2 } } } } } }),
    );
    const call = (cost: number) => JSON.stringify({ workflow: 'w', stage: 's', model: 'claude-haiku-4-5', cost, success: true });
    assert.equal((await run(['track', '--db', db], dir, [call(0.1), call(0.1)].join('\n'))).code, 0);
    const under = await run(['budget', '--db', db, '--manifest', manifest, '--fail-over'], dir);
    assert.equal(under.code, 0, under.err);
    assert.match(
      under.out,
      /✓ workspace · daily: \$0\.20 of \$1\.00 today \(20%, on track; on exceeding: warn\)\n {4}no projection: 2 calls in the last 3 days and today: too few to project/,
    );
    assert.match(under.out, /✓ w \/ s · daily: \$0\.20 of \$0\.25 today \(80%, on track; on exceeding: block\)/);
    assert.match(under.err, /budgets\.json:1:\d+: Unknown budget key "hourly" \(use daily, weekly, monthly or onExceeded\) \(left out\)/);
    await run(['track', '--db', db], dir, call(0.1));
    const over = await run(['budget', '--db', db, '--manifest', manifest, '--fail-over', '--json'], dir);
    assert.equal(over.code, 5);
    const json = JSON.parse(over.out);
    assert.equal(json.exceeded, 1);
    assert.deepEqual(
      json.budgets.map((b: { scope: object; state: string; stateText: string; onExceeded: string; sentence: string }) => [
        b.scope,
        b.state,
        b.stateText,
        b.onExceeded,
        b.sentence,
      ]),
      [
        [{}, 'ok', 'on track', 'warn', 'The daily budget of workspace is on track: $0.30 of $1.00 today.'],
        [{ workflow: 'w', stage: 's' }, 'spent', 'spent', 'block', 'The daily budget of w / s is spent: $0.30 of $0.25 today.'],
      ],
    );
    assert.equal((await run(['budget', '--db', db, '--manifest', manifest], dir)).code, 0, 'without --fail-over, a report');
    const blocked = await run(['route', '--db', db, '--manifest', manifest, '--workflow', 'w', '--stage', 's', '--json'], dir);
    assert.equal(JSON.parse(blocked.out).blocked, true, 'route says a block budget is spent');
    const none = await run(['budget', '--db', db, '--manifest', path.join(dir, 'none.json')], dir);
    assert.equal(none.code, 1, 'a --manifest that is not there is a usage error');
  });

  it('best-model honours its constraints', async () => {
    const r = await run(['best-model', '--workflow', 'code-review', '--stage', 'summary', '--max-cost', '0.01', '--json'], dir);
    assert.equal(JSON.parse(r.out).model, 'claude-haiku-4-5');
    const bad = await run(['best-model', '--workflow', 'code-review', '--stage', 'summary', '--max-cost', 'lots'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--max-cost must be a number/);
  });

  it('track records JSON lines from stdin and reports bad ones', async () => {
    const db = path.join(dir, 'tracked.db');
    const lines = [
      JSON.stringify({ workflow: 'w', stage: 's', model: 'm', cost: 0.01, success: true }),
      'garbage',
      JSON.stringify({ workflow: 'w', model: 'm', cost: -1 }),
    ].join('\n');
    const r = await run(['track', '--db', db], dir, lines);
    assert.equal(r.code, 0);
    assert.match(r.out, /Tracked 1 call/);
    assert.match(r.err, /line 2: not valid JSON/);
    assert.match(r.err, /line 3: .*cost/);
    const store = await openTelemetryStore({ path: db });
    assert.equal(store.callCount(), 1);
    store.dispose();
  });

  it('import reports counts and re-importing adds nothing', async () => {
    const log = path.join(dir, 'llm_calls.jsonl');
    fs.writeFileSync(
      log,
      JSON.stringify({ call_id: 'x1', timestamp: '2026-11-20T09:00:00', workflow_name: 'w', step_name: 's', tier: 'cheap', model_id: 'm', success: true }) +
        '\n',
    );
    const db = path.join(dir, 'imported.db');
    assert.match((await run(['import', log, '--db', db], dir)).out, /1 imported, 0 already present, 0 bad/);
    assert.match((await run(['import', log, '--db', db], dir)).out, /0 imported/);
    const missing = await run(['import', 'nope.jsonl', '--db', db], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /file not found: .*nope\.jsonl/);
  });

  it('errors are one line, never a stack trace: missing db, corrupt db, unknown command', async () => {
    const none = await run(['routing-stats', '--workflow', 'w', '--db', 'missing.db'], dir);
    assert.equal(none.code, 1);
    assert.match(none.err, /no telemetry database at/);
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'x'.repeat(500));
    const corrupt = await run(['routing-check', '--all', '--db', junk], dir);
    assert.equal(corrupt.code, 3);
    assert.match(corrupt.err, /not a SQLite database/);
    assert.equal(corrupt.err.trim().split('\n').length, 1);
    assert.equal(fs.readFileSync(junk, 'utf8'), 'x'.repeat(500));
    assert.equal((await run(['frobnicate'], dir)).code, 1);
  });

  it('an unknown workflow or stage exits 4 with the known names, even under --fail-on-upgrade', async () => {
    const typo = await run(['routing-check', '--workflow', 'code-reveiw', '--fail-on-upgrade'], dir);
    assert.equal(typo.code, 4);
    assert.match(typo.err, /unknown workflow "code-reveiw" \(did you mean "code-review"\?\); known workflows: code-review, /);
    assert.doesNotMatch(typo.out, /performing well|keep/);
    const stage = await run(['routing-stats', '--workflow', 'code-review', '--stage', 'analysys'], dir);
    assert.equal(stage.code, 4);
    assert.match(stage.err, /no stage "analysys" \(did you mean "analysis"\?\)/);
  });

  it('a period without calls says so and names it; --days 0 is all time', async () => {
    const empty = await run(['routing-check', '--workflow', 'code-review', '--days', '0.001'], dir);
    assert.equal(empty.code, 0);
    assert.match(empty.out, /No calls in the period \(last 1 minute\): nothing to check/);
    assert.doesNotMatch(empty.out, /0 stage/);
    const all = await run(['routing-stats', '--workflow', 'code-review', '--days', '0'], dir);
    assert.match(all.out, /Overview \(All time\)/);
  });

  it('track refuses unknown fields with the known one suggested, future times and non-finite numbers', async () => {
    const db = path.join(tempDir(), 't.db');
    const lines = [
      '{"workflow":"w","model":"m","timestamp":"2026-01-01T00:00:00Z","sucess":true}',
      '{"workflow":"w","model":"m","cost":1e309}',
      `{"workflow":"w","model":"m","ts":"${new Date(Date.now() + 3_600_000).toISOString()}"}`,
      '{"workflow":"w","model":"m","tokens":{"inptu":3}}',
    ];
    const r = await run(['track', '--db', db], dir, lines.join('\n'));
    assert.equal(r.code, 1, 'no line stored');
    assert.match(r.out, /Tracked 0 calls into .*; skipped 4 bad lines/);
    assert.match(r.err, /line 1: unknown fields "timestamp" \(did you mean "ts"\?\), "sucess" \(did you mean "success"\?\)/);
    assert.match(r.err, /line 2: .*cost is not a finite number \(Infinity\)/);
    assert.match(r.err, /line 3: .*ts is in the future/);
    assert.match(r.err, /line 4: unknown field "tokens.inptu" \(did you mean "tokens.input"\?\)/);
    const one = await run(['track', '--db', db], dir, '{"workflow":"w","model":"m","success":true}');
    assert.equal(one.code, 0);
    assert.match(one.out, /Tracked 1 call into/);
  });

  it('import follows track: a file of bad lines only exits 1', async () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'bad.jsonl'), 'not json\n{"workflow":"w"}\n');
    const r = await run(['import', 'bad.jsonl', '--db', path.join(folder, 't.db')], folder);
    assert.equal(r.code, 1);
    assert.match(r.out, /0 imported, 0 already present, 2 bad lines skipped/);
  });

  it('parity: import of usage.jsonl just after the tracker rotated it imports the rotated siblings', async () => {
    const folder = tempDir();
    const line = JSON.stringify({
      v: 1,
      ts: '2026-11-20T10:00:00Z',
      workflow: 'w',
      stage: 's',
      tier: 'CHEAP',
      model: 'claude-haiku-4-5',
      user_id: 'u',
      seq: 1,
      duration_ms: 5,
    });
    fs.writeFileSync(path.join(folder, 'usage.2026-11-19.jsonl'), line + '\n');
    const r = await run(['import', 'usage.jsonl', '--db', path.join(folder, 't.db')], folder);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /usage\.2026-11-19\.jsonl: 1 imported/);
    assert.doesNotMatch(r.err, /file not found/);
    const none = await run(['import', 'nothing.jsonl', '--db', path.join(folder, 't.db')], folder);
    assert.equal(none.code, 1);
    assert.match(none.err, /file not found: .*nothing\.jsonl/);
  });

  it('a telemetry path that cannot be created ends at once with the path and the reason', async function () {
    if (process.platform !== 'linux') this.skip();
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    const r = await run(['track', '--db', path.join(file, 'sub', 't.db')], dir, '{"workflow":"w","model":"m"}');
    assert.equal(r.code, 3);
    assert.match(r.err, /a part of the path is a file, not a folder/);
    // Node 20's recursive mkdir never returns under /proc; this must end with a message.
    const proc = await run(['track', '--db', '/proc/adaptive-routing-nope/t.db'], dir, '{"workflow":"w","model":"m"}');
    assert.equal(proc.code, 3);
    assert.match(proc.err, /cannot create the folder \/proc\/adaptive-routing-nope: \/proc does not accept new folders/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'x', 'nothing written over');
  });

  it('[bundle] dist/cli.js runs the demo with no arguments or network, and leaves no temporary folder', () => {
    const cli = path.resolve(__dirname, '../../dist/cli.js');
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: npm run build');
    const r = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Example 1: Get Best Model/);
    assert.match(
      r.stdout,
      /Recommended model: claude-sonnet-5 \(capable\), what VS Code, the CLI and route\(\) answer\n {2}Why: claude-sonnet-5 is the cheapest model likely to meet the 90\.0% target/,
    );
    assert.match(r.stdout, /The seed's getBestModel rule \(cheapest model over 90% in the window\) gives: claude-sonnet-5/);
    assert.match(
      r.stdout,
      /code-review \/ analysis: claude-sonnet-5, upgrade CHEAP → CAPABLE\n.*\n {4}The seed's recent-failure rule: upgrade CHEAP → CAPABLE/,
    );
    assert.match(r.stdout, /code-review \/ summary: claude-haiku-4-5, keeps its tier/);
    assert.match(r.stdout, /Example 3: Routing Statistics \(Last 7 Days\)/);
    assert.match(r.stdout, /in a temporary file, removed afterwards/);
    const tmp = os.tmpdir();
    const before = new Set(fs.readdirSync(tmp).filter((f) => f.startsWith('adaptive-routing-demo-')));
    assert.equal(spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', cwd: dir }).status, 0);
    assert.deepEqual(
      fs.readdirSync(tmp).filter((f) => f.startsWith('adaptive-routing-demo-') && !before.has(f)),
      [],
    );
    const kept = path.join(tempDir(), 'sample.db');
    assert.equal(spawnSync(process.execPath, [cli, 'demo', '--db', kept], { encoding: 'utf8', cwd: dir }).status, 0);
    assert.ok(fs.existsSync(kept), 'demo --db keeps the sample');
    const again = spawnSync(process.execPath, [cli, 'demo', '--db', kept], { encoding: 'utf8', cwd: dir });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists: demo writes sample calls only into a new file/);
  });
});
