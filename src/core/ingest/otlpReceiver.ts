import * as http from 'http';
import type { AddressInfo } from 'net';
import type { TelemetryStore } from '../store/telemetryStore';
import { callsFromOtlp, type OtlpRules } from './otlpSpans';

export interface OtlpReceiverOptions extends OtlpRules {
  /** 4318 is OTLP/HTTP's usual port; 0 picks a free one. Always on 127.0.0.1. */
  port: number;
  /** Requests larger than this are refused with 413 (default 8 MB). */
  maxBodyBytes?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export interface OtlpReceiver {
  port: number;
  /** Requests that recorded their calls, calls recorded, and requests refused. */
  readonly counts: { requests: number; calls: number; refused: number };
  close(): Promise<void>;
}

/**
 * A local OTLP/HTTP trace receiver (`POST /v1/traces`, OTLP JSON) that records the GenAI model-call
 * spans it receives into the store, so a tool run with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
 * (and OTEL_EXPORTER_OTLP_PROTOCOL=http/json) records straight into the workspace. Loopback only,
 * a body cap, an optional bearer token; anything that is not an OTLP trace export gets 400 and
 * records nothing. Protobuf bodies are answered 415 (not read yet).
 */
export function startOtlpReceiver(store: TelemetryStore, options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const counts = { requests: 0, calls: 0, refused: 0 };
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
    if (type === 'application/x-protobuf') return answer(415, { message: 'OTLP protobuf is not read yet: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json' });
    if (type !== 'application/json') return answer(400, { message: 'expected an OTLP JSON trace export (Content-Type: application/json)' });
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
      try {
        const { calls } = callsFromOtlp(JSON.parse(Buffer.concat(chunks).toString('utf8')), options);
        store.trackLlmCalls(calls); // all or none
        counts.requests++;
        counts.calls += calls.length;
        answer(200, { partialSuccess: {} });
      } catch (error) {
        answer(400, { message: (error as Error).message });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        counts,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
