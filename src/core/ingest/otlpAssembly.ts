import type { LlmCallInput } from '../types';
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
export class OtlpAssembly {
  private readonly known = new Map<string, { span: OtlpSpan; resource: unknown; seen: number }>();
  private readonly waiting = new Map<string, Waiting>();
  /** The mapping reads spans by id: this hands it the known spans without copying them. */
  private readonly view: KnownSpans = { get: (id: string) => this.known.get(id)?.span };

  constructor(
    private readonly rules: OtlpRules = {},
    private readonly holdMs = 5000,
    private readonly keepMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

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
    this.forgetOld(at);
    for (const { span, resource } of spanEntries(request)) this.known.set(span.spanId, { span, resource, seen: at });
    const ready = calls.filter((call, i) => {
      if (!openAncestry.has(i)) return true;
      this.wait(call, at + this.holdMs);
      return false;
    });
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
      if (at - entry.seen <= this.keepMs && this.known.size <= 100_000) break; // oldest first: the rest are newer
      this.known.delete(id);
    }
  }
}
