import * as vscode from 'vscode';
import type { TeamSyncService } from '../services/teamSync';
import { Commands } from '../constants';
import { registerCommand } from './commandRegistry';
import { textArgument } from './commandArguments';

/** "Sync Team Telemetry Now" and "Set Team Database Password...". */
export function registerTeamCommands(team: TeamSyncService): vscode.Disposable[] {
  return [
    registerCommand(Commands.SyncTeamNow, async () => {
      const report = await team.syncNow();
      if (!report && team.state.status === 'off') void vscode.window.showInformationMessage(vscode.l10n.t('Team sync is off: {0}', team.state.reason ?? ''));
      else if (!report && team.state.error) void vscode.window.showWarningMessage(team.state.error);
      return report;
    }),
    registerCommand(Commands.SetTeamPassword, (...args) => team.setPassword(textArgument(args))),
  ];
}
