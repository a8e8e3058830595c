import * as vscode from 'vscode';
import { editorSafeText } from '../../core/format';

/** Reports open as read-only documents of this scheme: nothing to save, no prompt when closed. */
export const REPORT_SCHEME = 'adaptive-routing-report';

const reports = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();
let opened = 0;

/** Serves the text of the reports opened in this window (kept until the window closes; they are small). */
export function registerReportProvider(): vscode.Disposable {
  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => reports.get(uri.toString()) ?? vscode.l10n.t('This report is no longer available: run the command again.'),
    }),
  );
}

/**
 * Opens a report as a read-only document in the active editor group (a side split halved its width
 * and cut its long lines), in its own language so that it wraps (package.json `configurationDefaults`);
 * each run gets its own tab.
 */
export async function showReport(text: string, title = vscode.l10n.t('Routing Report')): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${title.replace(/[\\/]/g, '-')}.txt`, query: String(++opened) });
  reports.set(uri.toString(), editorSafeText(text));
  const document = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), REPORT_LANGUAGE);
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Active });
  return document;
}

/** The reports' language: no grammar, only the word wrap its configuration default turns on. */
export const REPORT_LANGUAGE = 'adaptive-routing-report';

/** A notification with a "Show details" action that opens the full report. */
export async function notifyWithDetails(summary: string, report: string, warning: boolean, title?: string): Promise<void> {
  const details = vscode.l10n.t('Show details');
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(summary, details);
  if (choice === details) await showReport(report, title);
}
