// @opentelemetry/instrumentation-openai (GenAI semantic conventions) on the OpenAI SDK, exporting OTLP protobuf.
const { NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const { run, env } = require('./scenarios.cjs');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'review-bot' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${env('OTLP_ENDPOINT')}/v1/traces` }))],
});
provider.register();
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
const { OpenAI } = require('openai');

(async () => {
  const client = new OpenAI({ baseURL: `${env('PROVIDER_URL')}/v1`, apiKey: 'test', maxRetries: 0 });
  await run('gpt-4o-mini', 'gpt-4o', async (model, prompt, stream) => {
    const messages = [{ role: 'user', content: prompt }];
    if (!stream) return client.chat.completions.create({ model, messages });
    const chunks = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
    for await (const _ of chunks);
  });
  await provider.forceFlush();
  await provider.shutdown();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
