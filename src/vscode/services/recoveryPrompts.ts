import * as vscode from 'vscode';
import { TelemetryFileError } from '../../core/store/schema';

/**
 * Offers the way out of an unusable telemetry file: move it aside (kept for recovery with sqlite3)
 * and start a new one, or open the setting. Only in a trusted workspace, and only for a file
 * problem; anything else is shown as it is.
 */
export async function offerRecovery(error: Error, trusted: boolean, moveAside: () => Promise<unknown>): Promise<void> {
  if (!(error instanceof TelemetryFileError) || !trusted) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Adaptive Routing: {0}', error.message));
    return;
  }
  const move = vscode.l10n.t('Move Aside and Start New');
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t('Adaptive Routing cannot use the telemetry file (statistics are off until it is fixed): {0}', error.message),
    move,
    vscode.l10n.t('Open Settings'),
  );
  if (choice === move) await moveAside();
  else if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'adaptiveRouting.telemetryPath');
}

/** Save failures: logged every time, shown once per session (the store keeps retrying on its own). */
export class SaveFailureReporter {
  private shown = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  report(location: string, error: Error): void {
    this.log.error(`Saving ${location} failed (the calls are kept and the save is retried): ${error.message}`);
    if (this.shown) return;
    this.shown = true;
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Adaptive Routing could not save telemetry ({0}). The calls are kept in memory and the save is retried.', error.message),
    );
  }
}
