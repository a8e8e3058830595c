/**
 * One name per model, whatever form of its id a provider, a cloud or an instrumentation library
 * reports: a response's dated snapshot (`claude-haiku-4-5-20251001`, `gpt-4o-mini-2024-07-18`), a
 * router's provider prefix (`anthropic/claude-haiku-4-5`), a Bedrock inference profile
 * (`us.anthropic.claude-haiku-4-5-20251001-v1:0`) or a Vertex version (`claude-haiku-4-5@20251001`)
 * are all `claude-haiku-4-5`. Stats, routing and prices speak of that name; the exact id a call
 * reported is kept beside it as a detail.
 */

/** Bedrock's model-vendor prefixes (`anthropic.claude-...`, `meta.llama3-...`). */
const BEDROCK_VENDORS = 'anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|twelvelabs|stability|luma';
/** Optional cross-region inference profile, vendor, the model, Bedrock's version suffix (`-v1:0`, `:0`). */
const BEDROCK_ID = new RegExp(`^(?:(?:us|eu|apac|global|us-gov|jp|au|ca|ap)\\.)?(?:${BEDROCK_VENDORS})\\.(.+?)(?:-v\\d+(?::\\d+)?|:\\d+)?$`, 'i');
/** A snapshot date at the end: -20251001 or -2024-08-06. */
const DATE_SUFFIX = /-(\d{4})-?(\d{2})-?(\d{2})$/;

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return Number(y) >= 2020 && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/** The model's own name: no router or cloud prefix, no Bedrock or Vertex version, no snapshot date. */
export function canonicalModelId(id: string): string {
  let name = id.trim();
  // Routers and Vertex resource names: `openrouter/anthropic/x`, `publishers/anthropic/models/x`.
  const slash = name.lastIndexOf('/');
  if (slash >= 0 && slash < name.length - 1) name = name.slice(slash + 1);
  // Vertex versions: `claude-haiku-4-5@20251001`, `gemini-1.5-pro@002`.
  const at = name.indexOf('@');
  if (at > 0) name = name.slice(0, at);
  const bedrock = BEDROCK_ID.exec(name);
  if (bedrock) name = bedrock[1];
  const date = DATE_SUFFIX.exec(name);
  if (date && validDate(date[1], date[2], date[3]) && date.index > 0) name = name.slice(0, date.index);
  return name || id.trim();
}

/**
 * The model a call ran on, from the model it asked for and the one the response names. A response
 * that is the request plus a snapshot or version suffix (`gemini-1.5-pro` answered as
 * `gemini-1.5-pro-002`, `mistral-large-latest` as `mistral-large-2411`) is the requested model; a
 * response naming another model (a router's choice) is that model.
 */
export function modelOfCall(requested: string | undefined, responded: string | undefined): string | undefined {
  if (!requested) return responded === undefined ? undefined : canonicalModelId(responded);
  if (!responded || responded === requested) return canonicalModelId(requested);
  const asked = canonicalModelId(requested);
  const answered = canonicalModelId(responded);
  if (answered === asked || isVersionOf(answered, asked) || isVersionOf(responded, requested)) return asked;
  // An alias such as `-latest` answered by its snapshot: the same family up to the alias.
  const alias = /-(latest|preview|stable)$/.exec(asked);
  if (alias && isVersionOf(answered, asked.slice(0, alias.index))) return asked.slice(0, alias.index);
  return answered;
}

/** `name` is `base` plus a short version suffix that starts with a digit (`-002`, `-2411`, `@001`, `:0`, `-v1:0`), not another word (`-mini`, `-turbo-2024-04-09`). */
function isVersionOf(name: string, base: string): boolean {
  return name.length > base.length && name.startsWith(base) && /^[-@:]v?\d[\w.:-]{0,23}$/.test(name.slice(base.length));
}
