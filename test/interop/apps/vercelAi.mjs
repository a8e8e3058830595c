// The Vercel AI SDK (experimental_telemetry) with its Anthropic provider: a function id and a workflow in its metadata.
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { generateText, streamText } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import scenarios from './scenarios.cjs';

const { run, env } = scenarios;
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'release-bot' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${env('OTLP_ENDPOINT')}/v1/traces` }))],
});
provider.register();
const anthropic = createAnthropic({ baseURL: `${env('PROVIDER_URL')}/v1`, apiKey: 'test' });
const telemetry = { isEnabled: true, functionId: 'summarize', metadata: { workflow: 'release-notes' } };

await run('claude-haiku-4-5', 'claude-sonnet-4-5', async (model, prompt, stream) => {
  const options = { model: anthropic(model), prompt, maxRetries: 0, experimental_telemetry: telemetry };
  if (!stream) return generateText(options);
  let failure;
  const result = streamText({ ...options, onError: ({ error }) => (failure = error) });
  for await (const _ of result.textStream);
  if (failure) throw failure;
});
await provider.forceFlush();
await provider.shutdown();
