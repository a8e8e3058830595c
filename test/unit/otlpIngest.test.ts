import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { trace, context } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPTraceProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as fs from 'fs';
import * as path from 'path';
import { ModelRegistry, openTelemetryStore } from '../../src/core';
import { importJsonlBytes } from '../../src/core/ingest/importers';
import { OtlpAssembly } from '../../src/core/ingest/otlpAssembly';
import { otlpJsonLines } from '../../src/core/ingest/otlpExport';
import { startOtlpReceiver } from '../../src/core/ingest/otlpReceiver';
import { checkOtlpRules, otlpRulesFromText } from '../../src/core/ingest/otlpRules';
import { callsFromOtlp } from '../../src/core/ingest/otlpSpans';
import { runCli, startServe, tempDir, untilClosed } from './helpers';

const NOW = Date.now();
const nanos = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
const attr = (key: string, value: string | number) =>
  typeof value === 'number' ? { key, value: { intValue: String(value) } } : { key, value: { stringValue: value } };

/** One span of an OTLP JSON request. */
function span(spanId: string, name: string, attributes: Record<string, string | number>, parentSpanId?: string) {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    startTimeUnixNano: nanos(NOW - 2000),
    endTimeUnixNano: nanos(NOW - 1000),
    attributes: Object.entries(attributes).map(([k, v]) => attr(k, v)),
  };
}

const request = (...spans: object[]) => ({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'svc')] }, scopeSpans: [{ spans }] }] });
const chat = (model: string, more: Record<string, string | number> = {}) => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, ...more });

describe('OpenTelemetry ingest: per-span outcomes, the headless receiver, older files', function () {
  this.timeout(60_000);

  it('a request with one unstorable span and one valid one: the valid call is stored, the answer is 200 with partial success saying why', async () => {
    const store = await openTelemetryStore();
    const receiver = await startOtlpReceiver(store, { port: 0 });
    try {
      const body = request(
        span('0000000000000001', 'x'.repeat(250), chat('claude-haiku-4-5')),
        span('0000000000000002', 'chat claude-haiku-4-5', chat('claude-haiku-4-5')),
        span('0000000000000003', 'chat', { 'gen_ai.operation.name': 'chat' }),
      );
      const response = await fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(response.status, 200, 'never a retryable status for what cannot succeed');
      const answer = (await response.json()) as { partialSuccess?: { rejectedSpans: number; errorMessage: string } };
      assert.equal(answer.partialSuccess?.rejectedSpans, 2);
      assert.match(answer.partialSuccess!.errorMessage, /^2 spans skipped: 1 without a model, 1 not storable\./);
      assert.match(answer.partialSuccess!.errorMessage, /stage is longer than 200 characters/);
      assert.deepEqual(
        store.calls().map((c) => [c.stage, c.model]),
        [['chat', 'claude-haiku-4-5']],
        'the valid call, its stage the operation without the model',
      );
      // In protobuf, as the OpenTelemetry SDK's own serializer writes the request and reads the answer.
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider
        .getTracer('test')
        .startSpan('y'.repeat(250), { attributes: chat('claude-haiku-4-5') })
        .end();
      provider
        .getTracer('test')
        .startSpan('chat gpt-4o', { attributes: chat('gpt-4o') })
        .end();
      const proto = await fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, {
        method: 'POST',
        body: Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!),
        headers: { 'Content-Type': 'application/x-protobuf' },
      });
      assert.equal(proto.status, 200);
      const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await proto.arrayBuffer()));
      assert.equal(Number(decoded.partialSuccess?.rejectedSpans), 1);
      assert.match(String(decoded.partialSuccess?.errorMessage), /1 span skipped: 1 not storable\. "y{80}…": stage is longer than 200 characters/);
      assert.equal(store.callCount(), 2, 'its valid call stored');
    } finally {
      await receiver.close();
      store.close();
    }
  });

  it('a held call whose request also carried an unstorable span is recorded when its parent comes; metrics and logs are taken and dropped', async () => {
    const store = await openTelemetryStore();
    const receiver = await startOtlpReceiver(store, { port: 0, holdMs: 60_000 });
    const post = (pathName: string, body: object) =>
      fetch(`http://127.0.0.1:${receiver.port}${pathName}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    try {
      const first = await post(
        '/v1/traces',
        request(
          span('0000000000000011', 'chat m', chat('claude-haiku-4-5', { 'gen_ai.agent.name': 'a'.repeat(250) }), '00000000000000ff'),
          span('0000000000000012', 'chat m', chat('claude-haiku-4-5'), '00000000000000ff'),
        ),
      );
      assert.equal(first.status, 200);
      assert.equal(receiver.waiting, 1, 'the valid call waits for its agent; the unstorable one is rejected, not held');
      const second = await post(
        '/v1/traces',
        request(span('00000000000000ff', 'invoke_agent triage', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' })),
      );
      assert.equal(second.status, 200);
      assert.deepEqual(
        store.calls().map((c) => c.stage),
        ['triage'],
      );
      assert.equal(receiver.waiting, 0);
      for (const pathName of ['/v1/metrics', '/v1/logs']) assert.equal((await post(pathName, { resourceMetrics: [] })).status, 200, pathName);
      assert.equal(receiver.counts.discarded, 2);
      assert.equal((await post('/v1/other', {})).status, 404);
    } finally {
      await receiver.close();
      store.close();
    }
  });

  it('a held call whose parent request cannot be recorded is put back, recorded with the next; one its parent makes unstorable is rejected alone and said', async () => {
    const recorded: string[] = [];
    let failNext = false;
    const rejected: string[] = [];
    const receiver = await startOtlpReceiver(
      (calls) => {
        if (failNext) {
          failNext = false;
          throw new Error('the file cannot take writes now');
        }
        recorded.push(...calls.map((c) => String(c.stage)));
      },
      { port: 0, holdMs: 60_000, onRejected: (reasons) => rejected.push(...reasons) },
    );
    const post = (body: object) =>
      fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    try {
      assert.equal((await post(request(span('00000000000000b1', 'chat', chat('claude-haiku-4-5'), '00000000000000c1')))).status, 200);
      assert.equal(receiver.waiting, 1);
      failNext = true;
      const agent = span('00000000000000c1', 'invoke_agent triage', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' });
      assert.equal((await post(request(agent))).status, 503, 'the file cannot take it: the exporter sends it again');
      assert.equal(receiver.waiting, 1, 'the held call, acknowledged earlier, is put back');
      assert.equal((await post(request(agent))).status, 200);
      assert.deepEqual(recorded, ['triage']);
      // A parent whose agent name cannot be stored: the held call is rejected alone, with why.
      assert.equal((await post(request(span('00000000000000b2', 'chat', chat('claude-haiku-4-5'), '00000000000000c2')))).status, 200);
      const long = await post(
        request(span('00000000000000c2', 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a'.repeat(201) })),
      );
      assert.equal(long.status, 200);
      assert.equal(((await long.json()) as { partialSuccess?: { rejectedSpans: number } }).partialSuccess?.rejectedSpans, 1);
      assert.equal(receiver.waiting, 0);
      assert.match(rejected.join('\n'), /stage is longer than 200 characters/);
      // Bodies past the cap get 413 before they are read, an OTLP time of 0 is refused alone.
      assert.equal(
        (
          await fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, {
            method: 'POST',
            body: Buffer.alloc(64 * 1024 * 1024, 32),
            headers: { 'Content-Type': 'application/json' },
          })
        ).status,
        413,
      );
      const zero = await post(request({ ...span('00000000000000b3', 'chat', chat('claude-haiku-4-5')), startTimeUnixNano: '0', endTimeUnixNano: '0' }));
      assert.match(String(((await zero.json()) as { partialSuccess?: { errorMessage: string } }).partialSuccess?.errorMessage), /ts is before 2000-01-01/);
    } finally {
      await receiver.close();
    }
  });

  it('spans kept for later requests hold only what the mapping reads: a 7 MB prompt repeated keeps kilobytes; a byte cap evicts the oldest, never a waiting call', () => {
    const assembly = new OtlpAssembly({}, 60_000);
    const prompt = 'p'.repeat(7 * 1024 * 1024);
    for (let i = 0; i < 20; i++) {
      const id = (0x100 + i).toString(16).padStart(16, '0');
      assembly.accept(
        request(span(id, 'invoke_agent triage', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.input.messages': prompt })),
      );
    }
    assert.equal(assembly.keptSpans, 20);
    assert.ok(assembly.keptBytes < 20_000, `kept ${assembly.keptBytes} bytes for 140 MB sent`);

    const capped = new OtlpAssembly({}, 60_000, 120_000, Date.now, 100_000, 50_000);
    // A call waiting for its parent, then many spans with long (kept) names: the oldest go, the waiting call's own span stays.
    capped.accept(request(span('00000000000000a1', 'chat', chat('claude-haiku-4-5'), '00000000000000ff')));
    assert.equal(capped.waitingCount, 1);
    for (let i = 0; i < 200; i++) capped.accept(request(span((0x1000 + i).toString(16).padStart(16, '0'), 'n'.repeat(900), {})));
    assert.ok(capped.keptBytes <= 50_000 + 2_000, `kept ${capped.keptBytes} bytes`);
    assert.ok(capped.keptSpans < 60);
    const released = capped.accept(
      request(span('00000000000000ff', 'invoke_agent lint', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'lint' })),
    );
    assert.deepEqual(
      released.released.map((c) => [c.stage, c.model]),
      [['lint', 'claude-haiku-4-5']],
      'the waiting call is mapped from its kept span when its parent comes',
    );
  });

  it('a reported cost of exactly 0 with tokens is estimated from the catalogue (or unknown without a price), never a billed $0; input never goes below zero', () => {
    const spans = request(
      span('0000000000000051', 'chat', chat('gpt-4o-mini', { 'gen_ai.usage.cost': 0, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 })),
      span('0000000000000052', 'chat', chat('no-such-model', { 'gen_ai.usage.cost': 0, 'gen_ai.usage.input_tokens': 10 })),
      span('0000000000000053', 'chat', chat('claude-haiku-4-5', { 'gen_ai.usage.cost': 0.25, 'gen_ai.usage.input_tokens': 10 })),
      span('0000000000000054', 'chat', chat('claude-haiku-4-5', { 'gen_ai.usage.cost': 0 })),
      span('0000000000000055', 'chat', chat('claude-haiku-4-5', { 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.cache_read.input_tokens': 10_000 })),
      span('0000000000000056', 'chat', chat('gpt-4o', { 'gen_ai.usage.input_tokens': 10_050, 'gen_ai.usage.cache_read.input_tokens': 10_000 })),
    );
    const calls = callsFromOtlp(spans).calls;
    assert.deepEqual(
      calls.slice(0, 4).map((c) => c.cost ?? null),
      [null, null, 0.25, 0],
      'a zero with tokens is no price; a real cost, and a zero on a call without tokens, stand',
    );
    const registry = new ModelRegistry(undefined, {});
    assert.equal(registry.priceTokens(calls[0].model, { input: 1000, output: 100 })!.toFixed(8), ((1000 * 0.15 + 100 * 0.6) / 1e6).toFixed(8));
    assert.equal(registry.priceTokens(calls[1].model, { input: 10 }), null, 'no price anywhere: unknown cost');
    assert.deepEqual(
      calls.slice(4).map((c) => [c.tokens?.input, c.tokens?.cacheRead]),
      [
        [50, 10_000],
        [50, 10_000],
      ],
      'an input below its cache reads is already uncached; one above them holds them',
    );
  });

  it('rules can name other model-call spans by name or prefix; "*" alone and other wrong values are refused with what to write', () => {
    const spans = request(
      span('0000000000000041', 'llm.generate', { 'app.model': 'claude-haiku-4-5' }),
      span('0000000000000042', 'mycall', { 'gen_ai.request.model': 'gpt-4o' }),
    );
    assert.equal(callsFromOtlp(spans).calls.length, 0, 'by the conventions, neither is a model call');
    const { rules, problems } = checkOtlpRules({ modelCallSpanNames: ['llm.*', 'mycall'], attributes: { model: 'app.model' } });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      callsFromOtlp(spans, rules).calls.map((c) => [c.stage, c.model]),
      [
        ['llm.generate', 'claude-haiku-4-5'],
        ['mycall', 'gpt-4o'],
      ],
    );
    assert.match(
      checkOtlpRules({ modelCallSpanNames: ['*'] }).problems[0],
      /otlp\.modelCallSpanNames must be a list of span names .*"\*" alone would take every span/,
    );
    assert.deepEqual(otlpRulesFromText('{ "adaptiveRouting.otlp.modelCallSpanNames": ["llm.*"] }').rules, { modelCallSpanNames: ['llm.*'] });
  });

  it('import says which spans it skipped and why, reads a request saved without a final newline, and exits 1 when it stored nothing', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'tools.json'),
      JSON.stringify(request(span('0000000000000021', 'execute_tool grep', { 'gen_ai.operation.name': 'execute_tool' }))),
    );
    const none = await runCli(['import', 'tools.json', '--db', 'a.db'], dir);
    assert.equal(none.code, 1, none.out + none.err);
    assert.match(none.out, /0 imported, 0 already present, 0 bad lines skipped; 1 span skipped: 1 not a model call/);
    fs.writeFileSync(
      path.join(dir, 'one.json'),
      JSON.stringify(
        request(span('0000000000000022', 'chat gpt-4o-mini', chat('gpt-4o-mini')), span('0000000000000023', 'chat', { 'gen_ai.operation.name': 'chat' })),
      ),
    );
    const one = await runCli(['import', 'one.json', '--db', 'a.db'], dir);
    assert.equal(one.code, 0, one.out + one.err);
    assert.match(one.out, /1 imported, .*1 span skipped: 1 without a model/);
    assert.match(one.err, /"chat": a model call without a model/);
  });

  it('a file written before (schema 4) with a family split in two reads as one model, its dated calls keeping their id', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.db');
    const writer = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const at = (minutes: number) => NOW - minutes * 60_000;
    writer.trackLlmCalls([
      // As the receiver stored them before: successes under the response's dated id, failures under the request's alias.
      { workflow: 'w', stage: 'chat', model: 'claude-haiku-4-5-20251001', tokens: { input: 10, output: 5 }, ts: at(30) },
      { workflow: 'w', stage: 'chat', model: 'claude-haiku-4-5-20251001', tokens: { input: 10, output: 5 }, ts: at(20) },
      { workflow: 'w', stage: 'chat', model: 'claude-haiku-4-5', success: false, ts: at(10) },
      // A dated id with no alias beside it is no split: left as it is.
      { workflow: 'w', stage: 'chat', model: 'gpt-4o-mini-2024-07-18', ts: at(5) },
    ]);
    await writer.close();
    const v4 = `DROP VIEW calls_readable; CREATE VIEW calls_readable AS SELECT c.id FROM calls c; ALTER TABLE calls DROP COLUMN model_version; PRAGMA user_version = 4;`;
    const downgrade = spawnSync('sqlite3', [file, v4], { encoding: 'utf8' });
    assert.equal(downgrade.status, 0, downgrade.stderr);

    const store = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const byModel = store.aggregateByModel({ workflow: 'w', stage: 'chat', since: 0 }).map((a) => [a.model, a.calls, a.successes]);
    assert.deepEqual(byModel.sort(), [
      ['claude-haiku-4-5', 3, 2],
      ['gpt-4o-mini-2024-07-18', 1, 1],
    ]);
    assert.deepEqual(
      store
        .calls()
        .filter((c) => c.model === 'claude-haiku-4-5')
        .map((c) => c.modelVersion)
        .sort(),
      ['claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001', null],
    );
    await store.close();
    const check = spawnSync('sqlite3', [file, 'PRAGMA user_version; SELECT count(*) FROM models; SELECT sum(calls) FROM daily;'], { encoding: 'utf8' });
    assert.equal(check.stdout.trim(), '5\n2\n4', 'saved merged: two models, every call still counted per day');
  });

  it('the exact id travels through an export and back as the same model', async () => {
    const from = await openTelemetryStore();
    from.trackLlmCalls([{ workflow: 'w', stage: 'chat', model: 'claude-haiku-4-5', modelVersion: 'claude-haiku-4-5-20251001', ts: NOW - 1000 }]);
    const line = otlpJsonLines(from.calls());
    assert.match(line, /"gen_ai.response.model","value":\{"stringValue":"claude-haiku-4-5-20251001"\}/);
    const to = await openTelemetryStore();
    importJsonlBytes(to, 'export.jsonl', new TextEncoder().encode(line), 0, new Uint8Array());
    assert.deepEqual(
      to.calls().map((c) => [c.model, c.modelVersion]),
      [['claude-haiku-4-5', 'claude-haiku-4-5-20251001']],
    );
    from.close();
    to.close();
  });

  it('[bundle] serve runs the receiver headless: protobuf and JSON recorded, SIGTERM saves every call before it exits; beyond loopback a token is required', async () => {
    const dir = tempDir();
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const refused = spawnSync(process.execPath, [cli, 'serve', '--db', 'a.db', '--host', '0.0.0.0'], { cwd: dir, encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /listens beyond this machine: set a token \(--token or ADAPTIVE_ROUTING_TOKEN\)/);

    const { child, url: listening, out, err } = await startServe(dir, ['--db', 'served.db']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'ci-job' }),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceProtoExporter({ url: `${listening}/v1/traces` }))],
      });
      const tracer = provider.getTracer('test');
      const agent = tracer.startSpan('invoke_agent lint', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'lint' } });
      const call = tracer.startSpan(
        'chat claude-haiku-4-5',
        {
          attributes: {
            ...chat('claude-haiku-4-5'),
            'gen_ai.response.model': 'claude-haiku-4-5-20251001',
            'gen_ai.usage.input_tokens': 9,
            'gen_ai.usage.output_tokens': 3,
          },
        },
        trace.setSpan(context.active(), agent),
      );
      call.end(); // exported before its agent: held until the agent comes, or until serve stops
      await provider.forceFlush();
      const json = await fetch(`${listening}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify(request(span('0000000000000031', 'chat gpt-4o', chat('gpt-4o')))),
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(json.status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err());
      await provider.shutdown();
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(out(), /"calls":2/);
    const store = await openTelemetryStore({ path: path.join(dir, 'served.db'), autoSaveMs: 0 });
    assert.deepEqual(
      store
        .calls()
        .map((c) => [c.workflow, c.model, c.modelVersion ?? null])
        .sort(),
      [
        ['ci-job', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
        ['svc', 'gpt-4o', null],
      ],
      'the held call too, recorded on the way out',
    );
    store.dispose();
  });

  it('[bundle] SIGKILL to the CLI process a user or CI started ends the command it runs (serve stops listening; nothing keeps writing)', async () => {
    const { child, url } = await startServe(tempDir(), ['--db', 'k.db']);
    assert.equal((await fetch(`${url}/v1/metrics`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })).status, 200);
    child.kill('SIGKILL');
    assert.ok(await untilClosed(url), 'the command ended with its parent');
  });
});
