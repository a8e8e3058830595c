import { strict as assert } from 'assert';
import { findPythonTierDeclarations, parseWorkflowsManifest } from '../../src/core';

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
