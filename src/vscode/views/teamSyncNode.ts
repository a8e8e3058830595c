import * as vscode from 'vscode';
import { teamSyncText, type TeamSyncState } from '../services/teamSync';
import { escapeMarkdown, safeMarkdown } from '../format';
import { Commands, ContextValues } from '../constants';
import type { StatsNode } from './statsNodes';

/** The tree's first row when a team database is set: the sync state, its counts and its error. */
export class TeamSyncNode implements StatsNode {
  constructor(private readonly state: TeamSyncState) {}

  treeItem(): vscode.TreeItem {
    const s = this.state;
    const item = new vscode.TreeItem(vscode.l10n.t('Team sync'), vscode.TreeItemCollapsibleState.None);
    item.id = 'team-sync';
    item.contextValue = ContextValues.TeamSync;
    const text = teamSyncText(s);
    item.description =
      s.status === 'off'
        ? vscode.l10n.t('off')
        : s.status === 'error'
          ? vscode.l10n.t('failed · routing from the local file')
          : s.status === 'syncing'
            ? vscode.l10n.t('syncing…')
            : vscode.l10n.t('↑{0} ↓{1} · {2} other machines', s.pushed, s.pulled, s.writers) +
              (s.quarantined ? ` · ${vscode.l10n.t('{0} kept aside', s.quarantined)}` : '');
    item.iconPath = new vscode.ThemeIcon(
      s.status === 'error' ? 'cloud-offline' : s.status === 'off' ? 'circle-slash' : s.status === 'syncing' ? 'sync~spin' : 'cloud',
      s.status === 'error' || s.quarantined ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    const md = safeMarkdown();
    md.appendMarkdown(escapeMarkdown(text));
    item.tooltip = md;
    item.accessibilityInformation = { label: text };
    item.command = { command: Commands.SyncTeamNow, title: vscode.l10n.t('Sync Team Telemetry Now') };
    return item;
  }

  children(): StatsNode[] {
    return [];
  }
}
