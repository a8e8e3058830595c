import * as vscode from 'vscode';

/** Opens a report as an untitled document beside the current editor. */
export async function showReport(text: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  return document;
}

/** A notification with a "Show details" action that opens the full report. */
export async function notifyWithDetails(summary: string, report: string, warning: boolean): Promise<void> {
  const details = vscode.l10n.t('Show details');
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(summary, details);
  if (choice === details) await showReport(report);
}
