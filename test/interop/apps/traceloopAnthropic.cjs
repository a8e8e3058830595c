// OpenLLMetry (@traceloop/node-server-sdk) on the Anthropic SDK, with a workflow and a task.
const traceloop = require('@traceloop/node-server-sdk');
const Anthropic = require('@anthropic-ai/sdk');
const { run, env } = require('./scenarios.cjs');

traceloop.initialize({
  appName: 'review-bot',
  baseUrl: env('OTLP_ENDPOINT'),
  apiKey: 'test',
  disableBatch: true,
  silenceInitializationMessage: true,
  instrumentModules: { anthropic: Anthropic },
});

(async () => {
  const client = new Anthropic({ baseURL: env('PROVIDER_URL'), apiKey: 'test', maxRetries: 0 });
  await traceloop.withWorkflow({ name: 'code-review' }, () =>
    traceloop.withTask({ name: 'analysis' }, () =>
      run('claude-haiku-4-5', 'claude-sonnet-4-5', async (model, prompt, stream) => {
        const request = { model, max_tokens: 100, messages: [{ role: 'user', content: prompt }] };
        if (!stream) return client.messages.create(request);
        const events = await client.messages.create({ ...request, stream: true });
        for await (const _ of events);
      }),
    ),
  );
  await traceloop.forceFlush();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
