import { promises as fs, closeSync, constants, fsync, openSync, readFileSync, renameSync, write } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LlmCall } from '../types';

/**
 * Calls on disk before they are acknowledged, without a whole-file save per request: each writer
 * appends the calls it records to a journal of its own beside the telemetry file
 * (`telemetry.db.calls-<host>-<pid>-<random>.jsonl`, one JSON call a line) and fsyncs before the
 * receiver answers. A save seals the journal first (renamed aside, new appends go to a fresh one),
 * writes the file, then deletes what it sealed: every sealed call was tracked before the save read
 * the calls, so the file holds it. Opening replays every journal found (a crash leaves its writer's),
 * duplicates ignored by the calls' identities, and deletes those of writers that are gone once the
 * file holding their calls is saved. A line cut by a crash was never acknowledged: skipped.
 *
 * The name is not SQLite's `-journal` (a hot rollback journal to the sqlite3 tool).
 */
export interface CallJournal {
  /** Appends calls and forces them to disk. */
  append(calls: LlmCall[]): Promise<void>;
  /** Before a save reads the calls (synchronously, in that same turn): what was appended so far is set aside for it. */
  seal(): void;
  /** After the save wrote the file: what it sealed is deleted. */
  commit(): Promise<void>;
  /** On open: the calls of every journal beside the file, and the journals whose writers are gone (deleted by `forgetRecovered` after a save). */
  recover(): Promise<LlmCall[]>;
  /** After the file holding the recovered calls was saved: the journals of writers that are gone are deleted. */
  forgetRecovered(): Promise<void>;
  close(): Promise<void>;
}

const HOST = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_');

export class NodeCallJournal implements CallJournal {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly own: string;
  private fd: number | undefined;
  /** Appends in flight per descriptor: a sealed descriptor is closed once they are done. */
  private inFlight = new Map<number, Set<Promise<void>>>();
  private sealed: Array<{ fd: number; file: string }> = [];
  private sealedCount = 0;
  private recovered: string[] = [];

  constructor(databasePath: string) {
    this.dir = path.dirname(databasePath);
    this.prefix = `${path.basename(databasePath)}.calls-`;
    this.own = `${this.prefix}${HOST}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  }

  private get current(): string {
    return path.join(this.dir, `${this.own}.jsonl`);
  }

  async append(calls: LlmCall[]): Promise<void> {
    if (!calls.length) return;
    if (this.fd === undefined) {
      await fs.mkdir(this.dir, { recursive: true });
      this.fd ??= openSync(this.current, constants.O_CREAT | constants.O_WRONLY | constants.O_APPEND, 0o644);
    }
    const fd = this.fd;
    const text = calls.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const writing = appendAndSync(fd, text);
    const set = this.inFlight.get(fd) ?? new Set();
    this.inFlight.set(fd, set.add(writing));
    try {
      await writing;
    } finally {
      set.delete(writing);
    }
  }

  seal(): void {
    if (this.fd === undefined) return;
    const file = path.join(this.dir, `${this.own}.sealed-${++this.sealedCount}.jsonl`);
    renameSync(this.current, file);
    this.sealed.push({ fd: this.fd, file });
    this.fd = undefined;
  }

  async commit(): Promise<void> {
    await this.releaseSealed(true);
  }

  /** Closes the sealed journals once their appends are done; deletes them when the file now holds their calls. */
  private async releaseSealed(remove: boolean): Promise<void> {
    const done = this.sealed;
    this.sealed = [];
    for (const { fd, file } of done) {
      await Promise.all(this.inFlight.get(fd) ?? []);
      this.inFlight.delete(fd);
      closeSync(fd);
      if (remove) await fs.rm(file, { force: true });
    }
  }

  async recover(): Promise<LlmCall[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((n) => n.startsWith(this.prefix) && n.endsWith('.jsonl') && !n.startsWith(this.own));
    } catch {
      return [];
    }
    const calls: LlmCall[] = [];
    for (const name of names) {
      const text = await fs.readFile(path.join(this.dir, name), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          calls.push(JSON.parse(line) as LlmCall);
        } catch {
          // cut by a crash before its fsync: never acknowledged
        }
      }
      if (writerIsGone(name.slice(this.prefix.length))) this.recovered.push(path.join(this.dir, name));
    }
    return calls;
  }

  async forgetRecovered(): Promise<void> {
    for (const file of this.recovered) await fs.rm(file, { force: true });
    this.recovered = [];
  }

  async close(): Promise<void> {
    this.seal();
    // Closing without a save after it: what was sealed stays on disk and is replayed at the next open.
    await this.releaseSealed(false);
  }
}

/** `<host>-<pid>-<random>...`: a writer of this machine whose process no longer runs. */
function writerIsGone(rest: string): boolean {
  const match = /^(.*)-(\d+)-[a-z0-9]+[.-]/.exec(rest);
  if (!match || match[1] !== HOST) return false; // another machine's (a shared folder): its own writer deletes it
  const pid = Number(match[2]);
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Still there as a zombie (killed, not yet reaped: in containers nobody may reap it) is gone too.
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Appends at the end (O_APPEND), then waits for the disk. */
async function appendAndSync(fd: number, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => write(fd, text, (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}
