import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { openTelemetryStore } from '../../src/core';
import { runCli, sampleWorkspace, tempDir } from './helpers';

/** What a new user trips on at the command line: names, flags, files and help, each answered in one clear line. */
describe('adaptive-routing CLI: unknown names, bad flags, files that are not logs, help', () => {
  let dir: string;
  before(async () => (dir = await sampleWorkspace()));

  const commands: Array<[string, string[]]> = [
    ['routing-stats', []],
    ['routing-check', []],
    ['best-model', []],
    ['route', []],
    ['route', ['--explore']],
    ['savings', []],
  ];
  for (const [command, extra] of commands) {
    it(`${command}${extra.length ? ` ${extra.join(' ')}` : ''}: an unknown workflow or stage exits 4 with a suggestion, in --json too`, async () => {
      const workflow = await runCli([command, '--workflow', 'code-reveiw', '--stage', 'analysis', ...extra], dir);
      assert.equal(workflow.code, 4, workflow.err);
      assert.match(
        workflow.err,
        /^adaptive-routing: unknown workflow "code-reveiw" \(did you mean "code-review"\?\); known workflows: code-review, refactor-plan, test-generation\n$/,
      );
      assert.equal(workflow.out, '');
      const stage = await runCli([command, '--workflow', 'code-review', '--stage', 'analyss', ...extra], dir);
      assert.equal(stage.code, 4);
      assert.match(stage.err, /workflow "code-review" has no stage "analyss" \(did you mean "analysis"\?\); its stages: analysis, security-scan, summary/);
      const json = await runCli([command, '--workflow', 'code-review', '--stage', 'analyss', '--json', ...extra], dir);
      assert.equal(json.code, 4);
      assert.deepEqual(JSON.parse(json.out), { error: stage.err.replace(/^adaptive-routing: /, '').trim(), exitCode: 4 });
    });
  }

  it('a stage the manifest declares is known before its first call; --new routes a stage nobody declared yet', async () => {
    const manifest = path.join(dir, 'declared.json');
    fs.writeFileSync(manifest, JSON.stringify({ workflows: { 'code-review': { stages: { triage: { tier: 'cheap' } } } } }));
    const declared = await runCli(['best-model', '--workflow', 'code-review', '--stage', 'triage', '--manifest', manifest], dir);
    assert.equal(declared.code, 0, declared.err);
    assert.match(declared.out, /Fallback: claude-haiku-4-5/);
    assert.equal((await runCli(['route', '--workflow', 'code-review', '--stage', 'triage'], dir)).code, 4, 'without the manifest it is unknown');
    const fresh = await runCli(['route', '--workflow', 'code-review', '--stage', 'triage', '--new', '--json'], dir);
    assert.equal(fresh.code, 0, fresh.err);
    assert.equal((JSON.parse(fresh.out) as { fallback: boolean }).fallback, true);
  });

  it('a misspelt tier in the manifest is said, with the tiers and a suggestion', async () => {
    const manifest = path.join(dir, 'cheep.json');
    fs.writeFileSync(manifest, JSON.stringify({ workflows: { 'code-review': { stages: { summary: { tier: 'cheep' } } } } }));
    const r = await runCli(['best-model', '--workflow', 'code-review', '--stage', 'summary', '--manifest', manifest], dir);
    assert.equal(r.code, 0);
    assert.match(
      r.err,
      /cheep\.json:1:\d+: "cheep" is not a tier: use cheap, capable, premium \(did you mean "cheap"\?\); stage "summary" of code-review is left undeclared/,
    );
  });

  it('an unknown flag and a negative number: one line naming the flag, a suggestion where one is close, exit 1', async () => {
    const unknown = await runCli(['best-model', '--wokflow', 'code-review', '--stage', 'summary'], dir);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err, 'adaptive-routing: unknown option --wokflow (did you mean --workflow?) (adaptive-routing best-model --help shows the options)\n');
    const negative = await runCli(['routing-stats', '--workflow', 'code-review', '--days', '-1'], dir);
    assert.equal(negative.code, 1);
    assert.equal(negative.err, 'adaptive-routing: --days must not be negative, got "-1" (adaptive-routing routing-stats --help shows the options)\n');
    const written = await runCli(['routing-stats', '--workflow', 'code-review', '--days=-1'], dir);
    assert.equal(written.code, 1);
    assert.equal(written.err, 'adaptive-routing: --days must be a number from 0 to 100000, got "-1"\n');
    const missing = await runCli(['best-model', '--stage', 'summary', '--workflow'], dir);
    assert.equal(missing.err, 'adaptive-routing: --workflow needs a value (adaptive-routing best-model --help shows the options)\n');
    const command = await runCli(['bestmodel'], dir);
    assert.equal(command.code, 1);
    assert.match(
      command.err,
      /^adaptive-routing: unknown command "bestmodel" \(did you mean "best-model"\?\); the commands: routing-stats, .*, help \(adaptive-routing help\)\n$/,
    );
  });

  it('import: a folder is not a log, an empty file gives nothing to import (and no database)', async () => {
    const fresh = tempDir();
    fs.mkdirSync(path.join(fresh, 'logs'));
    fs.writeFileSync(path.join(fresh, 'empty.jsonl'), '');
    const folder = await runCli(['import', 'logs'], fresh);
    assert.equal(folder.code, 1);
    assert.equal(
      folder.err,
      `adaptive-routing: logs is a folder: import takes files (for the logs in it: adaptive-routing import ${path.join('logs', '*.jsonl')})\n`,
    );
    const empty = await runCli(['import', 'empty.jsonl'], fresh);
    assert.equal(empty.code, 1);
    assert.equal(empty.err, 'adaptive-routing: nothing to import: empty.jsonl is empty\n');
    assert.equal(fs.existsSync(path.join(fresh, '.attune')), false, 'no database was created');
  });

  it('an empty database says it holds no calls, not just "unknown workflow"', async () => {
    const fresh = tempDir();
    const file = path.join(fresh, 'empty.db');
    const store = await openTelemetryStore();
    fs.writeFileSync(file, store.exportBytes());
    store.dispose();
    const r = await runCli(['best-model', '--db', file, '--workflow', 'code-review', '--stage', 'analysis'], fresh);
    assert.equal(r.code, 4);
    assert.match(
      r.err,
      /unknown workflow "code-review": .*empty\.db holds no calls yet and no manifest declares a stage \(record calls with track, import or VS Code, or declare the stage in \.attune\/workflows\.json\)/,
    );
  });

  it('help: the whole usage, one command (help CMD and CMD --help), and an unknown topic', async () => {
    const all = await runCli(['help'], dir);
    assert.equal(all.code, 0);
    assert.match(all.out, /^Usage: adaptive-routing <command> \[options\]/);
    for (const args of [
      ['help', 'best-model'],
      ['best-model', '--help'],
    ]) {
      const one = await runCli(args, dir);
      assert.equal(one.code, 0);
      assert.match(one.out, /^Usage: adaptive-routing best-model --workflow W --stage S /);
      assert.match(one.out, /\n {2}the stage's recommended model \(what VS Code shows\)\n/);
      assert.doesNotMatch(one.out, /routing-check/, 'only that command');
      assert.match(one.out, /Exit codes: /);
    }
    const unknown = await runCli(['help', 'nope'], dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /unknown command "nope"/);
  });
});
