// OpenInference (@arizeai/openinference-instrumentation-openai) on the OpenAI SDK, inside a CHAIN span naming the step.
const { NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { trace, context } = require('@opentelemetry/api');
const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
const { run, env } = require('./scenarios.cjs');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'triage-bot' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${env('OTLP_ENDPOINT')}/v1/traces` }))],
});
provider.register();
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(provider);
const OpenAIModule = require('openai');
instrumentation.manuallyInstrument(OpenAIModule);
const { OpenAI } = OpenAIModule;

(async () => {
  const client = new OpenAI({ baseURL: `${env('PROVIDER_URL')}/v1`, apiKey: 'test', maxRetries: 0 });
  const tracer = trace.getTracer('triage-bot');
  const step = tracer.startSpan('triage', { attributes: { 'openinference.span.kind': 'CHAIN' } });
  await context.with(trace.setSpan(context.active(), step), () =>
    run('gpt-4o-mini', 'gpt-4o', async (model, prompt, stream) => {
      const messages = [{ role: 'user', content: prompt }];
      if (!stream) return client.chat.completions.create({ model, messages });
      const chunks = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
      for await (const _ of chunks);
    }),
  );
  step.end();
  await provider.forceFlush();
  await provider.shutdown();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
