import * as vscode from 'vscode';
import type { OtlpReceiver } from '../../core/ingest/otlpReceiver';
import { describeSkipped, type SkippedSpans } from '../../core/ingest/otlpSpans';
import { counted } from '../../core/format';
import { readOtlpRules } from '../settings';
import { createOtlpReceiver } from './storageFactory';
import type { TelemetryService } from './telemetryService';

/** What the status-bar tooltip says about the receiver. */
export interface OtlpReceiverState {
  status: 'off' | 'running' | 'error';
  /** Set when the setting asks for the receiver (it may still be off here: Restricted Mode, the browser). */
  enabled: boolean;
  reason?: string;
  port?: number;
  /** Recorded since it started, and spans received that did not become calls, by reason. */
  calls: number;
  skipped?: SkippedSpans;
}

/**
 * The local OTLP/HTTP receiver (`adaptiveRouting.otlpReceiver.*`, off by default): started and
 * stopped with its settings and the workspace's trust; what it receives is recorded like any call
 * (so the tree and status bar update), and a request that cannot be recorded now is answered 503,
 * which exporters send again later.
 */
export class OtlpReceiverService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private receiver: OtlpReceiver | undefined;
  /** The start or stop in progress: restarts run one after the other. */
  private pending: Promise<void> = Promise.resolve();
  private closed = false;
  state: OtlpReceiverState = { status: 'off', enabled: false, calls: 0 };

  constructor(private readonly service: TelemetryService) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(
        (e) => (e.affectsConfiguration('adaptiveRouting.otlpReceiver') || e.affectsConfiguration('adaptiveRouting.otlp')) && this.restart(),
      ),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart()),
    );
    this.restart();
  }

  /** Resolves once the receiver runs, or is off, as the settings now say. */
  restart(): Promise<void> {
    this.pending = this.pending.then(() => this.apply());
    return this.pending;
  }

  private async apply(): Promise<void> {
    await this.receiver?.close();
    this.receiver = undefined;
    if (this.closed) return;
    const config = vscode.workspace.getConfiguration('adaptiveRouting.otlpReceiver');
    const enabled = config.get<boolean>('enabled') === true;
    const start = createOtlpReceiver();
    const off = !enabled
      ? vscode.l10n.t('off (adaptiveRouting.otlpReceiver.enabled)')
      : !start
        ? vscode.l10n.t('not in the browser: the OTLP receiver needs the desktop or a remote extension host')
        : !vscode.workspace.isTrusted
          ? vscode.l10n.t('Restricted Mode: trust the workspace to receive OpenTelemetry traces')
          : undefined;
    if (off || !start) return this.update({ status: 'off', enabled, reason: off, port: undefined });
    const port = config.get<number>('port') ?? 4318;
    const rules = readOtlpRules(this.service.log, vscode.workspace.workspaceFolders?.[0]?.uri);
    try {
      this.receiver = await start((calls) => this.service.file.recordDurably(calls), {
        ...rules,
        port,
        token: config.get<string>('token')?.trim() || undefined,
        onCalls: () => this.showCounts(),
        onRequest: () => this.showCounts(),
        onError: (error) => this.service.log.warn(`OpenTelemetry receiver: calls not recorded yet (${error.message}); trying again`),
        onRejected: (rejections) => this.service.log.warn(`OpenTelemetry receiver: model-call spans rejected: ${rejections.join('; ')}`),
      });
      this.service.log.info(`OpenTelemetry receiver listening on http://127.0.0.1:${this.receiver.port}/v1/traces`);
      this.update({ status: 'running', enabled, reason: undefined, port: this.receiver.port, calls: 0, skipped: undefined });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE'
          ? vscode.l10n.t('port {0} is in use (another window or collector?): set adaptiveRouting.otlpReceiver.port', port)
          : (error as Error).message;
      this.service.log.warn(`OpenTelemetry receiver not started: ${reason}`);
      this.update({ status: 'error', enabled, reason, port });
    }
  }

  private showCounts(): void {
    if (this.receiver) this.update({ calls: this.receiver.counts.calls, skipped: { ...this.receiver.counts.skipped } });
  }

  private update(patch: Partial<OtlpReceiverState>): void {
    this.state = { ...this.state, ...patch };
    this.changed.fire();
  }

  /**
   * Stops the receiver and records the calls still waiting for their enclosing spans: deactivation
   * awaits this before the telemetry file closes (disposal comes after it, too late to record).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.pending;
    await this.receiver?.close();
    this.receiver = undefined;
  }

  dispose(): void {
    void this.close();
    for (const d of this.disposables) d.dispose();
  }
}

/** "OpenTelemetry receiver on 127.0.0.1:4318: 12 calls recorded", or why it is not running; undefined when not asked for. */
export function otlpReceiverText(s: OtlpReceiverState): string | undefined {
  if (!s.enabled) return undefined;
  if (s.status === 'running') {
    // Spans skipped say a tool is sending what is not read as calls (adaptiveRouting.otlp.* can name them): "3 spans skipped: 2 not model calls, 1 without a model".
    const skipped = s.skipped && describeSkipped(s.skipped) ? `, ${describeSkipped(s.skipped)}` : '';
    return vscode.l10n.t('OpenTelemetry receiver on 127.0.0.1:{0}: {1} recorded{2}', s.port ?? '', counted(s.calls, 'call'), skipped);
  }
  return vscode.l10n.t('OpenTelemetry receiver not running: {0}', s.reason ?? '');
}
