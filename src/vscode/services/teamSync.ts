import * as vscode from 'vscode';
import { counted } from '../../core/format';
import type { SyncReport } from '../../core/team/teamSync';
import { credentialOf, hostOf, teamDatabaseUrlProblem } from '../../core/team/teamDatabaseUrl';
import { createTeamSync } from './storageFactory';
import type { TelemetryService } from './telemetryService';

/** What the tree and the status-bar tooltip say about team sync. */
export interface TeamSyncState {
  /** off: no team database set, or sync cannot run here (the reason says which). */
  status: 'off' | 'syncing' | 'ok' | 'error';
  /** A team database is set (sync may still be off here: Restricted Mode, the browser). */
  configured: boolean;
  reason?: string;
  database?: string;
  project?: string;
  lastSync?: Date;
  /** Since the window opened. */
  pushed: number;
  pulled: number;
  /** Largest number of other machines seen in one round. */
  writers: number;
  /** Calls the team database refused (kept aside in the file), pulled rows refused here, and the latest reasons. */
  quarantined?: number;
  refusedPulled?: number;
  reasons?: string[];
  error?: string;
}

const PASSWORD_PREFIX = 'adaptiveRouting.teamPassword:';
const APPROVED_KEY = 'adaptiveRouting.teamPasswordApprovedFor';

/**
 * Syncs the workspace telemetry with the team database on a timer and on demand. Decisions never
 * wait for it: they read the local file, which each round brings up to date. The password is kept
 * in SecretStorage per host and user; a database URL that a workspace setting introduced gets it
 * only after the user said so (a workspace must not send it to a server of its choosing).
 */
export class TeamSyncService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<SyncReport | undefined> | undefined;
  private firstRound: ReturnType<typeof setTimeout> | undefined;
  state: TeamSyncState = { status: 'off', configured: false, pushed: 0, pulled: 0, writers: 0 };

  /** Database URLs whose request for the password was declined in this window: not asked again until it reloads. */
  private readonly declined = new Set<string>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: TelemetryService,
    /** Asks whether a URL a workspace set may have the stored password (a modal; tests answer it). */
    public confirmPassword: (url: string) => Thenable<boolean> = askToSendPassword,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('adaptiveRouting.team') && this.restart()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart()),
    );
    this.restart();
  }

  /** The team database settings, or why sync is off. */
  private settings(): { url: string; project: string; interval: number; fromWorkspace: boolean } | { off: string } {
    const config = vscode.workspace.getConfiguration('adaptiveRouting.team');
    const url = config.get<string>('database')?.trim();
    if (!url) return { off: vscode.l10n.t('no team database set (adaptiveRouting.team.database)') };
    if (!createTeamSync()) return { off: vscode.l10n.t('not in the browser: team sync needs the desktop or a remote extension host') };
    if (!vscode.workspace.isTrusted) return { off: vscode.l10n.t('Restricted Mode: trust the workspace to sync with the team database') };
    const problem = teamDatabaseUrlProblem(url);
    if (problem === 'not-a-url' || problem === 'not-postgres') return { off: vscode.l10n.t('adaptiveRouting.team.database is not a postgres:// URL') };
    if (problem === 'has-password')
      return { off: vscode.l10n.t('adaptiveRouting.team.database carries a password: remove it, and use "Set Team Database Password..."') };
    const inspected = config.inspect<string>('database');
    const fromWorkspace = (inspected?.workspaceValue ?? inspected?.workspaceFolderValue) !== undefined && inspected?.globalValue !== url;
    return { url, project: config.get<string>('project')?.trim() || 'default', interval: config.get<number>('syncIntervalSeconds') ?? 60, fromWorkspace };
  }

  private restart(): void {
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.firstRound);
    this.timer = undefined;
    const settings = this.settings();
    const configured = !!vscode.workspace.getConfiguration('adaptiveRouting.team').get<string>('database')?.trim();
    if ('off' in settings) {
      this.update({ status: 'off', configured, reason: settings.off, database: undefined, project: undefined, error: undefined });
      return;
    }
    this.update({ status: 'ok', configured, reason: undefined, database: hostOf(settings.url), project: settings.project });
    this.timer = setInterval(() => void this.syncNow(), Math.max(settings.interval, 5) * 1000);
    // The first round once the window has settled (activation stays light), then on the timer.
    this.firstRound = setTimeout(() => void this.syncNow(), 3000);
  }

  /** One round now (or the one running); resolves with its report, undefined when sync is off or failed. */
  syncNow(): Promise<SyncReport | undefined> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<SyncReport | undefined> {
    const settings = this.settings();
    const sync = createTeamSync();
    if ('off' in settings || !sync) return undefined;
    const store = await this.service.file.ensureOpen();
    if (!store || this.service.file.readOnly) return undefined;
    this.update({ status: 'syncing' });
    try {
      const password = await this.password(settings.url, settings.fromWorkspace);
      const report = await sync(store, { url: settings.url, project: settings.project, password });
      await this.service.file.save();
      this.update({
        status: 'ok',
        error: undefined,
        lastSync: new Date(),
        pushed: this.state.pushed + report.pushed,
        pulled: this.state.pulled + report.pulled,
        writers: Math.max(this.state.writers, report.writers),
        quarantined: report.quarantined,
        refusedPulled: (this.state.refusedPulled ?? 0) + report.refusedPulled,
        reasons: report.reasons,
      });
      if (report.refused || report.refusedPulled) this.service.log.warn(`Team sync: calls refused: ${report.reasons.join('; ')}`);
      return report;
    } catch (error) {
      const message = (error as Error).message;
      if (this.state.error !== message) this.service.log.warn(`Team sync: ${message}`);
      this.update({ status: 'error', error: message });
      return undefined;
    }
  }

  /** The stored password for the URL's host and user; for a URL a workspace set, only once the user agreed. */
  private async password(url: string, fromWorkspace: boolean): Promise<string | undefined> {
    const key = PASSWORD_PREFIX + credentialOf(url);
    const stored = await this.context.secrets.get(key);
    if (!stored || !fromWorkspace) return stored;
    const approved = this.context.globalState.get<string[]>(APPROVED_KEY, []);
    if (approved.includes(url)) return stored;
    if (this.declined.has(url)) return undefined;
    if (!(await this.confirmPassword(url))) {
      this.declined.add(url); // a modal on every round would be worse than no sync
      return undefined;
    }
    await this.context.globalState.update(APPROVED_KEY, [...approved, url]);
    return stored;
  }

  /** "Set Team Database Password...": kept per host and user in SecretStorage. */
  async setPassword(value?: string): Promise<boolean> {
    const settings = this.settings();
    const url = 'off' in settings ? vscode.workspace.getConfiguration('adaptiveRouting.team').get<string>('database') : settings.url;
    if (!url) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Set adaptiveRouting.team.database first (a postgres:// URL without the password).'));
      return false;
    }
    const password =
      value ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Team database password for {0}', credentialOf(url)),
        prompt: vscode.l10n.t('Stored in VS Code SecretStorage for this host and user, never in settings.'),
        password: true,
        ignoreFocusOut: true,
      }));
    if (password === undefined) return false;
    const key = PASSWORD_PREFIX + credentialOf(url);
    if (password === '') await this.context.secrets.delete(key);
    else await this.context.secrets.store(key, password);
    void this.syncNow();
    return true;
  }

  private update(patch: Partial<TeamSyncState>): void {
    this.state = { ...this.state, ...patch };
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.firstRound);
    for (const d of this.disposables) d.dispose();
  }
}

async function askToSendPassword(url: string): Promise<boolean> {
  const use = vscode.l10n.t('Use My Password');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('This workspace sets the team database to {0}. Send your stored password for {1} to it?', hostOf(url), credentialOf(url)),
    { modal: true },
    use,
  );
  return choice === use;
}

/** "synced 2 min ago · ↑12 ↓30 · 3 other machines", or the error, for the tree and tooltips. */
export function teamSyncText(s: TeamSyncState, now = Date.now()): string {
  if (s.status === 'off') return vscode.l10n.t('Team sync off: {0}', s.reason ?? '');
  const when = s.lastSync ? vscode.l10n.t('synced {0}', ago(now - s.lastSync.getTime())) : vscode.l10n.t('not synced yet');
  const counts = vscode.l10n.t('{0} pushed, {1} pulled, {2} other machines', s.pushed, s.pulled, s.writers);
  if (s.status === 'error') return vscode.l10n.t('Team sync with {0} failed ({1}); routing from the local file. {2}', s.database ?? '', when, s.error ?? '');
  const refused = refusedText(s);
  return (
    vscode.l10n.t('Team sync with {0} ({1}): {2} · {3}', s.database ?? '', s.project ?? '', s.status === 'syncing' ? vscode.l10n.t('syncing…') : when, counts) +
    (refused ? ` · ${refused}` : '')
  );
}

/** "2 calls kept aside: the team database refused them (reason)", or '' when none were refused. */
export function refusedText(s: TeamSyncState): string {
  const parts = [
    s.quarantined ? vscode.l10n.t('{0} kept aside: the team database refused them', counted(s.quarantined, 'call')) : '',
    s.refusedPulled ? vscode.l10n.t('{0} from teammates not stored (they fail the checks here)', counted(s.refusedPulled, 'call')) : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join('; ')} (${(s.reasons ?? []).slice(0, 2).join('; ')})` : '';
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 1 ? vscode.l10n.t('just now') : minutes < 60 ? vscode.l10n.t('{0} min ago', minutes) : vscode.l10n.t('{0} h ago', Math.round(minutes / 60));
}
