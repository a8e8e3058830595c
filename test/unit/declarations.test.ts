import { strict as assert } from 'assert';
import { findPythonTierDeclarations, parseWorkflowsManifest } from '../../src/core';
import { positionAt, tierReplacement } from '../../src/core/declarations';

describe('declarations', () => {
  it('reads stage tiers, targets and switched-off workflows from a JSONC manifest', () => {
    const text = `{
      // comments and trailing commas are fine
      "workflows": {
        "code-review": { "stages": { "analysis": { "tier": "cheap", "minSuccessRate": 0.85, "maxCost": 0.01 }, } },
        "legacy": { "adaptive": false, "stages": { "run": { "tier": "premium" } } },
      },
    }`;
    const parsed = parseWorkflowsManifest(text);
    assert.deepEqual(parsed.problems, []);
    const analysis = parsed.declarations.find((d) => d.stage === 'analysis')!;
    assert.equal(analysis.tier, 'cheap');
    assert.equal(analysis.minSuccessRate, 0.85);
    assert.equal(text.slice(analysis.start, analysis.end), 'cheap', 'the range covers the tier text, for the quick fix');
    assert.deepEqual(
      parsed.workflows.filter((w) => !w.adaptive).map((w) => w.workflow),
      ['legacy'],
    );
  });

  it('reports syntax errors with where they are, and keeps what parsed', () => {
    const text = '{\n  "workflows": {\n    "w": { "stages": { "s": { "tier": "capable" } } }\n    "x": 1\n  }\n}';
    const parsed = parseWorkflowsManifest(text);
    assert.ok(parsed.problems.length > 0);
    assert.match(parsed.problems[0].message, /comma expected/);
    assert.match(parsed.errors[0], /at line 4, column 5$/);
    assert.equal(parsed.declarations[0]?.tier, 'capable', 'the stage before the error still counts');
  });

  it('finds tier_map entries in a Python workflow class', () => {
    const text =
      'class CodeReview(Workflow):\n    name = "code-review"\n    tier_map = {\n        "analysis": ModelTier.CHEAP,\n        "summary": ModelTier.PREMIUM,\n    }\n';
    const found = findPythonTierDeclarations(text);
    assert.deepEqual(
      found.map((d) => [d.workflow, d.stage, d.tier]),
      [
        ['code-review', 'analysis', 'cheap'],
        ['code-review', 'summary', 'premium'],
      ],
    );
  });
});

describe('declarations: exact ranges and the shapes real files take', () => {
  it('Python: every class on its own lines (a class holding a nested workflow class takes nothing of it), nested dicts, annotations, any enum prefix; ranges cover the tier word', () => {
    const text = [
      'from x import ModelTier as T',
      '',
      'class Review(Workflow):',
      '    name: str = "code-review"',
      '    tier_map: dict[str, T] = {',
      '        "analysis": T.CHEAP,',
      "        'summary' :  models.ModelTier.premium,",
      '        "nested": {"not": "a tier"},',
      '        "plan":ModelTier.CAPABLE,',
      '        "gold": ModelTier.GOLD,',
      '    }',
      '    other = {"fake": ModelTier.CHEAP}',
      '',
      '    class Inner:',
      '        pass',
      '',
      'class NoName(Workflow):',
      '    tier_map = {"x": ModelTier.CHEAP}',
      '',
      'class Outer:',
      '\tclass Half(Workflow):',
      '\t\tname = "half"',
      '    class Tabbed(Workflow):',
      '        name = "tabbed"',
      '        tier_map = {"t": ModelTier.PREMIUM}',
      'class Last(Workflow):',
      '    name = "last"',
      '    tier_map = {',
      '        "a": ModelTier.CHEAP}',
    ].join('\n');
    const found = findPythonTierDeclarations(text);
    assert.deepEqual(
      found.map((d) => [d.workflow, d.stage, d.tier, text.slice(d.start, d.end), d.style]),
      [
        ['code-review', 'analysis', 'cheap', 'CHEAP', 'python-enum'],
        ['code-review', 'summary', 'premium', 'premium', 'python-enum'],
        ['code-review', 'plan', 'capable', 'CAPABLE', 'python-enum'],
        ['tabbed', 't', 'premium', 'PREMIUM', 'python-enum'],
        ['last', 'a', 'cheap', 'CHEAP', 'python-enum'],
      ],
    );
    assert.deepEqual(positionAt(text, found[0].start), { line: 5, character: 22 });
    assert.deepEqual(positionAt(text, found[3].start), { line: 24, character: 35 });
    assert.equal(tierReplacement(found[0], 'premium'), 'PREMIUM', 'Python keeps its enum spelling');
  });

  it('Python: a tier_map left open while typing ends at the end of the file', () => {
    const text = 'class W:\n    name = "w"\n    tier_map = {\n        "a": ModelTier.CHEAP,\n        "b": ModelTier.CAPABLE';
    assert.deepEqual(
      findPythonTierDeclarations(text).map((d) => [d.stage, text.slice(d.start, d.end)]),
      [
        ['a', 'CHEAP'],
        ['b', 'CAPABLE'],
      ],
    );
    assert.deepEqual(findPythonTierDeclarations('name = "w"\ntier_map = {"a": ModelTier.CHEAP}'), [], 'outside a class: nothing');
  });

  it('manifest: ranges inside the quotes, limits per stage, and whatever is not a workflow object is passed over', () => {
    const text = `{
  "workflows": {
    "w": { "stages": {
      "a": { "tier": "CAPABLE", "minSuccessRate": 0.9, "maxCost": 0.02, "maxLatencyMs": 3000 },
      "b": { "tier": "gold" },
      "c": { "tier": 3 },
      "d": { "minSuccessRate": 0.5 },
      "e": "cheap"
    } },
    "list": [],
    "text": "x",
    "empty": {},
    "off": { "adaptive": false },
    "on": { "adaptive": "no", "stages": [] }
  }
}`;
    const parsed = parseWorkflowsManifest(text);
    assert.deepEqual(
      parsed.problems.map((p) => p.message),
      [
        '"gold" is not a tier: use cheap, capable, premium; stage "b" of w is left undeclared',
        '3 is not a tier: use cheap, capable, premium; stage "c" of w is left undeclared',
      ],
      'a wrong tier is said, the rest passed over',
    );
    assert.deepEqual(parsed.declarations, [
      {
        workflow: 'w',
        stage: 'a',
        tier: 'capable',
        start: text.indexOf('CAPABLE'),
        end: text.indexOf('CAPABLE') + 7,
        style: 'json-string',
        minSuccessRate: 0.9,
        maxCost: 0.02,
        maxLatencyMs: 3000,
      },
    ]);
    assert.equal(tierReplacement(parsed.declarations[0], 'premium'), 'premium', 'JSON keeps lower case');
    assert.deepEqual(parsed.workflows, [
      { workflow: 'w', adaptive: true },
      { workflow: 'empty', adaptive: true },
      { workflow: 'off', adaptive: false },
      { workflow: 'on', adaptive: true },
    ]);
    for (const other of ['', '[]', '{"workflows": []}', '{"workflows": "x"}', '{"other": {}}']) {
      const none = parseWorkflowsManifest(other);
      assert.deepEqual([none.declarations, none.workflows], [[], []], other);
    }
  });

  it('manifest problems: the message in words, the offset, and line and column', () => {
    const parsed = parseWorkflowsManifest('{\n  "workflows": {\n    "w": {,}\n  }\n}');
    assert.deepEqual(parsed.problems[0], { message: 'value expected (JSON with comments)', offset: 29, length: 1 });
    assert.equal(parsed.errors[0], 'value expected (JSON with comments) at line 3, column 11');
    assert.deepEqual(positionAt('ab\ncd', 4), { line: 1, character: 1 });
    assert.deepEqual(positionAt('ab', 99), { line: 0, character: 99 });
  });
});

describe('a misspelt tier in the manifest', () => {
  it('is a problem at the tier, with the tiers and a suggestion, and the stage is left undeclared', () => {
    const text = '{ "workflows": { "code-review": { "stages": { "analysis": { "tier": "cheep" }, "summary": { "tier": "cheap" }, "odd": { "tier": 3 } } } } }';
    const parsed = parseWorkflowsManifest(text);
    assert.deepEqual(
      parsed.declarations.map((d) => d.stage),
      ['summary'],
    );
    assert.deepEqual(
      parsed.problems.map((p) => [p.message, text.slice(p.offset, p.offset + p.length)]),
      [
        ['"cheep" is not a tier: use cheap, capable, premium (did you mean "cheap"?); stage "analysis" of code-review is left undeclared', '"cheep"'],
        ['3 is not a tier: use cheap, capable, premium; stage "odd" of code-review is left undeclared', '3'],
      ],
    );
    assert.deepEqual(parsed.errors, [], 'the rest of the manifest is usable');
  });
});
