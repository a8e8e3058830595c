import * as http from 'http';
import * as zlib from 'zlib';
import type { AddressInfo } from 'net';
import type { TelemetryStore } from '../store/telemetryStore';
import type { LlmCallInput } from '../types';
import { otlpJsonFromProtobuf } from './otlpProtobuf';
import { OtlpAssembly } from './otlpAssembly';
import type { OtlpRules } from './otlpSpans';

export interface OtlpReceiverOptions extends OtlpRules {
  /** 4318 is OTLP/HTTP's usual port; 0 picks a free one. Always on 127.0.0.1. */
  port: number;
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
  /** How long a model call waits for the enclosing spans that name its workflow and stage (default 5 s). */
  holdMs?: number;
}

/** Where received calls go: recorded all or none; a rejection answers 503 (exporters retry). */
export type RecordCalls = (calls: LlmCallInput[]) => unknown;

export interface OtlpReceiver {
  port: number;
  /** Requests that recorded their calls, calls recorded, spans that were not model calls, and requests refused. */
  readonly counts: { requests: number; calls: number; skippedSpans: number; refused: number };
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
function unpacked(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  if (!encoding || encoding === 'identity') return body;
  if (encoding !== 'gzip') throw new Error(`Content-Encoding ${encoding} is not read here (gzip is)`);
  return zlib.gunzipSync(body, { maxOutputLength: limit });
}

export function startOtlpReceiver(target: TelemetryStore | RecordCalls, options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const record: RecordCalls = typeof target === 'function' ? target : (calls) => target.trackLlmCalls(calls);
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const counts = { requests: 0, calls: 0, skippedSpans: 0, refused: 0 };
  const assembly = new OtlpAssembly(options, options.holdMs);
  /** Records calls all or none, and counts them. */
  const recordNow = async (calls: LlmCallInput[]) => {
    if (!calls.length) return;
    await record(calls);
    counts.calls += calls.length;
    options.onCalls?.(calls.length);
  };
  // Calls that waited for their enclosing spans long enough are taken with what is known.
  const flushDue = () => {
    const due = assembly.due();
    recordNow(due).catch((error: Error) => {
      assembly.putBack(due);
      options.onError?.(error);
    });
  };
  const timer = setInterval(flushDue, Math.min(1000, options.holdMs ?? 1000));
  timer.unref?.();
  const server = http.createServer((request, response) => {
    const answer = (status: number, body: object) => {
      if (status !== 200) counts.refused++;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/traces') return answer(404, { message: 'only POST /v1/traces is served here' });
    if (options.token && request.headers.authorization !== `Bearer ${options.token}`) return answer(401, { message: 'a bearer token is required' });
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const protobuf = type === 'application/x-protobuf';
    if (!protobuf && type !== 'application/json')
      return answer(400, { message: 'expected an OTLP trace export (Content-Type: application/json or application/x-protobuf)' });
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody && !refused) {
        refused = true;
        answer(413, { message: `the request is over ${maxBody} bytes` });
        request.destroy();
      } else if (!refused) chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      let calls: LlmCallInput[];
      let skippedSpans: number;
      try {
        const body = unpacked(Buffer.concat(chunks), request.headers['content-encoding'], maxBody);
        ({ ready: calls, skippedSpans } = assembly.accept(protobuf ? otlpJsonFromProtobuf(body) : JSON.parse(body.toString('utf8'))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return answer(413, { message: `the request unpacks to over ${maxBody} bytes` });
        return answer(400, { message: (error as Error).message });
      }
      recordNow(calls).then(
        () => {
          counts.requests++;
          counts.skippedSpans += skippedSpans;
          options.onRequest?.();
          // An empty ExportTraceServiceResponse: no bytes in protobuf, {} in JSON.
          if (protobuf) response.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
          else answer(200, {});
        },
        // Not recorded (the file cannot be written now): 503 tells exporters to send it again later.
        (error: Error) => answer(503, { message: error.message }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
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
          await recordNow(rest).catch((error: Error) => options.onError?.(error));
        },
      });
    });
  });
}
