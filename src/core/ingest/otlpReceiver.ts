import * as crypto from 'crypto';
import * as http from 'http';
import * as zlib from 'zlib';
import type { AddressInfo } from 'net';
import type { TelemetryStore } from '../store/telemetryStore';
import type { LlmCallInput } from '../types';
import { otlpJsonFromProtobuf, otlpProtobufResponse } from './otlpProtobuf';
import { OtlpAssembly, type Taken } from './otlpAssembly';
import { addSkipped, describeSkipped, noSkippedSpans, rejectedSpans, type OtlpRules, type SkippedSpans } from './otlpSpans';

export interface OtlpReceiverOptions extends OtlpRules {
  /** 4318 is OTLP/HTTP's usual port; 0 picks a free one. */
  port: number;
  /** The address to listen on (default 127.0.0.1); one beyond loopback needs a token. */
  host?: string;
  /** Requests larger than this are refused with 413 (default 8 MB). */
  maxBodyBytes?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Told each time calls were recorded (how many), e.g. to refresh a view. */
  onCalls?: (count: number) => void;
  /** Told after each request that was taken (its calls recorded or waiting), e.g. to show the counts. */
  onRequest?: () => void;
  /** Told when calls that waited for their enclosing spans could not be recorded (they wait again). */
  onError?: (error: Error) => void;
  /** Told of model-call spans that were refused (without a model, not storable), with why. */
  onRejected?: (rejections: string[]) => void;
  /** How long a model call waits for the enclosing spans that name its workflow and stage (default 5 s). */
  holdMs?: number;
}

/** Where received calls go: recorded all or none; a rejection answers 503 (exporters retry). */
export type RecordCalls = (calls: LlmCallInput[]) => unknown;

export interface OtlpReceiver {
  port: number;
  /**
   * Requests that recorded their calls, calls recorded, spans skipped (all reasons; `skipped` by
   * reason), requests refused, and metrics or logs requests taken and dropped.
   */
  readonly counts: { requests: number; calls: number; skippedSpans: number; skipped: SkippedSpans; refused: number; discarded: number };
  /** Model calls waiting for an enclosing span (recorded when it comes, or after holdMs). */
  readonly waiting: number;
  close(): Promise<void>;
}

/**
 * A local OTLP/HTTP trace receiver (`POST /v1/traces`) that records the GenAI model-call
 * spans it receives into the store, so a tool run with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
 * records straight into the workspace, in OTLP JSON or protobuf (the exporters' default). Loopback
 * only, a body cap, an optional bearer token; anything that is not an OTLP trace export gets 400 and
 * records nothing. A model call whose enclosing agent or workflow span comes in a later request
 * waits for it (OtlpAssembly), so its workflow and stage are the same however the spans were batched.
 */
/** The body as sent, or gunzipped (exporters' `compression: gzip`), never unpacking past `limit` bytes. */
function unpacked(body: Buffer, encoding: string, limit: number): Buffer {
  return encoding === 'gzip' ? zlib.gunzipSync(body, { maxOutputLength: limit }) : body;
}

/** Loopback addresses, where a token is optional. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** OTLP/HTTP's paths: traces are read; metrics and logs are taken and dropped (the standard endpoint variable sends all three). */
const DISCARDED_PATHS = new Set(['/v1/metrics', '/v1/logs']);

export function startOtlpReceiver(target: TelemetryStore | RecordCalls, options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) return Promise.reject(new Error(`listening on ${host} (beyond this machine) needs a token`));
  // A store records durably: on disk (its journal) before the request is answered.
  const record: RecordCalls = typeof target === 'function' ? target : (calls) => target.recordDurably(calls);
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const counts = { requests: 0, calls: 0, skippedSpans: 0, skipped: noSkippedSpans(), refused: 0, discarded: 0 };
  const assembly = new OtlpAssembly(options, options.holdMs);
  const expected = options.token ? Buffer.from(`bearer ${options.token}`) : undefined;
  /** Records calls all or none, and counts them. */
  const recordNow = async (calls: LlmCallInput[]) => {
    if (!calls.length) return;
    await record(calls);
    counts.calls += calls.length;
    options.onCalls?.(calls.length);
  };
  const noteSkipped = (taken: Pick<Taken, 'skipped' | 'rejections'>) => {
    addSkipped(counts.skipped, taken.skipped);
    counts.skippedSpans = counts.skipped.notModelCalls + rejectedSpans(counts.skipped);
    if (taken.rejections.length) options.onRejected?.(taken.rejections);
  };
  // Calls that waited for their enclosing spans long enough are taken with what is known.
  const flushDue = () => {
    const due = assembly.due();
    noteSkipped(due);
    recordNow(due.ready).catch((error: Error) => {
      assembly.putBack(due.ready);
      options.onError?.(error);
    });
  };
  const timer = setInterval(flushDue, Math.min(1000, options.holdMs ?? 1000));
  timer.unref?.();
  const authorized = (header: string | undefined) => {
    if (!expected) return true;
    // The scheme is case-insensitive (RFC 9110); compared in constant time.
    const given = Buffer.from(header ?? '');
    const lowered = Buffer.from(given.toString('latin1').replace(/^bearer /i, 'bearer '), 'latin1');
    return lowered.length === expected.length && crypto.timingSafeEqual(lowered, expected);
  };
  const server = http.createServer((request, response) => {
    const answer = (status: number, body: object) => {
      if (status !== 200) counts.refused++;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = request.url?.split('?')[0] ?? '';
    const traces = path === '/v1/traces';
    if (request.method !== 'POST' || !(traces || DISCARDED_PATHS.has(path)))
      return answer(404, { message: 'POST /v1/traces is served here (and /v1/metrics, /v1/logs, which are dropped)' });
    if (!authorized(request.headers.authorization)) return answer(401, { message: 'a bearer token is required (Authorization: Bearer <token>)' });
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const protobuf = type === 'application/x-protobuf';
    if (!protobuf && type !== 'application/json')
      return answer(415, { message: 'expected an OTLP export (Content-Type: application/json or application/x-protobuf)' });
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') return answer(415, { message: `Content-Encoding ${encoding} is not read here (gzip is)` });
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      answer(413, { message: `the request is over ${maxBody} bytes` });
      request.resume(); // read and drop the rest, so the client sees the answer rather than a reset
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody && !refused) {
        refused = true;
        chunks.length = 0;
        answer(413, { message: `the request is over ${maxBody} bytes` });
      } else if (!refused) chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const ok = (partial?: { rejectedSpans: number; errorMessage: string }) => {
        if (protobuf) response.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end(otlpProtobufResponse(partial));
        else answer(200, partial ? { partialSuccess: partial } : {});
      };
      if (!traces) {
        counts.discarded++;
        return ok();
      }
      let taken: ReturnType<OtlpAssembly['accept']>;
      try {
        const body = unpacked(Buffer.concat(chunks), encoding, maxBody);
        taken = assembly.accept(protobuf ? otlpJsonFromProtobuf(body) : JSON.parse(body.toString('utf8')));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return answer(413, { message: `the request unpacks to over ${maxBody} bytes` });
        return answer(400, { message: (error as Error).message });
      }
      noteSkipped(taken);
      recordNow([...taken.ready, ...taken.released]).then(
        () => {
          counts.requests++;
          options.onRequest?.();
          const rejected = rejectedSpans(taken.skipped);
          // Spans refused for what they carry: OTLP's partial success (200, so the exporter does not retry what cannot succeed).
          ok(rejected ? { rejectedSpans: rejected, errorMessage: `${describeSkipped(taken.skipped)}. ${taken.rejections.slice(0, 5).join('; ')}` } : undefined);
        },
        (error: Error) => {
          // Not recorded (the file cannot be written now): 503 tells exporters to send the request again later;
          // calls of earlier requests that this one completed were acknowledged then, so they wait again.
          assembly.putBack(taken.released);
          answer(503, { message: error.message });
        },
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        counts,
        get waiting() {
          return assembly.waitingCount;
        },
        close: async () => {
          clearInterval(timer);
          await new Promise<void>((done) => server.close(() => done()));
          const rest = assembly.drain();
          noteSkipped(rest);
          await recordNow(rest.ready).catch((error: Error) => options.onError?.(error));
        },
      });
    });
  });
}
