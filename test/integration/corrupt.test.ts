import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import { activateExtension, readTree, waitFor, workspaceUri } from './helpers';

describe('an unreadable telemetry file', () => {
  it('is refused with a clear message, left byte-for-byte as it was, and can be moved aside', async () => {
    const { api, testing } = await activateExtension();
    const file = workspaceUri('.attune', 'telemetry.db');
    const original = await vscode.workspace.fs.readFile(file);
    await testing.service.file.ensureOpen();
    await waitFor('the error state', () => testing.service.file.state === 'error');
    assert.match(testing.service.file.error?.message ?? '', /telemetry\.db: (the database is damaged|cannot be opened|cannot be read)/);
    assert.deepEqual(await readTree(testing.tree), [], 'no statistics from a file that did not load');
    await assert.rejects(api.trackLlmCall({ workflow: 'w', model: 'm' }), /cannot be used/);
    await api.flush();
    assert.ok(Buffer.from(await vscode.workspace.fs.readFile(file)).equals(Buffer.from(original)), 'the file is untouched');

    const aside = (await vscode.commands.executeCommand('adaptiveRouting.moveTelemetryAside')) as vscode.Uri;
    assert.match(aside.path, /telemetry\.db\.unreadable-/);
    assert.ok(Buffer.from(await vscode.workspace.fs.readFile(aside)).equals(Buffer.from(original)), 'kept for recovery');
    await waitFor('a fresh store', () => testing.service.file.state === 'empty');
    await api.trackLlmCall({ workflow: 'after', stage: 's', model: 'claude-haiku-4-5', success: true });
    await api.flush();
    assert.equal((await api.getRoutingStats('after')).totalCalls, 1);
    assert.ok((await vscode.workspace.fs.stat(file)).size > 0, 'a new file was written');
  });
});
