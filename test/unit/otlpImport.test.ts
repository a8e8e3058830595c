import { strict as assert } from 'assert';
import { SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { generateSampleCalls, openTelemetryStore } from '../../src/core';
import { otlpJsonLineStream, otlpJsonLines } from '../../src/core/ingest/otlpExport';
import { startOtlpReceiver } from '../../src/core/ingest/otlpReceiver';
import { checkOtlpRules } from '../../src/core/ingest/otlpRules';
import { callsFromOtlp } from '../../src/core/ingest/otlpSpans';
import { runCli, tempDir } from './helpers';
import { waitFor } from '../poll';
import { importJsonlBytes } from '../../src/core/ingest/importers';

/** Spans made by the real OpenTelemetry JS SDK, as the GenAI conventions describe them, serialised by its own OTLP JSON serialiser. */
function exportedTraces(make: (start: (name: string, attributes: Record<string, string | number>, parent?: Span, at?: number) => Span) => void): string {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'review-bot' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('gen-ai-test');
  const base = Date.parse('2026-11-20T10:00:00Z');
  make((name, attributes, parent, at = 0) =>
    tracer.startSpan(name, { attributes, startTime: base + at }, parent ? trace.setSpan(context.active(), parent) : undefined),
  );
  const bytes = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
  return new TextDecoder().decode(bytes);
}

const end = (span: Span, afterMs: number) => span.end(Date.parse('2026-11-20T10:00:00Z') + afterMs);

describe('OpenTelemetry GenAI traces (OTLP JSON) as calls', () => {
  const now = () => new Date('2026-11-21T00:00:00Z');

  it('maps model-call spans by the conventions; workflow and stage from the enclosing spans; other spans skipped and counted', async () => {
    const json = exportedTraces((start) => {
      const workflow = start('invoke_workflow code-review', { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'code-review' });
      const agent = start('invoke_agent analysis', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'analysis' }, workflow);
      const chat = start(
        'chat claude-sonnet-5',
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-5',
          'gen_ai.response.model': 'claude-sonnet-5-20261101',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.cache_read.input_tokens': 200,
          'gen_ai.usage.output_tokens': 300,
        },
        agent,
        10,
      );
      end(chat, 1510);
      const tool = start('execute_tool grep', { 'gen_ai.operation.name': 'execute_tool' }, agent, 1600);
      end(tool, 1700);
      const failed = start(
        'chat claude-haiku-4-5',
        { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5', 'error.type': 'timeout' },
        agent,
        1800,
      );
      failed.setStatus({ code: SpanStatusCode.ERROR });
      end(failed, 2800);
      const judged = start('chat claude-haiku-4-5', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' }, agent, 2900);
      judged.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.3 });
      end(judged, 3300);
      end(agent, 3400);
      end(workflow, 3500);
      // Older attribute names, and no enclosing spans: the service and the span's own name.
      const old = start(
        'summarize',
        {
          'gen_ai.operation.name': 'text_completion',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.prompt_tokens': 50,
          'gen_ai.usage.completion_tokens': 7,
        },
        undefined,
        4000,
      );
      end(old, 4250);
    });
    const store = await openTelemetryStore({ now });
    const report = importJsonlBytes(store, 'traces.jsonl', new TextEncoder().encode(json + '\n'), 0, new Uint8Array());
    assert.deepEqual([report.imported, report.skipped, report.skippedSpans?.notModelCalls, report.formats.otlp], [4, 0, 3, 4]);
    const calls = store.calls().sort((a, b) => a.ts - b.ts);
    assert.deepEqual(
      calls.map((c) => [c.workflow, c.stage, c.model, c.provider, c.inputTokens, c.cacheReadTokens, c.outputTokens, c.durationMs, c.success, c.error]),
      [
        ['code-review', 'analysis', 'claude-sonnet-5', 'anthropic', 1000, 200, 300, 1500, true, null],
        ['code-review', 'analysis', 'claude-haiku-4-5', null, null, null, null, 1000, false, 'timeout'],
        ['code-review', 'analysis', 'claude-haiku-4-5', null, null, null, null, 400, false, null],
        ['review-bot', 'summarize', 'gpt-4o-mini', 'openai', 50, null, 7, 250, true, null],
      ],
    );
    assert.equal(calls[0].ts, Date.parse('2026-11-20T10:00:00.010Z'));
    assert.equal(calls[0].modelVersion, 'claude-sonnet-5-20261101', 'the dated response id is kept as a detail of the family model');
    const again = importJsonlBytes(store, 'traces.jsonl', new TextEncoder().encode(json + '\n'), 0, new Uint8Array());
    assert.deepEqual([again.imported, again.duplicates], [0, 4], 'a span is one call, however often it is imported');
    store.close();
  });

  it('a file of one pretty-printed request imports too; a model call without a model is skipped alone, a broken request whole, each said why', async () => {
    const json = exportedTraces((start) => {
      end(start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5', 'gen_ai.agent.name': 'triage' }), 100);
    });
    const store = await openTelemetryStore({ now });
    const pretty = JSON.stringify(JSON.parse(json), null, 2) + '\n';
    const report = importJsonlBytes(store, 'one.json', new TextEncoder().encode(pretty), 0, new Uint8Array());
    assert.deepEqual([report.imported, report.skipped], [1, 0]);
    assert.equal(store.calls()[0].stage, 'triage');

    const request = JSON.parse(json);
    const spans = request.resourceSpans[0].scopeSpans[0].spans;
    spans.push({ ...spans[0], spanId: 'ffffffffffffffff', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] });
    const broken = importJsonlBytes(store, 'broken.jsonl', new TextEncoder().encode(JSON.stringify(request) + '\n{"resourceSpans": 7}\n'), 0, new Uint8Array());
    assert.deepEqual(
      [broken.imported, broken.duplicates, broken.skipped, broken.skippedSpans?.withoutModel],
      [0, 1, 1, 1],
      'the good span of the first request is taken (already present), its span without a model skipped; the broken second request skipped whole',
    );
    assert.match(broken.problems[0].message, /"chat": a model call without a model \(gen_ai\.request\.model\)/);
    assert.equal(broken.problems[0].line, 1);
    assert.match(broken.problems[1].message, /^not an OTLP trace export/);
    assert.equal(store.callCount(), 1);
    store.close();
  });
  it('a file whose lines split a trace (the model call on one line, its agent on a later one) maps the call with its agent', async () => {
    const request = JSON.parse(
      exportedTraces((start) => {
        const agent = start('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' });
        end(start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' }, agent), 10);
        end(agent, 20);
      }),
    );
    const spans = request.resourceSpans[0].scopeSpans[0].spans as Array<{ name: string }>;
    const lineOf = (name: string) => {
      const copy = JSON.parse(JSON.stringify(request));
      copy.resourceSpans[0].scopeSpans[0].spans = spans.filter((span) => span.name === name);
      return JSON.stringify(copy);
    };
    const store = await openTelemetryStore({ now });
    const report = importJsonlBytes(
      store,
      'split.jsonl',
      new TextEncoder().encode(`${lineOf('chat')}\n${lineOf('invoke_agent planner')}\n`),
      0,
      new Uint8Array(),
    );
    assert.deepEqual([report.imported, report.skippedSpans?.notModelCalls], [1, 1]);
    assert.deepEqual(
      store.calls().map((c) => [c.workflow, c.stage]),
      [['review-bot', 'planner']],
    );
    store.close();
  });
});

describe('OpenTelemetry mapping rules (settings adaptiveRouting.otlp.*)', () => {
  it("a team's own attributes come first (the stage from an enclosing span, the model, a score on the span); other operations count as model calls", () => {
    const json = exportedTraces((start) => {
      const step = start('step', { 'app.step': 'summarise', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'ignored-agent' });
      end(
        start('llm', { 'gen_ai.operation.name': 'completion', 'app.model': 'claude-haiku-4-5', 'gen_ai.request.model': 'haiku', 'app.quality': 0.65 }, step),
        50,
      );
      end(start('llm', { 'gen_ai.operation.name': 'completion', 'app.model': 'claude-haiku-4-5', 'app.quality': 0.4 }, step), 80);
      end(start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-5' }, step), 90);
      end(step, 100);
    });
    const byDefault = callsFromOtlp(JSON.parse(json));
    assert.deepEqual(
      byDefault.calls.map((c) => [c.stage, c.model]),
      [['ignored-agent', 'claude-sonnet-5']],
      "by the conventions alone: 'completion' is not a model call",
    );
    const { rules, problems } = checkOtlpRules({
      evaluationThreshold: 0.6,
      modelCallOperations: ['completion', 'chat'],
      attributes: { stage: 'app.step', model: 'app.model', score: 'app.quality' },
    });
    assert.deepEqual(problems, []);
    const mapped = callsFromOtlp(JSON.parse(json), rules);
    assert.deepEqual(
      mapped.calls.map((c) => [c.stage, c.model, c.success]),
      [
        ['summarise', 'claude-haiku-4-5', true],
        ['summarise', 'claude-haiku-4-5', false],
        ['summarise', 'claude-sonnet-5', true],
      ],
    );
    assert.equal(mapped.skipped.notModelCalls, 1, 'the step span');
  });

  it('wrong rule settings are named and left out; the rest still applies', () => {
    const { rules, problems } = checkOtlpRules({
      evaluationThreshold: 1.5,
      modelCallOperations: [],
      attributes: { stage: 'app.step', stepName: 'x', model: 7 },
    });
    assert.deepEqual(rules, { attributes: { stage: 'app.step' } });
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /evaluationThreshold must be a number from 0 to 1, got 1\.5/);
    assert.match(problems.join('\n'), /unknown field "stepName" \(known: workflow, stage, model, provider, inputTokens, outputTokens, score\)/);
    assert.match(problems.join('\n'), /otlp\.attributes\.model must be an attribute name/);
    assert.deepEqual(checkOtlpRules({ attributes: ['stage'] }).problems, ['otlp.attributes must be an object of field: attribute name']);
    assert.deepEqual(checkOtlpRules({}), { rules: {}, problems: [] });
  });
  it("CLI: import --otlp-rules reads the rules from a rules file or the workspace's .vscode/settings.json; wrong rules are a usage error", async () => {
    const dir = tempDir();
    const json = exportedTraces((start) => {
      end(start('llm', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5', 'app.step': 'summarise' }), 10);
    });
    fs.writeFileSync(path.join(dir, 'traces.jsonl'), json + '\n');
    fs.mkdirSync(path.join(dir, '.vscode'));
    fs.writeFileSync(
      path.join(dir, '.vscode', 'settings.json'),
      '{\n  // the workspace settings\n  "adaptiveRouting.otlp.attributes": { "stage": "app.step" },\n}\n',
    );
    const imported = await runCli(['import', 'traces.jsonl', '--db', 'a.db', '--otlp-rules', '.vscode/settings.json'], dir);
    assert.equal(imported.code, 0, imported.err);
    const a = await openTelemetryStore({ path: path.join(dir, 'a.db'), autoSaveMs: 0 });
    assert.deepEqual(
      a.calls().map((c) => c.stage),
      ['summarise'],
    );
    a.dispose();
    fs.writeFileSync(path.join(dir, 'rules.json'), '{ "evaluationThreshold": 2, "attributes": { "step": "app.step" } }');
    const wrong = await runCli(['import', 'traces.jsonl', '--db', 'b.db', '--otlp-rules', 'rules.json'], dir);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /--otlp-rules rules\.json: otlp\.evaluationThreshold must be a number from 0 to 1, got 2; otlp\.attributes: unknown field "step"/);
    assert.ok(!fs.existsSync(path.join(dir, 'b.db')), 'nothing imported, no file made');
    const missing = await runCli(['import', 'traces.jsonl', '--db', 'b.db', '--otlp-rules', 'nope.json'], dir);
    assert.match(missing.err, /--otlp-rules nope\.json: file not found/);
  });
});

describe('OpenTelemetry GenAI export', () => {
  it('round trip: export as OTLP JSON, import into an empty store: the same calls and aggregates', async () => {
    const clock = () => new Date('2026-11-21T00:00:00Z');
    const source = await openTelemetryStore({ now: clock });
    source.trackLlmCalls(generateSampleCalls({ now: clock() }));
    source.trackLlmCall({
      workflow: 'extra',
      stage: 'cache',
      model: 'claude-haiku-4-5',
      tier: 'cheap',
      cost: 0.0004,
      costEstimated: true,
      cacheHit: true,
      tokens: { input: 10, output: 5, cacheRead: 900, cacheWrite: 100 },
      success: false,
      error: 'rate_limit',
      ts: clock(),
    });
    const lines = otlpJsonLines(source.calls(), 100);
    assert.ok(lines.split('\n').filter(Boolean).length > 1, 'one export request per 100 calls');
    const target = await openTelemetryStore({ now: clock });
    const report = importJsonlBytes(target, 'export.jsonl', new TextEncoder().encode(lines), 0, new Uint8Array());
    assert.deepEqual([report.imported, report.skipped], [source.callCount(), 0]);
    // Ids aside (the import makes its own from the span's), every field comes back; an unknown outcome
    // is exported without an error status, so it reads as a success, as the aggregates count it anyway.
    const plain = (store: typeof source) =>
      store
        .calls()
        .map(({ id: _id, success, ...rest }) => JSON.stringify({ ...rest, success: success ?? true }))
        .sort();
    assert.deepEqual(plain(target), plain(source));
    for (const workflow of source.workflows()) assert.deepEqual(target.aggregateByModel({ workflow }), source.aggregateByModel({ workflow }), workflow);
    source.close();
    target.close();
  });

  it('CLI: export --format otlp-json writes what import reads; a wrong format is a usage error', async () => {
    const dir = tempDir();
    const run = (...args: string[]) => runCli(args, dir);
    const seed = await openTelemetryStore({ path: path.join(dir, 'a.db'), autoSaveMs: 0 });
    seed.trackLlmCalls(generateSampleCalls({ now: new Date() }).slice(0, 50));
    await seed.close();
    const exported = await run('export', '--format', 'otlp-json', '--db', 'a.db', '--out', 'traces.jsonl');
    assert.equal(exported.code, 0, exported.err);
    assert.match(exported.err, /^Exported 50 calls as OTLP JSON to .*traces\.jsonl/);
    const imported = await run('import', 'traces.jsonl', '--db', 'b.db', '--json');
    assert.equal(imported.code, 0, imported.err);
    const b = await openTelemetryStore({ path: path.join(dir, 'b.db'), autoSaveMs: 0 });
    assert.equal(b.callCount(), 50);
    b.dispose();
    const wrong = await run('export', '--format', 'csv', '--db', 'a.db');
    assert.deepEqual([wrong.code, wrong.err.trim()], [1, 'adaptive-routing: export needs --format otlp-json (got "csv")']);
    // A file it cannot write (here a folder of that name): one message, no half file left beside it.
    fs.mkdirSync(path.join(dir, 'taken'));
    const failed = await run('export', '--format', 'otlp-json', '--db', 'a.db', '--out', 'taken');
    assert.equal(failed.code, 3);
    assert.match(failed.err, /^adaptive-routing: cannot write the export to .*taken \(.+\); nothing there was changed\n$/);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('taken')),
      ['taken'],
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'taken')), []);
  });

  it('exports of any size go a page and a line at a time: every call in scope once, the same lines as at once', async () => {
    const store = await openTelemetryStore({ now: () => new Date('2026-11-21T00:00:00Z') });
    const ts = Date.parse('2026-11-20T00:00:00Z');
    // Three stages; calls sharing a time (their ids order them) fall across page boundaries.
    store.trackLlmCalls(
      Array.from({ length: 45 }, (_, i) => ({
        id: `c${i}`,
        workflow: i % 3 === 2 ? 'other' : 'w',
        stage: `s${i % 2}`,
        model: 'claude-haiku-4-5',
        tier: 'cheap' as const,
        cost: 0.001,
        ts: new Date(ts + Math.floor(i / 4) * 60_000),
      })),
    );
    const key = (c: { id: number; ts: number; workflow: string; stage: string }) => `${c.workflow}/${c.stage}/${c.ts}/${c.id}`;
    const pages = [...store.callPages({}, 4)];
    assert.ok(pages.every((p) => p.length >= 1 && p.length <= 4));
    assert.deepEqual(pages.flat().map(key).sort(), store.calls().map(key).sort(), 'every call once');
    for (let i = 1; i < pages.flat().length; i++) {
      const [a, b] = [pages.flat()[i - 1], pages.flat()[i]];
      if (a.workflow === b.workflow && a.stage === b.stage) assert.ok(a.ts < b.ts || (a.ts === b.ts && a.id < b.id), 'a stage in key order');
    }
    const since = ts + 5 * 60_000;
    assert.deepEqual(
      [...store.callPages({ workflow: 'w', stage: 's1', since }, 3)].flat().map(key).sort(),
      store.calls({ workflow: 'w', stage: 's1', since }).map(key).sort(),
    );
    assert.deepEqual([...store.callPages({ workflow: 'nope' })], []);
    const counted = { calls: 0 };
    assert.equal([...otlpJsonLineStream(store.callPages({}, 4), 10, counted)].join('\n') + '\n', otlpJsonLines(pages.flat(), 10));
    assert.equal(counted.calls, 45);
    store.dispose();
  });
});

describe('the local OTLP/HTTP receiver', () => {
  it('records what the real OTLP HTTP (JSON) exporter sends; refuses what is not OTLP, too large or without the token', async () => {
    const store = await openTelemetryStore(); // the SDK stamps spans with the real clock
    const receiver = await startOtlpReceiver(store, { port: 0, token: 's3cret', maxBodyBytes: 64 * 1024 });
    try {
      const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${receiver.port}/v1/traces`, headers: { Authorization: 'Bearer s3cret' } });
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'agent-cli' }),
        // Batched, as applications export: the agent span travels with its model call (spans sent
        // one by one are put together too: see the test of a call exported before its agent).
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      const tracer = provider.getTracer('gen-ai-test');
      const agent = tracer.startSpan('invoke_agent planner', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } });
      const chat = tracer.startSpan(
        'chat claude-haiku-4-5',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'claude-haiku-4-5',
            'gen_ai.usage.input_tokens': 100,
            'gen_ai.usage.output_tokens': 20,
          },
        },
        trace.setSpan(context.active(), agent),
      );
      chat.end();
      agent.end();
      await provider.forceFlush();
      await provider.shutdown();
      assert.deepEqual(
        receiver.counts,
        { requests: 1, calls: 1, skippedSpans: 1, skipped: { notModelCalls: 1, withoutModel: 0, invalid: 0 }, refused: 0, discarded: 0 },
        'one export request, one model call and its agent span in it',
      );
      assert.deepEqual(
        store.calls().map((c) => [c.workflow, c.stage, c.model, c.inputTokens, c.outputTokens]),
        [['agent-cli', 'planner', 'claude-haiku-4-5', 100, 20]],
      );
      const post = (body: string, headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } }).then(
          (r) => r.status,
        );
      const auth = { Authorization: 'Bearer s3cret' };
      assert.equal(await post('{"resourceSpans": []}', {}), 401, 'no token');
      assert.equal(await post('{"hello": "world"}', auth), 400, 'not OTLP');
      assert.equal(await post('not json', auth), 400);
      assert.equal(await post(JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(70 * 1024) }), auth), 413, 'over the cap');
      const bomb = zlib.gzipSync(JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(1024 * 1024) })); // 1 MB in about 1 KB
      assert.equal(
        (
          await fetch(`http://127.0.0.1:${receiver.port}/v1/traces`, {
            method: 'POST',
            body: bomb,
            headers: { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
          })
        ).status,
        413,
        'unpacks over the cap',
      );
      assert.equal(await post('\u0000\u00ff\u00ff\u00ffnot protobuf', { ...auth, 'Content-Type': 'application/x-protobuf' }), 400, 'not OTLP protobuf');
      assert.equal(await post('{"resourceSpans": []}', { ...auth, 'Content-Type': 'text/plain' }), 415, 'neither encoding');
      assert.equal(await post('{"resourceSpans": []}', { ...auth, 'Content-Encoding': 'br' }), 415, 'a compression it does not read');
      assert.equal(await post('{"resourceSpans": []}', { Authorization: 'bearer s3cret' }), 200, "the scheme's case does not matter");
      assert.equal(await post('{"resourceSpans": []}', { Authorization: 'Bearer s3cret!' }), 401, 'a longer token is not the token');
      assert.equal(store.callCount(), 1, 'nothing refused was recorded');
    } finally {
      await receiver.close();
      store.close();
    }
  });

  it('records the same calls from the real OTLP protobuf exporter as from the JSON one (the same spans sent to two receivers)', async () => {
    const viaJson = await openTelemetryStore();
    const viaProtobuf = await openTelemetryStore();
    const jsonReceiver = await startOtlpReceiver(viaJson, { port: 0 });
    const protobufReceiver = await startOtlpReceiver(viaProtobuf, { port: 0 });
    try {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'agent-cli' }),
        spanProcessors: [
          new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${jsonReceiver.port}/v1/traces` })),
          // gzip, as exporters configured with OTEL_EXPORTER_OTLP_COMPRESSION=gzip send
          new BatchSpanProcessor(
            new OTLPTraceProtoExporter({ url: `http://127.0.0.1:${protobufReceiver.port}/v1/traces`, compression: CompressionAlgorithm.GZIP }),
          ),
        ],
      });
      const tracer = provider.getTracer('gen-ai-test');
      const workflow = tracer.startSpan('invoke_workflow release-notes', {
        attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'release-notes' },
      });
      const inWorkflow = trace.setSpan(context.active(), workflow);
      const agent = tracer.startSpan(
        'invoke_agent drafting',
        { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'drafting' } },
        inWorkflow,
      );
      const inAgent = trace.setSpan(context.active(), agent);
      const ok = tracer.startSpan(
        'chat claude-sonnet-5',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'anthropic',
            'gen_ai.request.model': 'claude-sonnet-5',
            'gen_ai.usage.input_tokens': 1200,
            'gen_ai.usage.cache_read.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 300,
            'gen_ai.usage.cost': 0.0125,
          },
        },
        inAgent,
      );
      ok.end();
      const judged = tracer.startSpan(
        'chat claude-haiku-4-5',
        { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' } },
        inAgent,
      );
      judged.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'accuracy', 'gen_ai.evaluation.score.value': 0.2 });
      judged.end();
      const failed = tracer.startSpan(
        'chat claude-haiku-4-5',
        { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' } },
        inAgent,
      );
      failed.setAttribute('error.type', 'timeout');
      failed.setStatus({ code: SpanStatusCode.ERROR });
      failed.end();
      tracer.startSpan('execute_tool search', { attributes: { 'gen_ai.operation.name': 'execute_tool' } }, inAgent).end();
      agent.end();
      workflow.end();
      await provider.forceFlush();
      await provider.shutdown();
      const seen = (store: typeof viaJson) =>
        store
          .calls()
          .slice()
          .sort((a, b) => a.model.localeCompare(b.model) || String(a.error).localeCompare(String(b.error)));
      assert.equal(protobufReceiver.counts.calls, 3, 'three model calls; the tool call, agent and workflow spans skipped');
      assert.deepEqual(seen(viaProtobuf), seen(viaJson));
      assert.deepEqual(
        seen(viaProtobuf).map((c) => [c.workflow, c.stage, c.model, c.success, c.inputTokens, c.cacheReadTokens, c.cost, c.error]),
        [
          ['release-notes', 'drafting', 'claude-haiku-4-5', false, null, null, null, null],
          ['release-notes', 'drafting', 'claude-haiku-4-5', false, null, null, null, 'timeout'],
          ['release-notes', 'drafting', 'claude-sonnet-5', true, 200, 1000, 0.0125, null],
        ],
      );
    } finally {
      await jsonReceiver.close();
      await protobufReceiver.close();
      viaJson.close();
      viaProtobuf.close();
    }
  });

  it('a model call exported before its agent and workflow spans (one request per span) waits for them; a parent that never comes is given up after holdMs', async () => {
    const store = await openTelemetryStore();
    const receiver = await startOtlpReceiver(store, { port: 0, holdMs: 60_000 });
    try {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'agent-cli' }),
        // Each span is exported as it ends: the model call first, its agent next, the workflow last.
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceProtoExporter({ url: `http://127.0.0.1:${receiver.port}/v1/traces` }))],
      });
      const tracer = provider.getTracer('gen-ai-test');
      const workflow = tracer.startSpan('invoke_workflow triage', {
        attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'triage' },
      });
      const agent = tracer.startSpan(
        'invoke_agent labeller',
        { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'labeller' } },
        trace.setSpan(context.active(), workflow),
      );
      tracer
        .startSpan(
          'chat claude-haiku-4-5',
          { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' } },
          trace.setSpan(context.active(), agent),
        )
        .end();
      await provider.forceFlush();
      await waitFor('the model call to arrive and wait', () => receiver.waiting === 1);
      assert.equal(store.callCount(), 0, 'not recorded under a guessed workflow and stage');
      agent.end();
      await provider.forceFlush();
      assert.equal(receiver.waiting, 1, 'the agent names the stage; the workflow span is still to come');
      workflow.end();
      await provider.forceFlush();
      await waitFor('the call recorded', () => store.callCount() === 1);
      assert.equal(receiver.waiting, 0);
      assert.deepEqual(
        store.calls().map((c) => [c.workflow, c.stage]),
        [['triage', 'labeller']],
      );
      await provider.shutdown();
    } finally {
      await receiver.close();
    }

    // A parent that never comes: after holdMs the call is taken with what is known (the service and span names).
    const quick = await startOtlpReceiver(store, { port: 0, holdMs: 200 });
    try {
      const orphan = JSON.parse(
        exportedTraces((start) => {
          const parent = start('invoke_agent lost', { 'gen_ai.operation.name': 'invoke_agent' });
          end(start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-5' }, parent), 10);
        }),
      );
      const spans = orphan.resourceSpans[0].scopeSpans[0].spans as Array<{ name: string }>;
      orphan.resourceSpans[0].scopeSpans[0].spans = spans.filter((span) => span.name === 'chat'); // its parent is never sent
      const answer = await fetch(`http://127.0.0.1:${quick.port}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify(orphan),
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(answer.status, 200, 'accepted while it waits');
      await waitFor('the orphan call recorded after holdMs', () => store.callCount() === 2);
      assert.deepEqual(
        store
          .calls()
          .filter((c) => c.model === 'claude-sonnet-5')
          .map((c) => [c.workflow, c.stage]),
        [['review-bot', 'chat']],
      );
    } finally {
      await quick.close();
    }

    // Closing (the window goes) records what still waits for its parents, with what is known.
    const closing = await startOtlpReceiver(store, { port: 0, holdMs: 60_000 });
    const waiting = JSON.parse(
      exportedTraces((start) => {
        const parent = start('invoke_agent gone', { 'gen_ai.operation.name': 'invoke_agent' });
        end(start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5' }, parent), 10);
      }),
    );
    waiting.resourceSpans[0].scopeSpans[0].spans = (waiting.resourceSpans[0].scopeSpans[0].spans as Array<{ name: string }>).filter(
      (span) => span.name === 'chat',
    );
    const answer = await fetch(`http://127.0.0.1:${closing.port}/v1/traces`, {
      method: 'POST',
      body: JSON.stringify(waiting),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(answer.status, 200);
    assert.equal(closing.waiting, 1);
    assert.equal(store.callCount(), 2, 'held, not recorded yet');
    await closing.close();
    assert.equal(store.callCount(), 3, 'recorded on close');
    store.close();
  });
});
