import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openTelemetryStore } from '../../src/core';
import { defaultImportSources, expandRotated, importJsonlFile } from '../../src/core/ingest/nodeImport';
import { tempDir, usageLine } from './helpers';

describe('importing log files from disk', () => {
  it("the upstream framework's logs: the workspace's llm_calls first, then the user's usage log", () => {
    const usage = path.join(os.homedir(), '.attune', 'telemetry', 'usage.jsonl');
    assert.deepEqual(defaultImportSources(), [usage]);
    assert.deepEqual(defaultImportSources('/work/project'), [path.join('/work/project', '.attune', 'llm_calls.jsonl'), usage]);
  });

  it('a usage log comes with its rotated siblings, oldest first; a folder that cannot be listed gives the file alone', async () => {
    const dir = tempDir();
    for (const name of ['usage.jsonl', 'usage.2026-11-19.jsonl', 'usage.2026-11-18.jsonl', 'other.jsonl']) fs.writeFileSync(path.join(dir, name), '');
    assert.deepEqual(
      (await expandRotated(path.join(dir, 'usage.jsonl'))).map((f) => path.basename(f)),
      ['usage.2026-11-18.jsonl', 'usage.2026-11-19.jsonl', 'usage.jsonl'],
    );
    assert.deepEqual(await expandRotated(path.join(dir, 'missing', 'usage.jsonl')), [path.join(dir, 'missing', 'usage.jsonl')]);
  });

  it('a missing file is an empty report that says so; a file is read from where the last import stopped', async () => {
    const dir = tempDir();
    const store = await openTelemetryStore();
    const missing = await importJsonlFile(store, path.join(dir, 'nope.jsonl'));
    assert.deepEqual([missing.imported, missing.problems], [0, [{ line: 0, message: 'file not found' }]]);
    const file = path.join(dir, 'usage.jsonl');
    const first = usageLine({ seq: 1 }) + '\n';
    fs.writeFileSync(file, first);
    assert.equal((await importJsonlFile(store, file)).imported, 1);
    fs.appendFileSync(file, usageLine({ seq: 2 }) + '\n' + usageLine({ seq: 3 }) + '\n');
    const second = await importJsonlFile(store, file);
    assert.deepEqual([second.fromOffset, second.imported, second.duplicates, second.linesRead], [first.length, 2, 0, 2]);
    assert.equal(store.callCount(), 3);
    await assert.rejects(importJsonlFile(store, dir), 'a folder is an error, not an empty report');
    store.dispose();
  });
});
