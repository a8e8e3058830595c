import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { StoreEvent, TelemetryStore, openTelemetryStore } from '../../src/core';
import { MemoryBackend, StorageBackend } from '../../src/core/store/storage';
import { fixedClock } from './helpers';
import { tempDir } from './helpers';
import { waitFor } from '../poll';

/** A backend in memory that counts its writes (not a MemoryBackend, which the store never autosaves). */
class CountingBackend implements StorageBackend {
  readonly location = 'counting://t.db';
  writes = 0;
  private readonly memory = new MemoryBackend();
  read = () => this.memory.read();
  stat = () => this.memory.stat();
  async write(bytes: Uint8Array): Promise<void> {
    this.writes++;
    await this.memory.write(bytes);
  }
}

describe("the store's life: dirty, saved, reloaded, closed", () => {
  it('a new store has nothing to save; a flush then writes nothing', async () => {
    const backend = new CountingBackend();
    const store = await TelemetryStore.open(backend, { autoSaveMs: 0 });
    assert.equal(store.dirty, false);
    await store.flush();
    assert.equal(backend.writes, 0);
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    assert.equal(store.dirty, true);
    await store.flush();
    assert.equal(backend.writes, 1);
    assert.equal(store.dirty, false);
    await store.flush();
    assert.equal(backend.writes, 1, 'nothing new: nothing written');
    await store.close();
  });

  it('an empty file on disk is given the schema at the first save; a missing one waits for a call', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'empty.db'), '');
    const empty = await openTelemetryStore({ path: path.join(dir, 'empty.db'), autoSaveMs: 0 });
    assert.equal(empty.dirty, true);
    await empty.close();
    assert.ok(fs.statSync(path.join(dir, 'empty.db')).size > 0);
    const missing = await openTelemetryStore({ path: path.join(dir, 'missing.db'), autoSaveMs: 0 });
    assert.equal(missing.dirty, false);
    await missing.close();
    assert.equal(fs.existsSync(path.join(dir, 'missing.db')), false, 'no file for a store that recorded nothing');
  });

  it('an import bookmark is something to save', async () => {
    const store = await openTelemetryStore({ autoSaveMs: 0 });
    store.setImportProgress('log', 10, 'f');
    assert.equal(store.dirty, true);
    assert.deepEqual(store.getImportProgress('log'), { offset: 10, fingerprint: 'f' });
    store.dispose();
  });

  it('events: calls added (not duplicates), and a listener that was disposed hears nothing more', async () => {
    const store = await openTelemetryStore({ autoSaveMs: 0, now: fixedClock().now }); // a duplicate: same id at the same time
    const heard: StoreEvent[] = [];
    const listener = store.onDidChange((e) => heard.push(e));
    store.trackLlmCalls([
      { workflow: 'w', model: 'm', id: 'a' },
      { workflow: 'w', model: 'm', id: 'b' },
    ]);
    store.callCount(); // inserts the pending calls
    assert.deepEqual(heard, [{ kind: 'calls', added: 2 }]);
    const version = store.version;
    store.trackLlmCall({ workflow: 'w', model: 'm', id: 'a' });
    store.callCount();
    assert.equal(heard.length, 1, 'a duplicate adds nothing and says nothing');
    assert.equal(store.version, version, 'nor moves the version');
    listener.dispose();
    store.trackLlmCall({ workflow: 'w', model: 'm', id: 'c' });
    store.callCount();
    assert.equal(heard.length, 1);
    assert.equal(store.version, version + 1);
    store.dispose();
  });

  it('a file changed by another writer is reloaded with our unsaved calls kept, and everything keyed on the version starts over', async () => {
    const dir = tempDir();
    const file = path.join(dir, 't.db');
    const ours = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    const theirs = await openTelemetryStore({ path: file, autoSaveMs: 0 });
    assert.equal(await ours.reloadIfChanged(), false, 'nothing changed yet');
    theirs.trackLlmCall({ workflow: 'w', model: 'm', id: 'theirs' });
    await theirs.close();
    ours.trackLlmCall({ workflow: 'w', model: 'm', id: 'ours' });
    const version = ours.version;
    const events: string[] = [];
    ours.onDidChange((e) => events.push(e.kind));
    assert.equal(await ours.reloadIfChanged(), true);
    assert.equal(ours.callCount(), 2);
    assert.ok(ours.version >= version + 1_000_000);
    assert.ok(events.includes('reloaded'));
    assert.equal(ours.dirty, true, 'our call is still to be saved');
    await ours.close();
    const check = await openTelemetryStore({ path: file });
    assert.equal(check.callCount(), 2);
    check.dispose();
  });

  it('a closed store refuses calls by name; closing twice, or disposing after, is harmless; its autosave never fires', async () => {
    const backend = new CountingBackend();
    const store = await TelemetryStore.open(backend, { autoSaveMs: 5 });
    store.trackLlmCall({ workflow: 'w', model: 'm' });
    store.dispose(); // its autosave timer was set by the call above
    store.dispose();
    await store.close();
    assert.throws(() => store.trackLlmCall({ workflow: 'w', model: 'm' }), { message: 'Telemetry store counting://t.db is closed' });
    await assert.rejects(store.reloadIfChanged(), /is closed/);
    // A second store on the same backend saves on its timer: the first one's never fired.
    const other = await TelemetryStore.open(backend, { autoSaveMs: 5 });
    other.trackLlmCall({ workflow: 'w', model: 'm' });
    await waitFor('the second store to autosave', () => backend.writes === 1, 10_000, 5);
    assert.equal(backend.writes, 1);
    await other.close();
  });
});
