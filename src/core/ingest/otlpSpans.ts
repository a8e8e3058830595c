import type { LlmCallInput } from '../types';
import { CACHE_HIT_ATTRIBUTE, COST_ATTRIBUTE, COST_ESTIMATED_ATTRIBUTE, NO_DURATION_ATTRIBUTE, TIER_ATTRIBUTE } from './otlpExport';

/**
 * LLM calls from OTLP JSON traces (an ExportTraceServiceRequest: resourceSpans / scopeSpans / spans),
 * following the OpenTelemetry GenAI semantic conventions (semconv 1.37; older names read too, see
 * below). A span is an LLM call when `gen_ai.operation.name` is a model call; other spans are counted
 * as skipped. Malformed structure throws: the caller imports nothing of that request.
 */
export const MODEL_CALL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content']);

/** The fields a rule override names an attribute for. */
export const OTLP_FIELDS = ['workflow', 'stage', 'model', 'provider', 'inputTokens', 'outputTokens', 'score'] as const;
export type OtlpField = (typeof OTLP_FIELDS)[number];

/** How spans become calls, where a team's instrumentation differs from the conventions (settings `adaptiveRouting.otlp.*`). */
export interface OtlpRules {
  /** An evaluation score below this marks a failure (default 0.5). */
  evaluationThreshold?: number;
  /** `gen_ai.operation.name` values taken as model calls (default: MODEL_CALL_OPERATIONS). */
  modelCallOperations?: string[];
  /**
   * Per field, an attribute read before the conventions' own: on the span (workflow and stage: then
   * on its enclosing spans, then on the resource). E.g. `{ stage: 'app.step' }`.
   */
  attributes?: Partial<Record<OtlpField, string>>;
}

export interface OtlpCalls {
  calls: LlmCallInput[];
  /** Spans that are not model calls (tool calls, agents, workflows, HTTP...). */
  skippedSpans: number;
  /**
   * The calls (indices in `calls`) whose chain of enclosing spans stops at a parent that is neither
   * in the request nor known: an exporter that sends children first sends it later.
   */
  openAncestry: Set<number>;
}

/** A span of an OTLP JSON request, as far as the mapping reads it. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  events?: Array<{ name: string; attributes?: KeyValue[] }>;
  status?: { code?: number | string };
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value?: AnyValue };
export function isOtlpTraces(value: unknown): value is { resourceSpans: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { resourceSpans?: unknown }).resourceSpans);
}

/**
 * Every span object of a request with its resource, as far as the structure goes (nothing checked:
 * for indexing spans, and for the protobuf reader's id conversion; callsFromOtlp checks).
 */
export function spanEntries(request: unknown): Array<{ span: OtlpSpan; resource: unknown }> {
  if (!isOtlpTraces(request)) return [];
  return request.resourceSpans.flatMap((rs) => {
    const { resource, scopeSpans } = (rs ?? {}) as { resource?: unknown; scopeSpans?: unknown };
    if (!Array.isArray(scopeSpans)) return [];
    return scopeSpans.flatMap((ss: { spans?: unknown } | null) =>
      Array.isArray(ss?.spans) ? (ss.spans as OtlpSpan[]).map((span) => ({ span, resource })) : [],
    );
  });
}

/** Where the mapping finds spans of earlier requests by id. */
export type KnownSpans = Pick<ReadonlyMap<string, OtlpSpan>, 'get'>;

function fail(where: string, what: string): never {
  throw new Error(`not an OTLP trace export: ${where} ${what}`);
}

function valueOf(v: AnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return undefined;
}

function attributes(list: KeyValue[] | undefined, where: string): Map<string, string | number | boolean | undefined> {
  if (list !== undefined && !Array.isArray(list)) fail(where, 'has attributes that are not a list');
  return new Map((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

/** Unix nanoseconds (a decimal string in OTLP JSON) as milliseconds. */
function millis(nanos: string | number, where: string): number {
  if (typeof nanos === 'number') return nanos / 1e6;
  if (typeof nanos !== 'string' || !/^\d+$/.test(nanos)) fail(where, 'has a time that is not a number of nanoseconds');
  return Number(BigInt(nanos) / 1000n) / 1000;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * The calls in one export request. `known` holds spans of earlier requests (by span id) where the
 * enclosing workflow and agent spans may be found; the request's own spans are looked up first.
 */
export function callsFromOtlp(request: unknown, rules: OtlpRules = {}, known?: KnownSpans): OtlpCalls {
  if (!isOtlpTraces(request)) fail('the document', 'has no resourceSpans list');
  const threshold = rules.evaluationThreshold ?? 0.5;
  const operations = rules.modelCallOperations?.length ? new Set(rules.modelCallOperations) : MODEL_CALL_OPERATIONS;
  const own = rules.attributes ?? {};
  const calls: LlmCallInput[] = [];
  const openAncestry = new Set<number>();
  let skippedSpans = 0;
  request.resourceSpans.forEach((rs, r) => {
    const where = `resourceSpans[${r}]`;
    if (typeof rs !== 'object' || rs === null) fail(where, 'is not an object');
    const resource = attributes((rs as { resource?: { attributes?: KeyValue[] } }).resource?.attributes, where);
    const scopeSpans = (rs as { scopeSpans?: unknown }).scopeSpans ?? [];
    if (!Array.isArray(scopeSpans)) fail(where, 'has scopeSpans that are not a list');
    const spans: OtlpSpan[] = scopeSpans.flatMap((ss: { spans?: unknown }, s) => {
      if (ss.spans !== undefined && !Array.isArray(ss.spans)) fail(`${where}.scopeSpans[${s}]`, 'has spans that are not a list');
      return (ss.spans ?? []) as OtlpSpan[];
    });
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    spans.forEach((span, i) => {
      const at = `${where} span ${i}`;
      if (typeof span !== 'object' || span === null || typeof span.name !== 'string' || typeof span.spanId !== 'string') fail(at, 'has no name or spanId');
      const attrs = attributes(span.attributes, at);
      if (!operations.has(String(attrs.get('gen_ai.operation.name') ?? ''))) {
        skippedSpans++;
        return;
      }
      // The enclosing workflow and agent spans name the workflow and the stage, when the span does not.
      const ancestors: Array<Map<string, unknown> & { name?: string }> = [];
      const spanOf = (id: string | undefined) => (id ? (byId.get(id) ?? known?.get(id)) : undefined);
      let missing = span.parentSpanId || undefined;
      for (let parent = spanOf(missing), hops = 0; parent && hops < 64; parent = spanOf(parent.parentSpanId), hops++) {
        ancestors.push(Object.assign(attributes(parent.attributes, at), { name: parent.name }));
        missing = parent.parentSpanId || undefined;
      }
      if (missing && !spanOf(missing)) openAncestry.add(calls.length);
      const enclosing = (operation: string, key: string) => {
        const found = ancestors.find((a) => a.get('gen_ai.operation.name') === operation);
        return found && (text(found.get(key)) ?? found.name);
      };
      // A field's own attribute (rules.attributes) on the span, its enclosing spans, then the resource.
      const overridden = (field: OtlpField, inherited: boolean) => {
        const key = own[field];
        if (!key) return undefined;
        if (!inherited) return attrs.get(key);
        return [attrs, ...ancestors, resource].map((a) => a.get(key)).find((v) => v !== undefined && v !== '');
      };
      const workflow =
        text(overridden('workflow', true)) ??
        text(attrs.get('gen_ai.workflow.name')) ??
        ancestors.map((a) => text(a.get('gen_ai.workflow.name'))).find(Boolean) ??
        enclosing('invoke_workflow', 'gen_ai.workflow.name') ??
        text(resource.get('service.name')) ??
        'unknown-service';
      const stage = text(overridden('stage', true)) ?? text(attrs.get('gen_ai.agent.name')) ?? enclosing('invoke_agent', 'gen_ai.agent.name') ?? span.name;
      const start = millis(span.startTimeUnixNano, at);
      const end = millis(span.endTimeUnixNano, at);
      // Cache tokens are part of gen_ai.usage.input_tokens in the conventions; our input tokens are the uncached rest.
      const cacheRead = count(attrs.get('gen_ai.usage.cache_read.input_tokens') ?? attrs.get('gen_ai.usage.cache_read_input_tokens'));
      const cacheWrite = count(attrs.get('gen_ai.usage.cache_creation.input_tokens') ?? attrs.get('gen_ai.usage.cache_creation_input_tokens'));
      const input = count(overridden('inputTokens', false) ?? attrs.get('gen_ai.usage.input_tokens') ?? attrs.get('gen_ai.usage.prompt_tokens'));
      const output = count(overridden('outputTokens', false) ?? attrs.get('gen_ai.usage.output_tokens') ?? attrs.get('gen_ai.usage.completion_tokens'));
      const statusCode = span.status?.code;
      const errored = statusCode === 2 || statusCode === 'STATUS_CODE_ERROR' || attrs.get('error.type') !== undefined;
      // A score: the rule's attribute on the span, else a gen_ai.evaluation.result event's, else the
      // event attribute's name on the span itself (tools that record one evaluation flatten it so).
      const score =
        count(overridden('score', false)) ??
        (span.events ?? [])
          .filter((e) => e.name === 'gen_ai.evaluation.result')
          .map((e) => count(attributes(e.attributes, at).get('gen_ai.evaluation.score.value')))
          .find((v) => v !== undefined) ??
        count(attrs.get('gen_ai.evaluation.score.value'));
      const cost = count(attrs.get(COST_ATTRIBUTE));
      const tier = text(attrs.get(TIER_ATTRIBUTE));
      const flag = (key: string) => (typeof attrs.get(key) === 'boolean' ? (attrs.get(key) as boolean) : undefined);
      calls.push({
        id: `otlp:${span.traceId}:${span.spanId}`,
        ts: new Date(start),
        workflow,
        stage,
        model:
          text(overridden('model', false)) ??
          text(attrs.get('gen_ai.response.model')) ??
          text(attrs.get('gen_ai.request.model')) ??
          fail(at, `is a model call without gen_ai.request.model${own.model ? ` or ${own.model}` : ''}`),
        provider: text(overridden('provider', false)) ?? text(attrs.get('gen_ai.provider.name')) ?? text(attrs.get('gen_ai.system')),
        ...(cost === undefined ? {} : { cost }),
        ...(tier === undefined ? {} : { tier }),
        ...(flag(COST_ESTIMATED_ATTRIBUTE) === undefined ? {} : { costEstimated: flag(COST_ESTIMATED_ATTRIBUTE) }),
        ...(flag(CACHE_HIT_ATTRIBUTE) === undefined ? {} : { cacheHit: flag(CACHE_HIT_ATTRIBUTE) }),
        tokens: {
          input: input === undefined ? undefined : Math.max(0, input - (cacheRead ?? 0) - (cacheWrite ?? 0)),
          output,
          cacheRead,
          cacheWrite,
        },
        durationMs: attrs.get(NO_DURATION_ATTRIBUTE) === true ? undefined : Math.max(0, end - start),
        success: !errored && (score === undefined || score >= threshold),
        // '_OTHER' is the conventions' "no better type": no text of ours either.
        error: errored && attrs.get('error.type') !== '_OTHER' ? String(attrs.get('error.type') ?? 'error') : undefined,
      });
    });
  });
  return { calls, skippedSpans, openAncestry };
}
