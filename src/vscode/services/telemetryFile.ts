import * as vscode from 'vscode';
import type { ImportReport } from '../../core/ingest/importers';
import { TelemetryStore } from '../../core/store/telemetryStore';
import type { LlmCall, LlmCallInput } from '../../core/types';
import { readSettings } from '../settings';
import { FileWatchers } from './fileWatchers';
import { LogImports, isAbsolute } from './logImports';
import { SaveFailureReporter, offerRecovery } from './recoveryPrompts';
import { createIntegrityCheck, createStorageBackend } from './storageFactory';

export type FileState = 'closed' | 'no-workspace' | 'empty' | 'ready' | 'error';

/** What changed: the calls in the file, the file itself (opened, closed, unreadable), or the workflows manifest on disk. */
export interface FileChange {
  kind: 'calls' | 'state' | 'manifest';
  /** Refresh at once (a reload, a new state) rather than after a burst of calls settles. */
  immediate: boolean;
}

/**
 * The workspace's telemetry file: opens the store lazily (read-only in an untrusted workspace,
 * refused when unreadable, never written over), watches it and the upstream logs, reloads what
 * other processes write, imports the logs, and takes the calls the editor records.
 */
export class TelemetryFile implements vscode.Disposable {
  private store: TelemetryStore | undefined;
  private opening: Promise<TelemetryStore | undefined> | undefined;
  private wasmBytes: Uint8Array | undefined;
  private readonly changed = new vscode.EventEmitter<FileChange>();
  private readonly disposables: vscode.Disposable[] = [];
  state: FileState = 'closed';
  error: Error | undefined;
  /** How long the last open took, and its longest stretch without yielding (for the log and the extension benchmark). */
  timings: { openMs?: number; openBlockedMs?: number } = {};
  /** The file watchers and poll of the current paths; restarted when a path setting changes. */
  private readonly watchers = new FileWatchers();
  private readonly saveFailures: SaveFailureReporter;
  /** The integrity check scheduled for the store opened last (one at a time, not one per open). */
  private verifyLater: ReturnType<typeof setTimeout> | undefined;
  /** The upstream framework's logs, imported into the store. */
  private readonly imports: LogImports;
  /** Set while reopen() has the file closed: ensureOpen waits for it. */
  private closedForReopen: Promise<void> | undefined;
  /** Test hook: shifts the clock the store reads, so a host test can stand in another period without waiting (never set outside tests). */
  clockOffsetMs = 0;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.saveFailures = new SaveFailureReporter(log);
    this.imports = new LogImports(
      log,
      () => this.writableStore(),
      () => this.save(),
    );
    this.disposables.push(
      this.changed,
      this.watchers,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('adaptiveRouting.telemetryPath') || e.affectsConfiguration('adaptiveRouting.maxFileSizeMB')) void this.reopen();
        else if (e.affectsConfiguration('adaptiveRouting.importSources') || e.affectsConfiguration('adaptiveRouting.workflowsFile')) this.rewatch();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reopen()),
    );
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Writes (imports, samples, quick fixes, tracking) need a trusted workspace and a readable file. */
  get readOnly(): boolean {
    return !this.trusted || this.state === 'error';
  }

  get uri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const configured = readSettings(folder.uri).telemetryPath;
    return isAbsolute(configured) ? folder.uri.with({ path: configured.replace(/\\/g, '/') }) : vscode.Uri.joinPath(folder.uri, configured);
  }

  /** The store open now, if it is (never opens it). */
  get current(): TelemetryStore | undefined {
    return this.store;
  }

  /** Opens the store on first use. Resolves undefined when there is no workspace or the file is unreadable. */
  ensureOpen(): Promise<TelemetryStore | undefined> {
    // While a reopen has the file closed, a caller waits for the reopened store (not one of the file being replaced).
    if (this.closedForReopen) return this.closedForReopen.then(() => this.ensureOpen());
    if (this.store) return Promise.resolve(this.store);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<TelemetryStore | undefined> {
    const uri = this.uri;
    if (!uri) {
      this.state = 'no-workspace';
      this.fire('state', true);
      return undefined;
    }
    const settings = readSettings(uri);
    try {
      this.wasmBytes ??= await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'sql-wasm.wasm'));
      const openStarted = Date.now();
      const store = await TelemetryStore.open(createStorageBackend(uri), {
        wasmBinary: this.wasmBytes,
        autoSaveMs: 1000,
        now: () => new Date(Date.now() + this.clockOffsetMs),
        maxFileBytes: settings.maxFileSizeMB * 1024 * 1024,
        retentionDays: settings.retentionDays,
        integrityCheck: createIntegrityCheck(),
      });
      this.timings = { openMs: Date.now() - openStarted, openBlockedMs: store.openBlockedMs };
      this.store = store;
      this.error = undefined;
      // The integrity check runs in a worker once startup has settled (a save starts it sooner);
      // a damaged file is dropped and never written over.
      if (this.verifyLater) clearTimeout(this.verifyLater);
      this.verifyLater = setTimeout(() => store.verification.catch((error: Error) => this.failVerification(store, error)), 2000);
      store.onDidChange((event) => event.kind === 'unreadable' && this.failVerification(store, event.error));
      store.onDidChange((event) => {
        if (event.kind === 'save-failed') this.saveFailures.report(store.location, event.error);
        if (event.kind === 'calls' || event.kind === 'reloaded') this.fire('calls', false);
      });
      this.log.info(
        `Opened telemetry ${store.location} (${store.callCount()} calls) in ${this.timings.openMs} ms${this.trusted ? '' : '; read-only: the workspace is not trusted'}`,
      );
      this.state = store.callCount() > 0 ? 'ready' : 'empty';
      this.startWatching(uri);
      if (!this.readOnly) void this.importConfiguredSources();
    } catch (error) {
      this.state = 'error';
      this.error = error as Error;
      this.log.error(`Cannot open telemetry: ${(error as Error).message}`);
      void offerRecovery(error as Error, this.trusted, () => this.moveAside());
    }
    this.fire('state', true);
    return this.store;
  }

  private failVerification(store: TelemetryStore, error: Error): void {
    if (this.store !== store) return;
    this.store = undefined;
    store.dispose();
    this.state = 'error';
    this.error = error;
    this.log.error(`Telemetry failed the integrity check: ${error.message}`);
    this.fire('state', true);
    void offerRecovery(error, this.trusted, () => this.moveAside());
  }

  /**
   * Renames an unreadable telemetry file to `<name>.unreadable-<time>` (kept for recovery with
   * sqlite3) and starts a new one. Returns the new name of the old file.
   */
  async moveAside(): Promise<vscode.Uri | undefined> {
    const uri = this.uri;
    if (!uri || this.state !== 'error' || !this.trusted) return undefined;
    const aside = uri.with({ path: `${uri.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}` });
    await vscode.workspace.fs.rename(uri, aside, { overwrite: false });
    this.log.warn(`Moved ${uri.toString(true)} aside to ${aside.toString(true)}`);
    await this.reopen();
    return aside;
  }

  /**
   * Closes and reopens, for a new path or after the trust changed. `whileClosed` runs between the two,
   * with everything saved and nothing open (a host test puts its fixture back there).
   */
  async reopen(whileClosed?: () => Promise<void>): Promise<void> {
    const closing = (async () => {
      this.watchers.stop();
      await this.opening?.catch(() => undefined);
      await this.close();
      this.state = 'closed';
      await whileClosed?.();
    })();
    this.closedForReopen = closing.catch(() => undefined);
    try {
      await closing;
    } finally {
      this.closedForReopen = undefined;
    }
    await this.ensureOpen();
  }

  private async close(): Promise<void> {
    if (this.verifyLater) clearTimeout(this.verifyLater);
    this.verifyLater = undefined;
    const store = this.store;
    this.store = undefined;
    if (!store) return;
    this.fire('state', true);
    if (this.readOnly) store.dispose();
    else await store.close().catch((error: Error) => this.log.error(`Saving telemetry on close failed: ${error.message}`));
  }

  /** Watches the paths the settings name now: after a change of importSources or workflowsFile, the new ones. */
  private rewatch(): void {
    this.watchers.stop();
    const uri = this.uri;
    if (this.store && uri) this.startWatching(uri);
    this.fire('manifest', false);
    if (!this.readOnly && this.store) void this.importConfiguredSources();
  }

  private startWatching(uri: vscode.Uri): void {
    this.watchers.start(uri, this.imports.sourceUris(), {
      telemetryChanged: () => void this.reloadFromDisk(),
      manifestChanged: () => this.fire('manifest', false),
      sourceChanged: () => void (this.readOnly ? undefined : this.importConfiguredSources()),
    });
  }

  /** Picks up what another process wrote; our own saves are recognised by their stamp and ignored. */
  async reloadFromDisk(): Promise<void> {
    const store = this.store;
    if (!store) {
      if (this.state === 'error') return;
      if (this.state !== 'closed') await this.reopen();
      return;
    }
    try {
      if (await store.reloadIfChanged()) {
        this.log.info(`Reloaded ${store.location}: changed by another process`);
        this.fire('calls', true);
      }
    } catch (error) {
      this.log.error(`Reloading telemetry failed: ${(error as Error).message}`);
    }
  }

  /** Imports the configured upstream logs (and rotated siblings) through the idempotent importers. */
  importConfiguredSources(): Promise<ImportReport[]> {
    return this.imports.importConfigured();
  }

  /** Imports one JSONL file (and its rotated siblings when asked); nothing for a missing file. */
  importUri(uri: vscode.Uri, withRotated = false): Promise<ImportReport[]> {
    return this.imports.importUri(uri, withRotated);
  }

  async trackLlmCall(call: LlmCallInput): Promise<LlmCall> {
    return (await this.writableStore()).trackLlmCall(call);
  }

  async trackLlmCalls(calls: LlmCallInput[]): Promise<LlmCall[]> {
    const store = await this.writableStore();
    const tracked = store.trackLlmCalls(calls);
    await this.save();
    return tracked;
  }

  /** Records calls and resolves once they are on disk (the store's journal), without waiting for a whole-file save. */
  async recordDurably(calls: LlmCallInput[]): Promise<LlmCall[]> {
    const store = await this.writableStore();
    return store.recordDurably(calls);
  }

  /** Calls in the file, all time, and when the latest was made (undefined until the file is open). */
  storedCalls(): { count: number; latest: Date | undefined } | undefined {
    if (!this.store) return undefined;
    const count = this.store.callCount();
    const latest = count ? this.store.lastCall()?.ts : undefined;
    return { count, latest: latest == null ? undefined : new Date(latest) };
  }

  lastCall(): LlmCall | undefined {
    return this.store?.lastCall();
  }

  /** Saves now; failures are logged and retried by the store's timer, never dropped. */
  async save(): Promise<void> {
    if (!this.store || this.readOnly) return;
    await this.store.flush();
  }

  /** The store, open and writable (trusted workspace, readable file), or a clear error. */
  private async writableStore(): Promise<TelemetryStore> {
    if (!this.trusted)
      throw new Error(
        vscode.l10n.t('Restricted Mode: Adaptive Routing does not write telemetry in an untrusted workspace. Trust the workspace to record or import calls.'),
      );
    if (this.state === 'error') throw new Error(vscode.l10n.t('The telemetry file cannot be used: {0}', this.error?.message ?? ''));
    const store = await this.ensureOpen();
    if (!store) throw new Error(this.error?.message ?? vscode.l10n.t('No workspace folder is open: there is no telemetry file to record into.'));
    return store;
  }

  private fire(kind: FileChange['kind'], immediate: boolean): void {
    this.changed.fire({ kind, immediate });
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables.splice(0)) d.dispose();
    await this.close();
  }
}
