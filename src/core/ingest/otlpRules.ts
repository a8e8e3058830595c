import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { OTLP_FIELDS, type OtlpField, type OtlpRules } from './otlpSpans';

/** The rules as a user wrote them (settings `adaptiveRouting.otlp.*`), before they are checked. */
export interface OtlpRulesInput {
  evaluationThreshold?: unknown;
  modelCallOperations?: unknown;
  modelCallSpanNames?: unknown;
  attributes?: unknown;
}

/**
 * Checked rules, and what was wrong with the rest: a wrong value is left out (its default applies)
 * and named, so one typo does not stop an import or the receiver.
 */
export function checkOtlpRules(input: OtlpRulesInput): { rules: OtlpRules; problems: string[] } {
  const rules: OtlpRules = {};
  const problems: string[] = [];
  const threshold = input.evaluationThreshold;
  if (threshold !== undefined && threshold !== null) {
    if (typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0 && threshold <= 1) rules.evaluationThreshold = threshold;
    else problems.push(`otlp.evaluationThreshold must be a number from 0 to 1, got ${JSON.stringify(threshold)}`);
  }
  const operations = input.modelCallOperations;
  if (operations !== undefined && operations !== null) {
    if (Array.isArray(operations) && operations.length > 0 && operations.every((o) => typeof o === 'string' && o.trim()))
      rules.modelCallOperations = operations.map((o: string) => o.trim());
    else problems.push('otlp.modelCallOperations must be a non-empty list of operation names, e.g. ["chat", "text_completion"]');
  }
  const names = input.modelCallSpanNames;
  if (names !== undefined && names !== null && !(Array.isArray(names) && names.length === 0)) {
    if (Array.isArray(names) && names.every((n) => typeof n === 'string' && n.trim() && n.trim() !== '*'))
      rules.modelCallSpanNames = names.map((n: string) => n.trim());
    else
      problems.push(
        'otlp.modelCallSpanNames must be a list of span names (a trailing * matches a prefix; "*" alone would take every span), e.g. ["my.llm.call"]',
      );
  }
  const attributes = input.attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) problems.push('otlp.attributes must be an object of field: attribute name');
    else {
      const checked: Partial<Record<OtlpField, string>> = {};
      for (const [field, name] of Object.entries(attributes)) {
        if (!(OTLP_FIELDS as readonly string[]).includes(field)) problems.push(`otlp.attributes: unknown field "${field}" (known: ${OTLP_FIELDS.join(', ')})`);
        else if (typeof name !== 'string' || !name.trim()) problems.push(`otlp.attributes.${field} must be an attribute name`);
        else checked[field as OtlpField] = name.trim();
      }
      if (Object.keys(checked).length) rules.attributes = checked;
    }
  }
  return { rules, problems };
}

/**
 * Rules from a JSON (with comments) text: either the plain shape (`{ "evaluationThreshold": 0.7,
 * "attributes": {...} }`) or a VS Code settings file, whose `adaptiveRouting.otlp.*` keys are read
 * (so the CLI can be given `.vscode/settings.json`). Throws when the text is not a JSON object.
 */
export function otlpRulesFromText(text: string): { rules: OtlpRules; problems: string[] } {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length) throw new Error(`not JSON: ${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object of rules');
  const object = value as Record<string, unknown>;
  const prefix = 'adaptiveRouting.otlp.';
  const fromSettings = Object.keys(object).some((key) => key.startsWith(prefix));
  const read = (name: keyof OtlpRulesInput) => (fromSettings ? object[prefix + name] : object[name]);
  return checkOtlpRules({
    evaluationThreshold: read('evaluationThreshold'),
    modelCallOperations: read('modelCallOperations'),
    modelCallSpanNames: read('modelCallSpanNames'),
    attributes: read('attributes'),
  });
}
