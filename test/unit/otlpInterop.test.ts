import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as path from 'path';
import { ModelRegistry, openTelemetryStore, type LlmCall, type TelemetryStore } from '../../src/core';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/core/ingest/otlpReceiver';
import { SNAPSHOTS, USAGE, startProviderStandIn, type StandIn } from '../interop/providerStandIn';
import { waitFor } from '../poll';

/**
 * The instrumentation libraries people use, for real (pinned in test/interop/package.json): each app in
 * test/interop/apps drives a real LLM SDK against the stand-in provider (the only stand-in: the
 * provider is beyond this machine) and exports its spans to the real receiver, in a child process
 * of its own (the libraries patch modules globally). Every app makes the same six calls
 * (scenarios.cjs): a cheap model twice plus once with prompt-cache tokens and once streamed, a
 * capable model of the same family once, a 4xx and a 5xx on the cheap model.
 */
const apps = path.join(__dirname, '..', 'interop', 'apps');

async function runApp(app: string, standIn: StandIn, receiver: OtlpReceiver): Promise<void> {
  const child = spawn(process.execPath, [path.join(apps, app)], {
    cwd: path.dirname(apps),
    env: { ...process.env, OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`, PROVIDER_URL: standIn.url, OTEL_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `${app} failed:\n${output}`);
}

/** Runs an app against a fresh store and receiver; the calls once every one the app sent is recorded (none held for a parent). */
async function callsOf(app: string, expected: number): Promise<{ calls: LlmCall[]; store: TelemetryStore; receiver: OtlpReceiver }> {
  const store = await openTelemetryStore();
  const standIn = await startProviderStandIn();
  const receiver = await startOtlpReceiver(store, { port: 0, holdMs: 2000 });
  try {
    await runApp(app, standIn, receiver);
    assert.equal(standIn.requests, 6, 'the app made its six calls');
    await waitFor(`${expected} calls from ${app}`, () => receiver.waiting === 0 && store.callCount() >= expected, 20_000);
    return { calls: store.calls().sort((a, b) => a.ts - b.ts), store, receiver };
  } finally {
    await receiver.close();
    await standIn.close();
  }
}

const registry = new ModelRegistry();
/** What the catalogue's list prices make of a call's tokens (the estimate every surface shows). */
const estimate = (c: LlmCall) =>
  registry.priceTokens(c.model, {
    input: c.inputTokens ?? 0,
    output: c.outputTokens ?? 0,
    cacheRead: c.cacheReadTokens ?? 0,
    cacheWrite: c.cacheWriteTokens ?? 0,
  });

/** The points every library must meet: one model per family, both models in one stage, failures counted, the exact ids kept. */
function assertCommon(calls: LlmCall[], cheap: string, capable: string, expect: { workflow: string; stage: string; failures: number }): void {
  assert.deepEqual([...new Set(calls.map((c) => c.model))].sort(), [capable, cheap].sort(), 'one model per family: no dated id of its own');
  assert.deepEqual([...new Set(calls.map((c) => `${c.workflow} / ${c.stage}`))], [`${expect.workflow} / ${expect.stage}`], 'both models in one stage');
  assert.equal(calls.filter((c) => c.success === false).length, expect.failures, 'every failure the library sends is counted');
  const versions = new Set(calls.map((c) => c.modelVersion).filter(Boolean));
  assert.ok(versions.has(SNAPSHOTS[cheap]) && versions.has(SNAPSHOTS[capable]), `the dated ids are kept as details: ${[...versions].join(', ')}`);
  for (const c of calls.filter((call) => call.success !== false && call.inputTokens !== null)) {
    const price = estimate(c);
    assert.ok(price !== null && price > 0, `${c.model} is priced from the catalogue`);
    assert.equal(c.cost, null, 'no cost was reported: it is estimated, not billed');
  }
}

describe('OpenTelemetry interop: the real instrumentation libraries into the receiver', function () {
  this.timeout(90_000);

  it('@opentelemetry/instrumentation-openai (GenAI conventions, protobuf): stage "chat" for both models, failures with their error type', async () => {
    const { calls } = await callsOf('otelOpenai.cjs', 6);
    assertCommon(calls, 'gpt-4o-mini', 'gpt-4o', { workflow: 'review-bot', stage: 'chat', failures: 2 });
    assert.deepEqual(
      calls.filter((c) => c.success === false).map((c) => c.error),
      ['BadRequestError', 'InternalServerError'],
    );
    const plain = calls.find((c) => c.model === 'gpt-4o' && c.success)!;
    assert.deepEqual([plain.inputTokens, plain.outputTokens, plain.provider], [USAGE.input, USAGE.output, 'openai']);
    // This library reports OpenAI's prompt_tokens (cached ones included) and no cache attribute: all of it is input.
    assert.ok(calls.some((c) => c.inputTokens === USAGE.input + USAGE.cacheRead));
    assert.equal(estimate(plain)!.toFixed(8), ((USAGE.input * 2.5 + USAGE.output * 10) / 1e6).toFixed(8), 'gpt-4o at its list price');
  });

  it('OpenLLMetry (@traceloop/node-server-sdk) on Anthropic: workflow and task names, cache tokens as Anthropic reports them, streamed calls', async () => {
    const { calls } = await callsOf('traceloopAnthropic.cjs', 6);
    assertCommon(calls, 'claude-haiku-4-5', 'claude-sonnet-4-5', { workflow: 'code-review', stage: 'analysis', failures: 2 });
    const cached = calls.find((c) => c.cacheReadTokens);
    assert.deepEqual(
      [cached?.inputTokens, cached?.cacheReadTokens, cached?.cacheWriteTokens],
      [USAGE.input, USAGE.cacheRead, USAGE.cacheWrite],
      'input as Anthropic counts it (without the cache), never zeroed by subtracting the cache from it',
    );
    // haiku 4.5: $1 input, $5 output per million; cache reads 0.1x, writes 1.25x the input price.
    const expected = (USAGE.input + 0.1 * USAGE.cacheRead + 1.25 * USAGE.cacheWrite + 5 * USAGE.output) / 1e6;
    assert.equal(estimate(cached!)!.toFixed(8), expected.toFixed(8));
    assert.equal(calls.filter((c) => c.success && c.outputTokens === USAGE.output).length, 4, 'the streamed call has its tokens too');
  });

  it('the Vercel AI SDK (experimental_telemetry): its provider-call spans are the calls, the function id the stage, metadata the workflow', async () => {
    const { calls } = await callsOf('vercelAi.mjs', 6);
    assertCommon(calls, 'claude-haiku-4-5', 'claude-sonnet-4-5', { workflow: 'release-notes', stage: 'summarize', failures: 2 });
    assert.deepEqual(
      calls.filter((c) => c.success === false).map((c) => c.error),
      ['prompt is too long', 'Internal server error'],
    );
    const cached = calls.find((c) => c.cacheReadTokens)!;
    assert.deepEqual(
      [cached.inputTokens, cached.cacheReadTokens, cached.cacheWriteTokens],
      [USAGE.input, USAGE.cacheRead, USAGE.cacheWrite],
      'its input includes the cache: taken out',
    );
    assert.ok(calls.every((c) => c.provider === 'anthropic'));
    // sonnet 4.5 from the catalogue: $3 input, $15 output per million.
    const sonnet = calls.find((c) => c.model === 'claude-sonnet-4-5')!;
    assert.equal(estimate(sonnet)!.toFixed(8), ((USAGE.input * 3 + USAGE.output * 15) / 1e6).toFixed(8));
  });

  it('OpenInference (@arizeai/openinference-instrumentation-openai): LLM spans by their kind, the enclosing chain as the stage', async () => {
    // It sends no span for a failed call (a limit of the library, said in the README): four calls arrive.
    const { calls } = await callsOf('openinferenceOpenai.cjs', 4);
    assertCommon(calls, 'gpt-4o-mini', 'gpt-4o', { workflow: 'triage-bot', stage: 'triage', failures: 0 });
    assert.equal(calls.length, 4);
    const cached = calls.find((c) => c.cacheReadTokens)!;
    assert.deepEqual([cached.inputTokens, cached.cacheReadTokens], [USAGE.input, USAGE.cacheRead], 'prompt tokens include the cache read: taken out');
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million.
    assert.equal(estimate(cached)!.toFixed(8), ((USAGE.input * 0.15 + USAGE.cacheRead * 0.075 + USAGE.output * 0.6) / 1e6).toFixed(8));
  });
});
