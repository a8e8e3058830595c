import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NodeFileBackend, ensureFolder } from '../../src/core/store/nodeFileBackend';
import { tempDir } from './helpers';

describe('the telemetry file on disk (NodeFileBackend)', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));

  it('a file that is not there reads and stats as absent; a folder in its place is named as such', async () => {
    const absent = new NodeFileBackend(path.join(dir, 'telemetry.db'));
    assert.equal(await absent.read(), undefined);
    assert.equal(await absent.stat(), undefined);
    fs.mkdirSync(path.join(dir, 'folder.db'));
    const folder = new NodeFileBackend(path.join(dir, 'folder.db'));
    await assert.rejects(folder.read(), { message: `cannot use ${path.join(dir, 'folder.db')}: it is a folder, not a telemetry file` });
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const below = new NodeFileBackend(path.join(dir, 'file', 'telemetry.db'));
    await assert.rejects(below.read(), {
      message: `cannot read ${path.join(dir, 'file', 'telemetry.db')}: a part of the path is a file, not a folder (ENOTDIR)`,
    });
  });

  it('writes the whole file into missing folders, and leaves no temporary file', async () => {
    const file = path.join(dir, 'a', 'b', 'telemetry.db');
    const backend = new NodeFileBackend(file);
    await backend.write(new Uint8Array([1, 2, 3]));
    assert.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
    assert.deepEqual(await backend.stat(), { size: 3, mtimeMs: fs.statSync(file).mtimeMs });
    await backend.write(new Uint8Array([4]));
    assert.deepEqual([...fs.readFileSync(file)], [4]);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['telemetry.db']);
  });

  it("removes its own writers' orphaned temporary files, and nobody else's", async () => {
    const file = path.join(dir, 'telemetry.db');
    const names = ['telemetry.db.4242.abc.tmp', 'telemetry.db.x.tmp', 'other.db.1.tmp', 'telemetry.db.txt', 'telemetry.dbx.tmp', 'my.tmp'];
    for (const name of names) fs.writeFileSync(path.join(dir, name), 'left over');
    await new NodeFileBackend(file).write(new Uint8Array([1]));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['my.tmp', 'other.db.1.tmp', 'telemetry.db', 'telemetry.db.txt', 'telemetry.dbx.tmp']);
  });

  it('a write whose rename fails removes its temporary file and throws, leaving what was there', async () => {
    const file = path.join(dir, 'telemetry.db');
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'inside'), 'x'); // a non-empty folder: the rename onto it fails
    await assert.rejects(new NodeFileBackend(file).write(new Uint8Array([1])));
    assert.deepEqual(fs.readdirSync(dir), ['telemetry.db']);
    assert.deepEqual(fs.readdirSync(file), ['inside']);
  });

  it('a second writer waits for the lock until the first releases it', async () => {
    const file = path.join(dir, 'telemetry.db');
    const first = new NodeFileBackend(file);
    const release = await first.lock();
    assert.ok(fs.statSync(`${file}.lock`).isDirectory());
    const events: string[] = [];
    const second = new NodeFileBackend(file).lock().then((releaseSecond) => (events.push('second has it'), releaseSecond));
    await Promise.resolve();
    events.push('first releases');
    await release();
    await (
      await second
    )();
    assert.deepEqual(events, ['first releases', 'second has it'], 'it waited (retrying) instead of failing or taking a held lock');
    assert.equal(fs.existsSync(`${file}.lock`), false);
  });

  it('creates folders one level at a time, and says which part of the path is in the way', async () => {
    await ensureFolder(path.join(dir, 'x', 'y', 'z'));
    assert.ok(fs.statSync(path.join(dir, 'x', 'y', 'z')).isDirectory());
    await ensureFolder(path.join(dir, 'x', 'y')); // already there
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    await assert.rejects(ensureFolder(path.join(dir, 'plain')), {
      message: `cannot use ${path.join(dir, 'plain')}: ${path.join(dir, 'plain')} is a file, not a folder`,
    });
    await assert.rejects(ensureFolder(path.join(dir, 'plain', 'sub')), {
      message: `cannot create the folder ${path.join(dir, 'plain', 'sub')}: a part of the path is a file, not a folder (ENOTDIR)`,
    });
    await assert.rejects(ensureFolder('/proc/amr-test/sub'), { message: 'cannot create the folder /proc/amr-test: /proc does not accept new folders' });
  });
});
