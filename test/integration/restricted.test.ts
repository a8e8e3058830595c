import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import { activateExtension, readTree, waitFor, workspaceUri } from './helpers';

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
    assert.ok(rows.some((r) => r.label === 'code-review'), 'stats are readable');
    const file = workspaceUri('.attune', 'telemetry.db');
    const before = await vscode.workspace.fs.readFile(file);

    await assert.rejects(api.trackLlmCall({ workflow: 'w', model: 'm' }), /Restricted Mode/);
    assert.equal(await vscode.commands.executeCommand('adaptiveRouting.createSample'), undefined);
    assert.equal(await vscode.commands.executeCommand('adaptiveRouting.importFile', workspaceUri('README.md')), undefined);

    const python = workspaceUri('workflows', 'code_review.py');
    const document = await vscode.workspace.openTextDocument(python);
    const diagnostic = await waitFor('diagnostic still shown', () => vscode.languages.getDiagnostics(python)[0]);
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', python, diagnostic.range, vscode.CodeActionKind.QuickFix.value)) as vscode.CodeAction[];
    assert.equal(actions.filter((a) => a.title.startsWith('Upgrade')).length, 0, 'no quick fix until trusted');
    assert.ok(document.getText().includes('ModelTier.CHEAP'));

    await testing.service.save();
    const after = await vscode.workspace.fs.readFile(file);
    assert.ok(Buffer.from(before).equals(Buffer.from(after)), 'the telemetry file is untouched');
  });
});
