import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import type { CheckResult } from '../../src/vscode/commands/routingCommands';
import { activateExtension, quickFixes, readTree, waitFor, workspaceUri } from './helpers';

describe('Restricted Mode (untrusted workspace)', () => {
  it('the workspace really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('shows the statistics read-only but refuses every write', async () => {
    const { api, testing } = await activateExtension();
    const rows = await waitFor('tree rows', async () => {
      const r = await readTree(testing.tree);
      return r.length ? r : undefined;
    });
    assert.ok(
      rows.some((r) => r.label === 'code-review'),
      'stats are readable',
    );
    const file = workspaceUri('.attune', 'telemetry.db');
    const before = await vscode.workspace.fs.readFile(file);

    await assert.rejects(api.trackLlmCall({ workflow: 'w', model: 'm' }), /Restricted Mode/);
    assert.equal(await vscode.commands.executeCommand('adaptiveRouting.createSample'), undefined);
    assert.equal(await vscode.commands.executeCommand('adaptiveRouting.importFile', workspaceUri('README.md')), undefined);

    const python = workspaceUri('workflows', 'code_review.py');
    const document = await vscode.workspace.openTextDocument(python);
    const diagnostic = await waitFor('diagnostic still shown', () => vscode.languages.getDiagnostics(python)[0]);
    const actions = await quickFixes(python, diagnostic.range);
    assert.equal(actions.filter((a) => a.title.startsWith('Upgrade')).length, 0, 'no quick fix until trusted');
    assert.ok(document.getText().includes('ModelTier.CHEAP'));

    await testing.service.file.save();
    const after = await vscode.workspace.fs.readFile(file);
    assert.ok(Buffer.from(before).equals(Buffer.from(after)), 'the telemetry file is untouched');
  });

  // Here, where nothing can be written, the file holds only the sample, which ends before today (UTC):
  // the Today range is empty whatever ran before.
  it('a range without calls is not "no telemetry": the view names the range and the latest call, checks say so', async () => {
    const { testing } = await activateExtension();
    await vscode.commands.executeCommand('adaptiveRouting.showStats'); // the view draws its message line once shown
    await waitFor('range on the message line', () =>
      /^Last 7 days: [\d,]+ calls · .*Restricted Mode: read-only$/.test(testing.tree.view.message ?? '') ? true : undefined,
    );
    await testing.service.setRange('today');
    try {
      await waitFor('empty Today range', async () =>
        (await readTree(testing.tree)).length === 0 && /^Today: no calls \(the latest of [\d,]+ was on .+\)$/.test(testing.tree.view.message ?? '')
          ? true
          : undefined,
      );
      const check = (await vscode.commands.executeCommand('adaptiveRouting.checkAll')) as CheckResult;
      assert.equal(check.recommendations.length, 0);
      assert.match(check.report, /No calls in the period \(Today\): nothing to check/);
      assert.doesNotMatch(check.report, /0 stage/);
    } finally {
      await testing.service.setRange('7d');
    }
  });

  it("ignores the workspace's team database: no sync, no team row, nothing sent anywhere", async () => {
    const { testing } = await activateExtension();
    assert.equal(vscode.workspace.getConfiguration('adaptiveRouting.team').get('database'), '', 'a restricted setting: the workspace value is not applied');
    assert.equal(testing.team.state.status, 'off');
    assert.equal(testing.team.state.configured, false);
    assert.equal(await testing.team.syncNow(), undefined);
    const rows = await readTree(testing.tree);
    assert.ok(!rows.some((r) => r.label === 'Team sync'), 'no team row');
  });

  it('never starts the OpenTelemetry receiver, even when the user enables it; the tooltip says why', async () => {
    const { testing } = await activateExtension();
    const settings = vscode.workspace.getConfiguration('adaptiveRouting.otlpReceiver');
    try {
      await settings.update('enabled', true, vscode.ConfigurationTarget.Global);
      await waitFor('the receiver to see the setting', () => testing.receiver.state.enabled);
      await testing.receiver.restart();
      assert.equal(testing.receiver.state.status, 'off');
      assert.match(testing.receiver.state.reason ?? '', /Restricted Mode: trust the workspace to receive OpenTelemetry traces/);
      await assert.rejects(fetch('http://127.0.0.1:4318/v1/traces', { method: 'POST', body: '{}' }), 'nothing listens on the default port');
    } finally {
      await settings.update('enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
