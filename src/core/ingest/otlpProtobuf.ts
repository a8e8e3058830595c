import { Root, type Type } from 'protobufjs/light';
import { spanEntries } from './otlpSpans';

/**
 * OTLP/HTTP protobuf trace bodies (ExportTraceServiceRequest) read into the OTLP JSON shape that
 * callsFromOtlp reads, so both encodings go through one mapping. The schema is the part of
 * opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1) that the mapping uses,
 * with the same field numbers; fields it leaves out (links, dropped counts, trace state) are skipped
 * by the decoder as unknown fields.
 */
const SCHEMA = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ScopeSpans: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        events: { rule: 'repeated', type: 'Event', id: 11 },
        status: { type: 'Status', id: 15 },
      },
    },
    Event: {
      fields: {
        timeUnixNano: { type: 'fixed64', id: 1 },
        name: { type: 'string', id: 2 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
    ExportTracePartialSuccess: { fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
  },
};

let root: Root | undefined;
let requestType: Type | undefined;
let responseType: Type | undefined;
const schema = () => (root ??= Root.fromJSON(SCHEMA));

/** An ExportTraceServiceResponse in protobuf: empty when all was taken, else its partial success (spans rejected and why). */
export function otlpProtobufResponse(partialSuccess?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  if (!partialSuccess) return new Uint8Array(0);
  responseType ??= schema().lookupType('ExportTraceServiceResponse');
  return responseType.encode(responseType.fromObject({ partialSuccess })).finish();
}

/** Bytes (an id, as toObject gives them here) as the lowercase hex that OTLP JSON uses; none for an empty id. */
function hexOf(bytes: number[]): string | undefined {
  return bytes.length ? bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('') : undefined;
}

/**
 * An ExportTraceServiceRequest in protobuf as the OTLP JSON object (camelCase fields, ids in hex,
 * 64-bit times and integers as decimal strings). Throws on bytes that are not such a message.
 */
export function otlpJsonFromProtobuf(body: Uint8Array): unknown {
  requestType ??= schema().lookupType('ExportTraceServiceRequest');
  let message;
  try {
    message = requestType.decode(body);
  } catch (error) {
    throw new Error(`not an OTLP protobuf trace export: ${(error as Error).message}`);
  }
  const json = requestType.toObject(message, { longs: String, bytes: Array, arrays: true, oneofs: false });
  // Ids are bytes on the wire and hex in OTLP JSON (toObject gives them as arrays of numbers here).
  for (const { span } of spanEntries(json)) {
    const ids = span as unknown as Record<string, unknown>;
    for (const key of ['traceId', 'spanId', 'parentSpanId']) if (Array.isArray(ids[key])) ids[key] = hexOf(ids[key] as number[]);
  }
  return json;
}
