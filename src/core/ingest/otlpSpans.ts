import type { LlmCallInput } from '../types';
import { modelOfCall } from '../routing/modelIdentity';
import { validateCall } from './callValidation';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  INPUT_TOKEN_KEYS,
  OUTPUT_TOKEN_KEYS,
  RESPONSE_MODEL_KEYS,
  conventionalStage,
  conventionalWorkflow,
  count,
  firstCount,
  firstText,
  modelCallKind,
  nameWithoutModel,
  providerOf,
  requestedModel,
  text,
  uncachedInput,
  type Ancestor,
} from './otlpConventions';
import { CACHE_HIT_ATTRIBUTE, COST_ATTRIBUTE, COST_ESTIMATED_ATTRIBUTE, NO_DURATION_ATTRIBUTE, TIER_ATTRIBUTE } from './otlpExport';

/**
 * LLM calls from OTLP JSON traces (an ExportTraceServiceRequest: resourceSpans / scopeSpans / spans),
 * following the OpenTelemetry GenAI semantic conventions (semconv 1.37; older names read too) and
 * the widely used instrumentation libraries' own (otlpConventions.ts). A span is an LLM call when one
 * of them says so; other spans are counted as skipped. A model call that cannot be stored (no model,
 * a name too long) is rejected alone, with the reason. Malformed structure throws: the caller
 * imports nothing of that request.
 */
export { MODEL_CALL_OPERATIONS } from './otlpConventions';

/** The fields a rule override names an attribute for. */
export const OTLP_FIELDS = ['workflow', 'stage', 'model', 'provider', 'inputTokens', 'outputTokens', 'score'] as const;
export type OtlpField = (typeof OTLP_FIELDS)[number];

/** How spans become calls, where a team's instrumentation differs from the conventions (settings `adaptiveRouting.otlp.*`). */
export interface OtlpRules {
  /** An evaluation score below this marks a failure (default 0.5). */
  evaluationThreshold?: number;
  /** `gen_ai.operation.name` values taken as model calls (default: MODEL_CALL_OPERATIONS). */
  modelCallOperations?: string[];
  /** Span names taken as model calls besides the conventions' (`my.llm.call`; a trailing `*` matches a prefix). */
  modelCallSpanNames?: string[];
  /**
   * Per field, an attribute read before the conventions' own: on the span (workflow and stage: then
   * on its enclosing spans, then on the resource). E.g. `{ stage: 'app.step' }`.
   */
  attributes?: Partial<Record<OtlpField, string>>;
}

/** Spans that did not become calls, by reason. */
export interface SkippedSpans {
  /** Tool calls, agents, workflows, HTTP...: nothing to record. */
  notModelCalls: number;
  /** Model calls that name no model. */
  withoutModel: number;
  /** Model calls that cannot be stored (a name over 200 characters, a time in the future...). */
  invalid: number;
}

export interface OtlpCalls {
  calls: LlmCallInput[];
  skipped: SkippedSpans;
  /** Why each rejected model call (without a model, or invalid) was rejected, span name first. */
  rejections: string[];
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
  status?: { code?: number | string; message?: string };
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

export const noSkippedSpans = (): SkippedSpans => ({ notModelCalls: 0, withoutModel: 0, invalid: 0 });

/** Adds `more` into `into`. */
export function addSkipped(into: SkippedSpans, more: SkippedSpans): SkippedSpans {
  into.notModelCalls += more.notModelCalls;
  into.withoutModel += more.withoutModel;
  into.invalid += more.invalid;
  return into;
}

/** Model-call spans that were refused: without a model or not storable (what OTLP's partial success calls rejected). */
export const rejectedSpans = (s: SkippedSpans) => s.withoutModel + s.invalid;

/** "10 spans skipped: 8 not model calls, 2 without a model", or '' when none were. */
export function describeSkipped(s: SkippedSpans): string {
  const total = s.notModelCalls + s.withoutModel + s.invalid;
  if (total === 0) return '';
  const parts = [
    s.notModelCalls ? `${s.notModelCalls} not ${s.notModelCalls === 1 ? 'a model call' : 'model calls'}` : '',
    s.withoutModel ? `${s.withoutModel} without a model` : '',
    s.invalid ? `${s.invalid} not storable` : '',
  ].filter(Boolean);
  return `${total} ${total === 1 ? 'span' : 'spans'} skipped: ${parts.join(', ')}`;
}

/**
 * The calls in one export request. `known` holds spans of earlier requests (by span id) where the
 * enclosing workflow and agent spans may be found; the request's own spans are looked up first.
 * Each call is checked as the store will check it (`now` is the store's clock), so one bad span
 * is rejected alone.
 */
export function callsFromOtlp(request: unknown, rules: OtlpRules = {}, known?: KnownSpans, now: () => Date = () => new Date()): OtlpCalls {
  if (!isOtlpTraces(request)) fail('the document', 'has no resourceSpans list');
  const threshold = rules.evaluationThreshold ?? 0.5;
  const own = rules.attributes ?? {};
  const calls: LlmCallInput[] = [];
  const openAncestry = new Set<number>();
  const skipped = noSkippedSpans();
  const rejections: string[] = [];
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
      if (!modelCallKind(span.name, attrs, rules)) {
        skipped.notModelCalls++;
        return;
      }
      const reject = (reason: string, kind: 'withoutModel' | 'invalid') => {
        skipped[kind]++;
        rejections.push(`${JSON.stringify(span.name.length > 80 ? span.name.slice(0, 80) + '…' : span.name)}: ${reason}`);
      };
      // The enclosing spans (workflow, agent, task...) name the workflow and the stage, when the span does not.
      const ancestors: Ancestor[] = [];
      const spanOf = (id: string | undefined) => (id ? (byId.get(id) ?? known?.get(id)) : undefined);
      let missing = span.parentSpanId || undefined;
      for (let parent = spanOf(missing), hops = 0; parent && hops < 64; parent = spanOf(parent.parentSpanId), hops++) {
        ancestors.push(Object.assign(attributes(parent.attributes, at), { name: parent.name }));
        missing = parent.parentSpanId || undefined;
      }
      // A field's own attribute (rules.attributes) on the span, its enclosing spans, then the resource.
      const overridden = (field: OtlpField, inherited: boolean) => {
        const key = own[field];
        if (!key) return undefined;
        if (!inherited) return attrs.get(key);
        return [attrs, ...ancestors, resource].map((a) => a.get(key)).find((v) => v !== undefined && v !== '');
      };
      const requested = requestedModel(attrs);
      const responded = firstText(attrs, RESPONSE_MODEL_KEYS);
      const ownModel = text(overridden('model', false));
      const model = ownModel ?? modelOfCall(requested, responded);
      if (!model) return reject(`a model call without a model (gen_ai.request.model${own.model ? ` or ${own.model}` : ''})`, 'withoutModel');
      const workflow = text(overridden('workflow', true)) ?? conventionalWorkflow(attrs, ancestors) ?? text(resource.get('service.name')) ?? 'unknown-service';
      const stage = text(overridden('stage', true)) ?? conventionalStage(attrs, ancestors) ?? nameWithoutModel(span.name, [requested, responded, model]);
      const start = millis(span.startTimeUnixNano, at);
      const end = millis(span.endTimeUnixNano, at);
      const cacheRead = firstCount(attrs, CACHE_READ_KEYS);
      const cacheWrite = firstCount(attrs, CACHE_WRITE_KEYS);
      const input = count(overridden('inputTokens', false)) ?? firstCount(attrs, INPUT_TOKEN_KEYS);
      const output = count(overridden('outputTokens', false)) ?? firstCount(attrs, OUTPUT_TOKEN_KEYS);
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
      // A reported cost of exactly 0 with tokens is a library without a price for the model, not a free call: estimated instead.
      const reported = count(attrs.get(COST_ATTRIBUTE));
      const cost = reported === 0 && ((input ?? 0) > 0 || (output ?? 0) > 0) ? undefined : reported;
      const tier = text(attrs.get(TIER_ATTRIBUTE));
      const flag = (key: string) => (typeof attrs.get(key) === 'boolean' ? (attrs.get(key) as boolean) : undefined);
      const exact = responded ?? requested;
      const call: LlmCallInput = {
        id: `otlp:${span.traceId}:${span.spanId}`,
        ts: new Date(start),
        workflow,
        stage,
        model,
        ...(exact && exact !== model && !ownModel ? { modelVersion: exact } : {}),
        provider: text(overridden('provider', false)) ?? providerOf(attrs),
        ...(cost === undefined ? {} : { cost }),
        ...(tier === undefined ? {} : { tier }),
        ...(flag(COST_ESTIMATED_ATTRIBUTE) === undefined ? {} : { costEstimated: flag(COST_ESTIMATED_ATTRIBUTE) }),
        ...(flag(CACHE_HIT_ATTRIBUTE) === undefined ? {} : { cacheHit: flag(CACHE_HIT_ATTRIBUTE) }),
        tokens: { input: uncachedInput(input, cacheRead, cacheWrite), output, cacheRead, cacheWrite },
        durationMs: attrs.get(NO_DURATION_ATTRIBUTE) === true ? undefined : Math.max(0, end - start),
        success: !errored && (score === undefined || score >= threshold),
        // '_OTHER' is the conventions' "no better type": no text of ours either.
        error: errored && attrs.get('error.type') !== '_OTHER' ? String(attrs.get('error.type') ?? text(span.status?.message) ?? 'error') : undefined,
      };
      try {
        validateCall(call, now);
      } catch (error) {
        return reject((error as Error).message.replace(/^Invalid LLM call: /, ''), 'invalid');
      }
      if (missing && !spanOf(missing)) openAncestry.add(calls.length);
      calls.push(call);
    });
  });
  return { calls, skipped, rejections, openAncestry };
}
