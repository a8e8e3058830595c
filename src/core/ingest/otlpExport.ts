import type { LlmCall } from '../types';

/**
 * Calls as OpenTelemetry GenAI spans (semconv 1.37), in OTLP JSON: what an OTLP backend or a
 * collector's file receiver accepts, and what our importer reads back. Besides the conventions'
 * attributes, `gen_ai.usage.cost` carries the call's cost in USD and `adaptive_routing.*` what the
 * conventions have no name for (tier, whether the cost is an estimate, a cache hit, an unmeasured latency).
 */
export const COST_ATTRIBUTE = 'gen_ai.usage.cost';
export const TIER_ATTRIBUTE = 'adaptive_routing.tier';
export const COST_ESTIMATED_ATTRIBUTE = 'adaptive_routing.cost_estimated';
export const CACHE_HIT_ATTRIBUTE = 'adaptive_routing.cache_hit';
/** A call whose latency nobody measured: its span has no length, and this says that is not a measurement. */
export const NO_DURATION_ATTRIBUTE = 'adaptive_routing.duration_unknown';

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function attribute(key: string, value: string | number | boolean | null | undefined): Array<{ key: string; value: AnyValue }> {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
  if (typeof value === 'boolean') return [{ key, value: { boolValue: value } }];
  return [{ key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }];
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

/** One OTLP export request holding `calls` as spans of one resource (the service name given). */
export function otlpRequestOf(calls: LlmCall[], serviceName = 'adaptive-model-router'): object {
  const spans = calls.map((c) => {
    // Deterministic ids: the call's identity (53 bits) in the span id, its time in the trace id.
    const spanId = hex(c.id, 16);
    const traceId = hex(c.ts, 16) + spanId;
    const start = BigInt(Math.round(c.ts)) * 1_000_000n;
    const end = start + BigInt(Math.round(c.durationMs ?? 0)) * 1_000_000n;
    const cached = (c.cacheReadTokens ?? 0) + (c.cacheWriteTokens ?? 0);
    return {
      traceId,
      spanId,
      name: `chat ${c.model}`,
      kind: 3, // CLIENT
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(end),
      attributes: [
        ...attribute('gen_ai.operation.name', 'chat'),
        ...attribute('gen_ai.provider.name', c.provider),
        ...attribute('gen_ai.request.model', c.model),
        // The exact id the call reported (a dated snapshot), where it differs: imported back as the same model.
        ...attribute('gen_ai.response.model', c.modelVersion ?? null),
        ...attribute('gen_ai.workflow.name', c.workflow),
        ...attribute('gen_ai.agent.name', c.stage),
        // The conventions count cached tokens inside input_tokens.
        ...attribute('gen_ai.usage.input_tokens', c.inputTokens === null ? null : c.inputTokens + cached),
        ...attribute('gen_ai.usage.output_tokens', c.outputTokens),
        ...attribute('gen_ai.usage.cache_read.input_tokens', c.cacheReadTokens),
        ...attribute('gen_ai.usage.cache_creation.input_tokens', c.cacheWriteTokens),
        ...attribute(COST_ATTRIBUTE, c.cost),
        ...attribute(TIER_ATTRIBUTE, c.tier),
        ...attribute(COST_ESTIMATED_ATTRIBUTE, c.costEstimated),
        ...attribute(CACHE_HIT_ATTRIBUTE, c.cacheHit),
        ...attribute(NO_DURATION_ATTRIBUTE, c.durationMs === null ? true : null),
        ...attribute('error.type', c.success === false ? (c.error ?? '_OTHER') : null),
      ],
      status: c.success === false ? { code: 2, message: c.error ?? '' } : { code: 0 },
    };
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: attribute('service.name', serviceName) },
        scopeSpans: [{ scope: { name: 'adaptive-model-router' }, spans }],
      },
    ],
  };
}

/** Calls as OTLP JSON lines, one export request per `perLine` calls (a collector's file format). */
export function otlpJsonLines(calls: LlmCall[], perLine = 1000): string {
  let out = '';
  for (const line of otlpJsonLineStream([calls], perLine)) out += line + '\n';
  return out;
}

/**
 * The same lines (without their newline) from pages of calls, one at a time, adding the calls of
 * each to `counted`: an export never builds one string of the whole (~950 bytes a call: a million
 * calls is past the longest string V8 makes).
 */
export function* otlpJsonLineStream(pages: Iterable<LlmCall[]>, perLine = 1000, counted = { calls: 0 }): Generator<string> {
  let line: LlmCall[] = [];
  for (const page of pages)
    for (const call of page) {
      line.push(call);
      if (line.length < perLine) continue;
      counted.calls += line.length;
      yield JSON.stringify(otlpRequestOf(line));
      line = [];
    }
  if (line.length) {
    counted.calls += line.length;
    yield JSON.stringify(otlpRequestOf(line));
  }
}
