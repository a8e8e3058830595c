import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { workerIntegrityCheck } from '../../src/core/store/nodeIntegrityCheck';
import { loadSqlJs, locateWasm } from '../../src/core/store/sqlite';
import { MemoryBackend, sameStamp } from '../../src/core/store/storage';
import { SqlSession } from '../../src/core/store/sqlSession';
import { tempDir } from './helpers';

const PACKAGE_WASM = require.resolve('sql.js/dist/sql-wasm.wasm');

describe('the SQLite runtime (sql.js) and the integrity worker', () => {
  it('finds the wasm file beside the bundle first, else in the sql.js package', () => {
    const dir = tempDir();
    assert.equal(locateWasm('sql-wasm.wasm', dir), PACKAGE_WASM);
    fs.copyFileSync(PACKAGE_WASM, path.join(dir, 'sql-wasm.wasm'));
    assert.equal(locateWasm('sql-wasm.wasm', dir), path.join(dir, 'sql-wasm.wasm'));
  });

  it('loads once per process: every call gets the same runtime', async () => {
    const first = loadSqlJs();
    assert.equal(loadSqlJs(), first);
    assert.equal(loadSqlJs(new Uint8Array(fs.readFileSync(PACKAGE_WASM))), first, 'sql.js keeps its first module whatever is passed later');
    const SQL = await first;
    assert.deepEqual(new SQL.Database().exec('SELECT 1 + 1')[0].values, [[2]]);
  });

  describe('integrity check in a worker thread', () => {
    function worker(source: string): string {
      const file = path.join(tempDir(), 'worker.cjs');
      fs.writeFileSync(file, source);
      return file;
    }

    it("answers the worker's verdict, the bytes handed over rather than copied", async () => {
      const script = worker(
        "const { parentPort } = require('worker_threads');\nparentPort.once('message', (bytes) => parentPort.postMessage({ result: `ok ${bytes.length}` }));",
      );
      const bytes = new Uint8Array(1000);
      const verdict = workerIntegrityCheck(script)(bytes);
      assert.equal(bytes.byteLength, 0, 'transferred: a large file is not copied into the worker');
      assert.equal(await verdict, 'ok 1000');
    });

    it('a worker that throws rejects with its error', async () => {
      const script = worker("throw new Error('no wasm here');");
      await assert.rejects(workerIntegrityCheck(script)(new Uint8Array(8)), /no wasm here/);
    });

    it('a worker that exits without a verdict rejects with its exit code', async () => {
      const script = worker('process.exit(3);');
      await assert.rejects(workerIntegrityCheck(script)(new Uint8Array(8)), { message: 'integrity worker exited with 3' });
    });
  });

  it('file stamps are the same only when size and modification time both are, or when neither file exists', () => {
    assert.equal(sameStamp({ size: 1, mtimeMs: 2 }, { size: 1, mtimeMs: 2 }), true);
    assert.equal(sameStamp({ size: 1, mtimeMs: 2 }, { size: 1, mtimeMs: 3 }), false);
    assert.equal(sameStamp({ size: 1, mtimeMs: 2 }, { size: 9, mtimeMs: 2 }), false);
    assert.equal(sameStamp(undefined, undefined), true);
    assert.equal(sameStamp(undefined, { size: 1, mtimeMs: 2 }), false);
    assert.equal(sameStamp({ size: 1, mtimeMs: 2 }, undefined), false);
  });

  it('the memory backend keeps what was written, and each write changes its stamp', async () => {
    const memory = new MemoryBackend();
    assert.equal(memory.location, ':memory:');
    assert.equal(await memory.read(), undefined);
    assert.equal(await memory.stat(), undefined);
    await memory.write(new Uint8Array([1, 2, 3]));
    assert.deepEqual(await memory.read(), new Uint8Array([1, 2, 3]));
    const first = await memory.stat();
    assert.equal(first?.size, 3);
    await memory.write(new Uint8Array([4, 5, 6]));
    const second = await memory.stat();
    assert.equal(sameStamp(first, second), false, 'same size, later write: another stamp');
    assert.ok(second!.mtimeMs > first!.mtimeMs, 'stamps move forward');
  });
});

describe('the SQL session', () => {
  let session: SqlSession;
  beforeEach(async () => {
    const SQL = await loadSqlJs();
    session = new SqlSession(new SQL.Database());
    session.run('CREATE TABLE t (x INTEGER)', []);
  });

  it('prepares a statement once per SQL text, and reads it again from the start', () => {
    assert.equal(session.statement('SELECT x FROM t'), session.statement('SELECT x FROM t'));
    session.run('INSERT INTO t VALUES (?)', [1]);
    session.run('INSERT INTO t VALUES (?)', [2]);
    assert.deepEqual(session.all('SELECT x FROM t ORDER BY x', []), [[1], [2]]);
    assert.deepEqual(session.all('SELECT x FROM t ORDER BY x', []), [[1], [2]]);
  });

  it('a transaction whose work throws leaves nothing of it, rethrows, and the session goes on', () => {
    assert.throws(
      () =>
        session.transaction(() => {
          session.run('INSERT INTO t VALUES (?)', [1]);
          throw new Error('half-way');
        }),
      /half-way/,
    );
    assert.deepEqual(session.all('SELECT count(*) FROM t', []), [[0]]);
    session.transaction(() => session.run('INSERT INTO t VALUES (?)', [2]));
    assert.deepEqual(session.all('SELECT x FROM t', []), [[2]]);
  });

  it('reports the safety pragmas as they are', () => {
    session.db.exec('PRAGMA trusted_schema = 1');
    assert.equal(session.safetySettings().trustedSchema, true);
    session.db.exec('PRAGMA trusted_schema = 0');
    assert.equal(session.safetySettings().trustedSchema, false);
  });

  it('closing closes the database', () => {
    session.statement('SELECT x FROM t');
    session.close();
    assert.throws(() => session.db.exec('SELECT 1'));
  });
});
