import { strict as assert } from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import { activateExtension, readTree, waitFor, type Testing } from './helpers';

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** One OTLP JSON export request with one GenAI model-call span, 40 days old (outside the ranges other tests read). */
function traceOf(workflow: string, stage: string): string {
  const start = BigInt(Date.now() - 40 * 86_400_000) * 1_000_000n;
  const attribute = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) },
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attribute('service.name', 'agent-cli')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'chat claude-haiku-4-5',
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 900_000_000n),
                attributes: [
                  attribute('gen_ai.operation.name', 'chat'),
                  attribute('gen_ai.request.model', 'claude-haiku-4-5'),
                  attribute('gen_ai.workflow.name', workflow),
                  attribute('gen_ai.agent.name', stage),
                  attribute('gen_ai.usage.input_tokens', 800),
                  attribute('gen_ai.usage.output_tokens', 120),
                ],
              },
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'aaa19b7ec3c1b175',
                name: 'execute_tool search',
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 100_000_000n),
                attributes: [attribute('gen_ai.operation.name', 'execute_tool')],
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('The local OpenTelemetry receiver and the OTLP export in a real extension host', () => {
  let testing: Testing;
  const settings = () => vscode.workspace.getConfiguration('adaptiveRouting.otlpReceiver');

  before(async () => {
    testing = (await activateExtension()).testing;
  });

  after(async () => {
    await settings().update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('port', undefined, vscode.ConfigurationTarget.Global);
    await testing.service.setRange('7d');
  });

  it('off by default; once enabled it records what a tool posts, the tree shows it, the tooltip says it runs; disabled, the port closes', async () => {
    assert.equal(testing.receiver.state.status, 'off', 'off by default');
    assert.equal(testing.receiver.state.enabled, false);
    const port = await freePort();
    await settings().update('port', port, vscode.ConfigurationTarget.Global);
    await settings().update('enabled', true, vscode.ConfigurationTarget.Global);
    await waitFor('the receiver to run', () => testing.receiver.state.status === 'running' && testing.receiver.state.port === port);

    const post = (body: string, type = 'application/json') =>
      fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': type } });
    assert.equal((await post('{"hello": "world"}')).status, 400, 'not OTLP: refused');
    const answer = await post(traceOf('otel-flow', 'draft'));
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(testing.receiver.state.calls, 1);

    await testing.service.setRange('all'); // the posted call is 40 days old
    const rows = await waitFor('the received call in the tree', async () => {
      const r = await readTree(testing.tree);
      return r.some((row) => row.depth === 0 && row.label === 'otel-flow') ? r : undefined;
    });
    assert.ok(
      rows.some((row) => row.label === 'draft'),
      'its stage under it',
    );
    const tooltip = await waitFor('the receiver line in the status-bar tooltip', () => {
      const text = testing.statusBar.snapshot().tooltip.replace(/\\(.)/g, '$1');
      return /OpenTelemetry receiver on 127\.0\.0\.1:\d+: 1 call recorded, 1 span skipped: 1 not a model call/.test(text) ? text : undefined;
    });
    assert.match(tooltip, new RegExp(`127\\.0\\.0\\.1:${port}`));

    await settings().update('enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('the receiver to stop', () => testing.receiver.state.status === 'off');
    await assert.rejects(post(traceOf('otel-flow', 'draft')), 'nothing listens any more');
    assert.doesNotMatch(testing.statusBar.snapshot().tooltip, /OpenTelemetry receiver/);
  });

  it('"Export Calls as OpenTelemetry (OTLP JSON)..." writes every call of the range as one GenAI span', async () => {
    await testing.service.setRange('all');
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const target = vscode.Uri.joinPath(folder, 'exported.otlp.jsonl');
    const written = (await vscode.commands.executeCommand('adaptiveRouting.exportOtlp', target)) as vscode.Uri | undefined;
    assert.equal(written?.toString(), target.toString());
    const lines = new TextDecoder()
      .decode(await vscode.workspace.fs.readFile(target))
      .trim()
      .split('\n');
    const requests = lines.map((line) => JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> });
    const spans = requests.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    assert.equal(spans.length, testing.service.file.storedCalls()!.count, 'every call of the range (all time) as one span');
    assert.ok(JSON.stringify(requests).includes('"gen_ai.operation.name"'));
    await vscode.workspace.fs.delete(target);
  });
});
