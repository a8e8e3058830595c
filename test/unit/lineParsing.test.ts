import { strict as assert } from 'assert';
import { parseTelemetryLine } from '../../src/core/ingest/importers';
import { llmCallsLine, usageLine } from './helpers';

const refuses = (line: string, message: string) => assert.throws(() => parseTelemetryLine(line), { message }, line);
const CALL_FIELDS = 'workflow, stage, tier, model, provider, cost, costEstimated, tokens, durationMs, success, error, cacheHit, ts, id';

describe('one telemetry line: which format, which fields, and what is refused', () => {
  it('tells the three formats apart by their fields', () => {
    assert.equal(parseTelemetryLine('{"call_id":"c","timestamp":"2026-11-20T10:00:00","workflow_name":"w","model_id":"m"}').format, 'llm_calls');
    assert.equal(parseTelemetryLine('{"workflow_name":"w","call_id":"c","timestamp":"2026-11-20T10:00:00","model_id":"m"}').format, 'llm_calls');
    for (const marker of ['"duration_ms":5', '"seq":1', '"user_id":"u"', '"v":1,"cache":{}'])
      assert.equal(parseTelemetryLine(`{"ts":"2026-11-20T10:00:00Z","workflow":"w","model":"m",${marker}}`).format, 'usage', marker);
    refuses(
      '{"workflow":"w","model":"m","v":1}',
      `unknown field "v" (did you mean "ts"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    ); // "v" alone is not a usage line
    refuses(
      '{"workflow":"w","model":"m","cache":{}}',
      `unknown field "cache"; a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    assert.equal(parseTelemetryLine('{"workflow":"w","model":"m"}').format, 'call');
    refuses('{"workflow":"w"}', 'unknown line shape (expected usage.jsonl, llm_calls.jsonl or {workflow, model, ...})');
    refuses('{"model":"m"}', 'unknown line shape (expected usage.jsonl, llm_calls.jsonl or {workflow, model, ...})');
    refuses('not json', 'not valid JSON');
    for (const line of ['null', '[1]', '"text"', '3']) refuses(line, 'not a JSON object');
  });

  it('a call line with a field it does not know is refused, with the likely field named', () => {
    refuses(
      '{"workflow":"w","model":"m","sucess":true}',
      `unknown field "sucess" (did you mean "success"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    refuses(
      '{"workflow":"w","model":"m","latency_ms":5,"tokens":{"prompt":1}}',
      `unknown fields "latency_ms" (did you mean "durationMs"?), "tokens.prompt"; a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    refuses(
      '{"workflow":"w","model":"m","tokens":{"inptu":1}}',
      `unknown field "tokens.inptu" (did you mean "tokens.input"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    refuses(
      '{"workflow":"w","model":"m","input_tokens":1}',
      `unknown field "input_tokens" (did you mean "tokens.input"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    refuses(
      '{"workflow":"w","model":"m","zzz":1}',
      `unknown field "zzz"; a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
    const ok = parseTelemetryLine('{"workflow":"w","model":"m","tokens":{"input":1,"output":2},"stage":"s","cacheHit":true,"id":"x"}');
    assert.deepEqual(ok.call, { workflow: 'w', model: 'm', tokens: { input: 1, output: 2 }, stage: 's', cacheHit: true, id: 'x' });
    assert.equal(parseTelemetryLine('{"workflow":"w","model":"m","tokens":[1]}').format, 'call', 'tokens that are not an object are for validation to refuse');
  });

  it("usage lines: the upstream UsageTracker's fields, an identity from what makes a line unique", () => {
    const { call } = parseTelemetryLine(usageLine({ cost: 0.5, cache: { hit: true }, duration_ms: 7, seq: 3 }));
    assert.deepEqual(call, {
      id: 'usage|2026-11-20T10:00:00Z|u|3|w|s|m',
      ts: '2026-11-20T10:00:00Z',
      workflow: 'w',
      stage: 's',
      tier: 'CHEAP',
      model: 'm',
      provider: 'p',
      cost: 0.5,
      tokens: { input: 1, output: 2 },
      durationMs: 7,
      cacheHit: true,
      success: null,
    });
    const bare = parseTelemetryLine('{"ts":"2026-11-20T10:00:00Z","workflow":"w","model":"m","seq":1,"tier":"ULTRA","success":false}').call;
    assert.deepEqual(
      [bare.id, bare.stage, bare.provider, bare.tier, bare.cost, bare.cacheHit, bare.success],
      ['usage|2026-11-20T10:00:00Z||1|w||m', null, null, null, null, null, false],
    );
    refuses('{"workflow":"w","model":"m","seq":1}', '"ts" is missing');
    refuses('{"ts":"t","workflow":"w","model":"m","seq":1,"tokens":5}', '"tokens" and "cache" must be objects');
    refuses('{"ts":"t","workflow":"w","model":"m","seq":1,"cache":"x"}', '"tokens" and "cache" must be objects');
    refuses('{"ts":"t","workflow":"w","model":"m","seq":1,"cost":"1"}', '"cost" is not a number');
    refuses('{"ts":"t","workflow":"w","model":"m","seq":1,"tokens":{"input":"1"}}', '"input" is not a number');
    refuses('{"ts":"t","workflow":"w","model":"m","seq":1,"success":"yes"}', '"success" is not true or false');
  });

  it("prompt-cache tokens: from the usage line's tokens or cache object, llm_calls fields, Anthropic's names and breakdown, and call lines", () => {
    const tokensOf = (line: string) => parseTelemetryLine(line).call.tokens;
    assert.deepEqual(tokensOf(usageLine({ tokens: { input: 1, output: 2, cache_read: 900, cache_write: 100 } })), {
      input: 1,
      output: 2,
      cacheRead: 900,
      cacheWrite: 100,
    });
    assert.deepEqual(
      tokensOf(
        usageLine({ cache: { hit: false, cache_read_input_tokens: 50, cache_creation_input_tokens: 30, cache_creation: { ephemeral_1h_input_tokens: 20 } } }),
      ),
      { input: 1, output: 2, cacheRead: 50, cacheWrite: 30, cacheWrite1h: 20 },
    );
    assert.deepEqual(tokensOf(usageLine({ cache: { hit: true } })), { input: 1, output: 2 }, 'none given: none recorded (unknown, not 0)');
    assert.deepEqual(tokensOf(llmCallsLine({ call_id: 'c', timestamp: '2026-11-20T10:00:00Z', cache_read_tokens: 7, cache_write_tokens: 3 })), {
      input: 1,
      output: 2,
      cacheRead: 7,
      cacheWrite: 3,
    });
    assert.deepEqual(tokensOf('{"workflow":"w","model":"m","tokens":{"input":1,"cacheRead":5,"cacheWrite":4,"cacheWrite1h":2}}'), {
      input: 1,
      cacheRead: 5,
      cacheWrite: 4,
      cacheWrite1h: 2,
    });
    refuses(usageLine({ tokens: { input: 1, cache_read: '9' } }), '"cache_read" is not a number');
    refuses(
      '{"workflow":"w","model":"m","tokens":{"cache_read":5}}',
      `unknown field "tokens.cache_read" (did you mean "tokens.cacheRead"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    );
  });

  it('llm_calls lines: ids, actual cost before the estimate, error text joined', () => {
    const { call } = parseTelemetryLine(
      llmCallsLine({
        call_id: 'c1',
        timestamp: '2026-11-20T10:00:00Z',
        tier: 'capable',
        estimated_cost: 0.2,
        actual_cost: 0.1,
        latency_ms: 9,
        success: false,
        error_type: 'Timeout',
        error_message: 'took too long',
      }),
    );
    assert.deepEqual(
      { ...call, ts: (call.ts as Date).toISOString() },
      {
        id: 'llm_calls|c1',
        ts: '2026-11-20T10:00:00.000Z',
        workflow: 'w',
        stage: 's',
        tier: 'capable',
        model: 'm',
        provider: 'p',
        cost: 0.1,
        costEstimated: null,
        tokens: { input: 1, output: 2 },
        durationMs: 9,
        success: false,
        error: 'Timeout: took too long',
      },
    );
    const estimated = parseTelemetryLine(
      '{"call_id":"c2","timestamp":"2026-11-20T10:00:00Z","workflow_name":"w","model_id":"m","estimated_cost":0.2,"error_message":"x","error_type":""}',
    ).call;
    assert.deepEqual(
      [estimated.cost, estimated.costEstimated, estimated.error, estimated.stage, estimated.provider],
      [0.2, true, 'x', null, null],
      "the framework's estimate stands in for the actual cost, marked as an estimate",
    );
    refuses('{"call_id":"","timestamp":"2026-11-20T10:00:00Z","workflow_name":"w","model_id":"m"}', '"call_id" is missing');
    refuses('{"call_id":5,"workflow_name":"w"}', '"call_id" is missing');
    refuses('{"workflow_name":"w","model_id":"m","timestamp":"x"}', '"call_id" is missing');
  });
});
