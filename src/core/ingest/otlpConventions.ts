/**
 * What the widely used instrumentation libraries put on their spans, read into one shape. Each
 * library follows the OpenTelemetry GenAI conventions to a different degree:
 * - GenAI semantic conventions (semconv 1.37+; `@opentelemetry/instrumentation-openai`, OpenLIT,
 *   and most others): `gen_ai.operation.name`, `gen_ai.request.model` / `gen_ai.response.model`,
 *   `gen_ai.usage.*`, enclosing `invoke_agent` / `invoke_workflow` spans.
 * - OpenLLMetry (Traceloop): the same `gen_ai.*` attributes (older names: `gen_ai.system`,
 *   `gen_ai.usage.prompt_tokens`, `llm.request.type`), workflows and tasks as `traceloop.workflow.name`
 *   and `traceloop.entity.name` on the enclosing spans (`traceloop.span.kind` workflow / task / agent).
 * - Vercel AI SDK (`experimental_telemetry`): `ai.generateText.doGenerate`, `ai.streamText.doStream`
 *   (the provider calls inside `ai.generateText` / `ai.streamText`) with `gen_ai.request.model`,
 *   `gen_ai.response.model`, `gen_ai.usage.*` but no operation name; `ai.telemetry.functionId` names
 *   the function and `ai.telemetry.metadata.*` carries the caller's metadata.
 * - OpenInference (Arize): `openinference.span.kind` = LLM, `llm.model_name`, `llm.provider`,
 *   `llm.token_count.*`; enclosing CHAIN and AGENT spans.
 */
import type { OtlpRules } from './otlpSpans';

export type Attributes = ReadonlyMap<string, string | number | boolean | undefined>;

/** The GenAI conventions' model-call operations. */
export const MODEL_CALL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content']);

/** The Vercel AI SDK's provider-call spans (the outer `ai.generateText` etc. enclose one or more of them). */
export const VERCEL_MODEL_CALLS = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.generateObject.doGenerate', 'ai.streamObject.doStream']);

/** Which convention recognised a span as a model call, or undefined when it is none. */
export type ModelCallKind = 'genai' | 'vercel' | 'openinference' | 'rule';

export function modelCallKind(name: string, attrs: Attributes, rules: OtlpRules): ModelCallKind | undefined {
  const operation = attrs.get('gen_ai.operation.name');
  if (operation !== undefined) {
    const operations = rules.modelCallOperations?.length ? new Set(rules.modelCallOperations) : MODEL_CALL_OPERATIONS;
    if (operations.has(String(operation))) return 'genai';
  }
  const vercel = attrs.get('ai.operationId');
  if (VERCEL_MODEL_CALLS.has(typeof vercel === 'string' ? vercel : name)) return 'vercel';
  if (attrs.get('openinference.span.kind') === 'LLM') return 'openinference';
  // OpenLLMetry before it set gen_ai.operation.name: `llm.request.type` chat or completion.
  const requestType = attrs.get('llm.request.type');
  if (requestType === 'chat' || requestType === 'completion') return 'genai';
  if (rules.modelCallSpanNames?.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern))) return 'rule';
  return undefined;
}

export const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
export const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** The first of `keys` that the attributes hold as a number. */
export function firstCount(attrs: Attributes, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = count(attrs.get(key));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The first of `keys` that the attributes hold as text. */
export function firstText(attrs: Attributes, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = text(attrs.get(key));
    if (value !== undefined) return value;
  }
  return undefined;
}

export const REQUEST_MODEL_KEYS = ['gen_ai.request.model', 'llm.request.model', 'ai.model.id'];
/** OpenInference's `llm.model_name` is the model the response names (the request's where there is no response). */
export const RESPONSE_MODEL_KEYS = ['gen_ai.response.model', 'llm.response.model', 'ai.response.model', 'llm.model_name'];
export const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'];

/**
 * Token counts. Input: the conventions' `gen_ai.usage.input_tokens` (older `prompt_tokens`), the Vercel
 * AI SDK's and OpenInference's own names. Cache reads and writes: the conventions' names (and the
 * Anthropic API's, which some libraries copy), OpenInference's prompt details, the AI SDK's cached input.
 */
export const INPUT_TOKEN_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.inputTokens',
  'ai.usage.promptTokens',
];
export const OUTPUT_TOKEN_KEYS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'ai.usage.completionTokens',
];
export const CACHE_READ_KEYS = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.cachedInputTokens',
];
export const CACHE_WRITE_KEYS = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'ai.usage.inputTokenDetails.cacheWriteTokens',
];

/**
 * The uncached input, which is what the store keeps (cache reads and writes apart, as Anthropic
 * bills them). The conventions count cache tokens inside `input_tokens`, and so do OpenAI's API and
 * most libraries; some copy Anthropic's `input_tokens`, which excludes them. An input smaller than its
 * cache tokens cannot include them, so it is taken as the uncached part: never a subtraction below zero.
 */
export function uncachedInput(input: number | undefined, cacheRead = 0, cacheWrite = 0): number | undefined {
  if (input === undefined) return undefined;
  const cached = cacheRead + cacheWrite;
  return input >= cached ? input - cached : input;
}

/**
 * The provider's name: the AI SDK's `ai.model.provider` (`anthropic.messages`, which it also puts in
 * `gen_ai.system`) without its API, else the conventions' (whose names may hold dots: `aws.bedrock`).
 */
export function providerOf(attrs: Attributes): string | undefined {
  const vercel = text(attrs.get('ai.model.provider'));
  if (vercel) return vercel.split('.')[0].toLowerCase();
  return firstText(attrs, PROVIDER_KEYS)?.toLowerCase();
}

/** The model asked for: the conventions' request model, else OpenInference's invocation parameters (`{"model": ...}`). */
export function requestedModel(attrs: Attributes): string | undefined {
  const named = firstText(attrs, REQUEST_MODEL_KEYS);
  if (named) return named;
  const parameters = text(attrs.get('llm.invocation_parameters'));
  if (!parameters?.startsWith('{')) return undefined;
  try {
    return text((JSON.parse(parameters) as { model?: unknown }).model);
  } catch {
    return undefined;
  }
}

/** An enclosing span as the naming reads it. */
export type Ancestor = Attributes & { name?: string };

/**
 * The stage, from the libraries' conventions, nearest span first: an agent (GenAI `invoke_agent`,
 * `gen_ai.agent.name`), an OpenLLMetry task or agent, the AI SDK's function id or metadata, an
 * OpenInference agent or chain. Undefined: the caller falls back to the span's operation.
 */
export function conventionalStage(attrs: Attributes, ancestors: Ancestor[]): string | undefined {
  // OpenLLMetry puts the enclosing task's path on the model call itself.
  const own = firstText(attrs, ['gen_ai.agent.name', 'ai.telemetry.metadata.stage', 'ai.telemetry.functionId', 'traceloop.entity.path']);
  if (own) return own;
  for (const a of ancestors) {
    const named = firstText(a, ['gen_ai.agent.name', 'ai.telemetry.metadata.stage', 'ai.telemetry.functionId']);
    if (named) return named;
    if (a.get('gen_ai.operation.name') === 'invoke_agent' && a.name) return a.name;
    const traceloopKind = a.get('traceloop.span.kind');
    if (traceloopKind === 'task' || traceloopKind === 'agent') return text(a.get('traceloop.entity.name')) ?? a.name;
    if (isOpenInferenceStep(a)) return a.name;
  }
  return undefined;
}

/**
 * The workflow, nearest span first: GenAI `gen_ai.workflow.name` (or an `invoke_workflow` span),
 * OpenLLMetry's `traceloop.workflow.name`, the AI SDK's metadata, and an OpenInference root chain
 * or agent that encloses another.
 */
export function conventionalWorkflow(attrs: Attributes, ancestors: Ancestor[]): string | undefined {
  const keys = ['gen_ai.workflow.name', 'traceloop.workflow.name', 'ai.telemetry.metadata.workflow'];
  const own = firstText(attrs, keys);
  if (own) return own;
  for (const a of ancestors) {
    const named = firstText(a, keys);
    if (named) return named;
    if (a.get('gen_ai.operation.name') === 'invoke_workflow' && a.name) return a.name;
    if (a.get('traceloop.span.kind') === 'workflow') return text(a.get('traceloop.entity.name')) ?? a.name;
  }
  // OpenInference: the outermost chain or agent, when another one (the stage) is inside it.
  const steps = ancestors.filter(isOpenInferenceStep);
  return steps.length > 1 ? steps[steps.length - 1].name : undefined;
}

function isOpenInferenceStep(a: Ancestor): boolean {
  const kind = a.get('openinference.span.kind');
  return kind === 'AGENT' || kind === 'CHAIN';
}

/**
 * A span name without the model in it: the conventions name a model call `{operation} {model}`
 * (`chat claude-haiku-4-5`), so a stage named after the span would hold one model only and the
 * router could compare nothing. `chat claude-haiku-4-5` is stage `chat`.
 */
export function nameWithoutModel(name: string, models: Array<string | undefined>): string {
  for (const model of models) {
    if (model && name.endsWith(` ${model}`) && name.length > model.length + 1) return name.slice(0, -model.length - 1).trim();
  }
  return name;
}

/** Every attribute the mapping reads, besides the rules' own (so a span kept for later lookups can drop the rest: prompts, outputs...). */
export const MAPPED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'gen_ai.operation.name',
  'ai.operationId',
  'openinference.span.kind',
  'llm.request.type',
  'llm.invocation_parameters',
  'ai.model.provider',
  'error.type',
  'gen_ai.evaluation.score.value',
  'gen_ai.agent.name',
  'gen_ai.workflow.name',
  'ai.telemetry.metadata.stage',
  'ai.telemetry.metadata.workflow',
  'ai.telemetry.functionId',
  'traceloop.entity.path',
  'traceloop.entity.name',
  'traceloop.span.kind',
  'traceloop.workflow.name',
  'service.name',
  'gen_ai.usage.cost',
  'adaptive_routing.tier',
  'adaptive_routing.cost_estimated',
  'adaptive_routing.cache_hit',
  'adaptive_routing.duration_unknown',
  ...REQUEST_MODEL_KEYS,
  ...RESPONSE_MODEL_KEYS,
  ...PROVIDER_KEYS,
  ...INPUT_TOKEN_KEYS,
  ...OUTPUT_TOKEN_KEYS,
  ...CACHE_READ_KEYS,
  ...CACHE_WRITE_KEYS,
]);
