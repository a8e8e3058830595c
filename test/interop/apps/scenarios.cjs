// The calls every instrumented app makes against the stand-in provider: two models of one family
// (each answered with its dated snapshot), a prompt-cache read and write, a streamed response, a 4xx
// and a 5xx. `call(model, prompt, stream)` makes one call; failures are expected and swallowed.
const scenarios = (cheap, capable) => [
  { model: cheap, prompt: 'review this diff' },
  { model: capable, prompt: 'review this diff' },
  { model: cheap, prompt: 'review with cache' },
  { model: cheap, prompt: 'review this diff', stream: true },
  { model: cheap, prompt: 'fail-400' },
  { model: cheap, prompt: 'fail-500' },
];

async function run(cheap, capable, call) {
  for (const s of scenarios(cheap, capable)) {
    try {
      await call(s.model, s.prompt, Boolean(s.stream));
    } catch (error) {
      if (!s.prompt.startsWith('fail-')) throw error;
    }
  }
}

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

module.exports = { run, env };
