import type { LlmCallInput } from '../types';
import { MAPPED_ATTRIBUTES } from './otlpConventions';
import { addSkipped, callsFromOtlp, noSkippedSpans, spanEntries, type KnownSpans, type OtlpRules, type OtlpSpan, type SkippedSpans } from './otlpSpans';

/** Calls ready to record, and the model-call spans refused on the way (with why). */
export interface Taken {
  ready: LlmCallInput[];
  skipped: SkippedSpans;
  rejections: string[];
}

/** A model call whose enclosing spans have not all arrived, with what it needs to be mapped again. */
interface Waiting {
  /** The call's span alone, with its resource: an export request of one span. */
  request: { resourceSpans: unknown[] };
  deadline: number;
}

/**
 * Puts model calls together with the enclosing workflow and agent spans that name their workflow
 * and stage, across export requests: a span ends (and is exported) before the span enclosing it,
 * so an exporter that sends spans as they end sends a model call first and its agent later. A call
 * whose chain of parents stops at a span not seen yet waits for it up to `holdMs`, then is taken
 * with what is known. Spans seen are kept `keepMs` for later children.
 */
/** What a kept span may hold at most: text values past this are cut (a name over 200 characters is refused either way). */
const KEPT_TEXT = 1000;

type AttributeList = NonNullable<OtlpSpan['attributes']>;

/** The attributes the mapping reads, their text cut to KEPT_TEXT, and their size in characters. */
function keptAttributes(list: unknown, keep: (key: string) => boolean): { attributes: AttributeList; size: number } {
  const attributes: AttributeList = [];
  let size = 0;
  if (!Array.isArray(list)) return { attributes, size };
  for (const kv of list as AttributeList) {
    if (typeof kv?.key !== 'string' || !keep(kv.key)) continue;
    const text = kv.value?.stringValue;
    const value = typeof text === 'string' && text.length > KEPT_TEXT ? { stringValue: text.slice(0, KEPT_TEXT) } : kv.value;
    attributes.push({ key: kv.key, value });
    size += kv.key.length + (typeof value?.stringValue === 'string' ? value.stringValue.length : 16);
  }
  return { attributes, size };
}

/**
 * A span as the mapping reads it, for keeping: its ids, name, times, status, the attributes and
 * evaluation events the mapping reads. Prompts, outputs and whatever else a span carries are dropped,
 * so what is kept for later requests is bounded by what is read, not by what was sent.
 */
function keptSpan(span: OtlpSpan, resource: unknown, keep: (key: string) => boolean): { span: OtlpSpan; resource: unknown; bytes: number } {
  const own = keptAttributes(span.attributes, keep);
  const events = (Array.isArray(span.events) ? span.events : [])
    .filter((e) => e?.name === 'gen_ai.evaluation.result')
    .map((e) => ({ name: e.name, attributes: keptAttributes(e.attributes, (key) => key === 'gen_ai.evaluation.score.value').attributes }));
  const res = keptAttributes((resource as { attributes?: unknown } | undefined)?.attributes, keep);
  const name = typeof span.name === 'string' ? span.name.slice(0, KEPT_TEXT) : span.name;
  const slim: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: own.attributes,
    ...(events.length ? { events } : {}),
    ...(span.status ? { status: { code: span.status.code, message: span.status.message?.slice(0, KEPT_TEXT) } } : {}),
  };
  return { span: slim, resource: { attributes: res.attributes }, bytes: 200 + (name?.length ?? 0) + own.size + res.size + events.length * 64 };
}

export class OtlpAssembly {
  private readonly known = new Map<string, { span: OtlpSpan; resource: unknown; seen: number; bytes: number }>();
  private knownBytes = 0;
  private readonly waiting = new Map<string, Waiting>();
  /** The mapping reads spans by id: this hands it the known spans without copying them. */
  private readonly view: KnownSpans = { get: (id: string) => this.known.get(id)?.span };

  /** Attributes kept with a span: the mapping's and the rules' own. */
  private readonly keep: (key: string) => boolean;

  constructor(
    private readonly rules: OtlpRules = {},
    private readonly holdMs = 5000,
    private readonly keepMs = 120_000,
    private readonly now: () => number = Date.now,
    /** At most this many spans, and about this many bytes of them, are kept for later requests (the oldest go first). */
    private readonly maxSpans = 100_000,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {
    const ruleKeys = new Set(Object.values(rules.attributes ?? {}));
    this.keep = (key) => MAPPED_ATTRIBUTES.has(key) || ruleKeys.has(key);
  }

  /** About how many bytes the kept spans take (their text), for tests and the bound above. */
  get keptBytes(): number {
    return this.knownBytes;
  }

  get keptSpans(): number {
    return this.known.size;
  }

  /** Calls waiting for an enclosing span. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /**
   * One export request: its calls whose ancestry is complete, and those of earlier requests that it
   * completed. Throws (taking nothing in) when the request is not an OTLP trace export.
   */
  accept(request: unknown): Taken & { released: LlmCallInput[] } {
    const { calls, skipped, rejections, openAncestry } = callsFromOtlp(request, this.rules, this.view);
    const at = this.now();
    for (const { span, resource } of spanEntries(request)) {
      if (typeof span?.spanId !== 'string') continue;
      const kept = keptSpan(span, resource, this.keep);
      this.knownBytes += kept.bytes - (this.known.get(span.spanId)?.bytes ?? 0);
      this.known.delete(span.spanId); // a span sent again is the newest
      this.known.set(span.spanId, { ...kept, seen: at });
    }
    const ready = calls.filter((call, i) => {
      if (!openAncestry.has(i)) return true;
      this.wait(call, at + this.holdMs);
      return false;
    });
    this.forgetOld(at);
    // Earlier calls this request completed: apart, since a failure to record them must put them back (their exporter was answered).
    const released = this.take(() => false);
    return { ready, released: released.ready, skipped: addSkipped(skipped, released.skipped), rejections: [...rejections, ...released.rejections] };
  }

  /** Calls whose ancestry is complete by now or whose wait is over (with what is known). */
  due(): Taken {
    const at = this.now();
    return this.take((w) => w.deadline <= at);
  }

  /** Every waiting call, mapped with what is known (when the receiver closes). */
  drain(): Taken {
    return this.take(() => true);
  }

  /** Calls that could not be recorded: they wait again, so a later attempt records them. */
  putBack(calls: LlmCallInput[]): void {
    for (const call of calls) this.wait(call, this.now() + this.holdMs);
  }

  /** Keeps a call (by its span, `otlp:trace:span`) to be mapped again later. */
  private wait(call: LlmCallInput, deadline: number): void {
    const id = String(call.id);
    const entry = this.known.get(id.slice(id.lastIndexOf(':') + 1));
    if (!entry) return;
    this.waiting.set(id, { request: { resourceSpans: [{ resource: entry.resource, scopeSpans: [{ spans: [entry.span] }] }] }, deadline });
  }

  /**
   * The waiting calls whose ancestry is now complete, and those `giveUp` says to take as they are:
   * mapped once each. One that its enclosing spans make unstorable (an agent name too long) is rejected alone.
   */
  private take(giveUp: (w: Waiting) => boolean): Taken {
    const taken: Taken = { ready: [], skipped: noSkippedSpans(), rejections: [] };
    for (const [id, w] of this.waiting) {
      const mapped = callsFromOtlp(w.request, this.rules, this.view);
      if (mapped.openAncestry.size > 0 && !giveUp(w)) continue;
      this.waiting.delete(id);
      taken.ready.push(...mapped.calls);
      addSkipped(taken.skipped, mapped.skipped);
      taken.rejections.push(...mapped.rejections);
    }
    return taken;
  }

  private forgetOld(at: number): void {
    for (const [id, entry] of this.known) {
      // Oldest first: the rest are newer. A call still waiting keeps its own span (it is mapped from it).
      if (at - entry.seen <= this.keepMs && this.known.size <= this.maxSpans && this.knownBytes <= this.maxBytes) break;
      if (this.waiting.has(`otlp:${entry.span.traceId}:${id}`)) continue;
      this.known.delete(id);
      this.knownBytes -= entry.bytes;
    }
  }
}
