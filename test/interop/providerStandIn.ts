import * as http from 'http';
import type { AddressInfo } from 'net';

/**
 * A stand-in for the LLM providers' APIs (the only thing beyond this machine), answering the Anthropic
 * Messages API and the OpenAI Chat Completions API as they answer: the requested alias answered with
 * its dated snapshot, usage with cache tokens, errors in each API's shape, streams as Server-Sent
 * Events. The prompt says what to do: "fail-400", "fail-500", "cache" (a prompt-cache read and write).
 */
export const SNAPSHOTS: Record<string, string> = {
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
};

/** Usage per request: input, output, and for "cache" prompts a read of 10,000 and a write of 2,000 tokens. */
export const USAGE = { input: 50, output: 20, cacheRead: 10_000, cacheWrite: 2_000 };

export interface StandIn {
  url: string;
  requests: number;
  close(): Promise<void>;
}

function promptOf(body: { messages?: Array<{ content?: unknown }> }): string {
  return JSON.stringify(body.messages ?? []);
}

function sse(response: http.ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  for (const e of events) response.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  response.end();
}

function anthropic(body: Record<string, unknown>, response: http.ServerResponse): void {
  const prompt = promptOf(body);
  const json = (status: number, value: unknown): void => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  if (prompt.includes('fail-400')) return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } });
  if (prompt.includes('fail-500')) return json(500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
  const model = SNAPSHOTS[String(body.model)] ?? String(body.model);
  const cache = prompt.includes('cache');
  const usage = {
    input_tokens: USAGE.input,
    output_tokens: USAGE.output,
    cache_read_input_tokens: cache ? USAGE.cacheRead : 0,
    cache_creation_input_tokens: cache ? USAGE.cacheWrite : 0,
  };
  const message = { id: 'msg_standin', type: 'message', role: 'assistant', model, stop_reason: 'end_turn', stop_sequence: null };
  if (!body.stream) return json(200, { ...message, content: [{ type: 'text', text: 'looks fine' }], usage });
  sse(response, [
    { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'looks fine' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: USAGE.output } },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

function openai(body: Record<string, unknown>, response: http.ServerResponse): void {
  const prompt = promptOf(body);
  const json = (status: number, value: unknown): void => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  if (prompt.includes('fail-400'))
    return json(400, {
      error: { message: 'maximum context length exceeded', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
    });
  if (prompt.includes('fail-500')) return json(500, { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } });
  const model = SNAPSHOTS[String(body.model)] ?? String(body.model);
  const cached = prompt.includes('cache') ? USAGE.cacheRead : 0;
  // OpenAI's prompt_tokens include the cached ones.
  const usage = {
    prompt_tokens: USAGE.input + cached,
    completion_tokens: USAGE.output,
    total_tokens: USAGE.input + cached + USAGE.output,
    prompt_tokens_details: { cached_tokens: cached },
  };
  const base = { id: 'chatcmpl-standin', created: 1_764_000_000, model, system_fingerprint: 'fp_standin' };
  if (!body.stream) {
    return json(200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'looks fine', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  }
  const chunk = (choices: unknown[], extra: object = {}) => ({ data: { ...base, object: 'chat.completion.chunk', choices, ...extra } });
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
  sse(response, [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: 'looks fine' }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ...(withUsage ? [chunk([], { usage })] : []),
    { data: '[DONE]' },
  ]);
}

export function startProviderStandIn(): Promise<StandIn> {
  const state = { requests: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      state.requests++;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        // answered as an unknown path below
      }
      const path = request.url?.split('?')[0] ?? '';
      if (path.endsWith('/messages')) return anthropic(body, response);
      if (path.endsWith('/chat/completions')) return openai(body, response);
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: `no ${path} here` } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get requests() {
          return state.requests;
        },
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}
