import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Commands, ContextKeys, ContextValues, ViewContainers, Views } from '../../src/vscode/constants';
import { DEFAULT_POLICY } from '../../src/core/routing/learningPolicy';
import { DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_MIN_SAMPLE_SIZE, DEFAULT_TARGET } from '../../src/core/routing/routerTypes';

const root = path.resolve(__dirname, '..', '..');
const text = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
interface WhenEntry {
  command?: string;
  when?: string;
}
const contributes = (
  JSON.parse(text) as {
    contributes: {
      commands: Array<{ command: string }>;
      menus: Record<string, WhenEntry[]>;
      views: Record<string, Array<{ id: string }>>;
      viewsContainers: Record<string, Array<{ id: string }>>;
      viewsWelcome: WhenEntry[];
      keybindings?: WhenEntry[];
    };
  }
).contributes;

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const whenClauses = [...Object.values(contributes.menus).flat(), ...contributes.viewsWelcome, ...(contributes.keybindings ?? [])].flatMap((e) =>
  e.when ? [e.when] : [],
);

/** Every `viewItem == x` and `viewItem =~ /^(x|y)$/` in the when clauses. */
function contextValuesInWhen(): string[] {
  const values: string[] = [];
  for (const when of whenClauses) {
    for (const m of when.matchAll(/viewItem\s*==\s*([\w.-]+)/g)) values.push(m[1]);
    for (const m of when.matchAll(/viewItem\s*=~\s*\/\^?\(?([\w.|-]+)\)?\$?\//g)) values.push(...m[1].split('|'));
  }
  return values;
}

/** Every file under src/, with its text. */
function sources(dir = path.join(root, 'src')): Array<[string, string]> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry): Array<[string, string]> => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.tsx?$/.test(entry.name) ? [[path.relative(root, file), fs.readFileSync(file, 'utf8')]] : [];
  });
}

describe('package.json contributions and their typed ids (src/vscode/constants.ts)', () => {
  it('every contributed command has its typed id, and every typed id is contributed', () => {
    assert.deepEqual(sorted(contributes.commands.map((c) => c.command)), sorted(Object.values(Commands)));
  });

  it('menus, welcome views and walkthrough links name only contributed commands (or the workbench’s)', () => {
    const typed = new Set<string>(Object.values(Commands));
    const referenced = [
      ...Object.values(contributes.menus)
        .flat()
        .flatMap((e) => (e.command ? [e.command] : [])),
      ...[...text.matchAll(/command:([\w.]+)/g)].map((m) => m[1]),
    ];
    assert.ok(referenced.length > 20, `${referenced.length} references found`);
    const unknown = referenced.filter((id) => !typed.has(id) && !id.startsWith('workbench.'));
    assert.deepEqual(unknown, []);
  });

  it('every tree context value in a when clause has its typed id, and every typed one is matched by a menu', () => {
    assert.deepEqual(sorted(contextValuesInWhen()), sorted(Object.values(ContextValues)));
  });

  it('every context key in a when clause is one the extension sets, and every one it sets is used', () => {
    const views = new Set<string>(Object.values(Views));
    const keys = whenClauses.flatMap((when) => [...when.matchAll(/(?<![\w.])adaptiveRouting\.\w+/g)].map((m) => m[0])).filter((key) => !views.has(key));
    assert.deepEqual(sorted(keys), sorted(Object.values(ContextKeys)));
  });

  it('views and their container match their typed ids', () => {
    assert.deepEqual(sorted(Object.values(contributes.views).flatMap((list) => list.map((v) => v.id))), sorted(Object.values(Views)));
    assert.deepEqual(sorted(Object.values(contributes.viewsContainers).flatMap((list) => list.map((v) => v.id))), sorted(Object.values(ViewContainers)));
  });

  it('no command id, view id or context key is typed out in the code beside its constant', () => {
    const names = [...Object.values(Commands), ...Object.values(ContextKeys), ...Object.values(Views)];
    const pattern = new RegExp(`['"\`](?:command:)?(${names.map((n) => n.replace(/\./g, '\\.')).join('|')})(?![\\w])`, 'g');
    const found = sources()
      .filter(([file]) => file !== path.join('src', 'vscode', 'constants.ts'))
      .flatMap(([file, source]) => [...source.matchAll(pattern)].map((m) => `${file}: ${m[1]}`));
    assert.deepEqual(found, []);
  });
});

describe('package.json settings and the core defaults', () => {
  it('the routing settings default to the values the core uses when nothing is set', () => {
    const configuration = (
      JSON.parse(text) as {
        contributes: { configuration: { properties: Record<string, { default?: unknown }> } | Array<{ properties: Record<string, { default?: unknown }> }> };
      }
    ).contributes.configuration;
    const properties = Object.assign({}, ...(Array.isArray(configuration) ? configuration : [configuration]).map((c) => c.properties)) as Record<
      string,
      { default?: unknown }
    >;
    assert.deepEqual(
      ['targetSuccessRate', 'failureRateThreshold', 'minSampleSize', 'explorationBudget'].map((key) => properties[`adaptiveRouting.${key}`]?.default),
      [DEFAULT_TARGET, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_MIN_SAMPLE_SIZE, DEFAULT_POLICY.explorationBudget],
    );
  });
});

describe('dist/core.js keeps its public names', () => {
  it('[bundle] the store opener under its new name and its old one, the recommendation and the routing setup', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const core = require(path.join(root, 'dist', 'core.js')) as Record<string, unknown>;
    assert.equal(typeof core.openTelemetryStore, 'function');
    assert.equal(core.openTelemetry, core.openTelemetryStore, 'the old name is an alias for API callers');
    for (const name of ['AdaptiveModelRouter', 'recommendStage', 'verdictText', 'createRoutingSetup', 'counted', 'dollars', 'stageLabel', 'DEFAULT_TARGET'])
      assert.ok(core[name] !== undefined, `${name} is exported`);
  });
});
