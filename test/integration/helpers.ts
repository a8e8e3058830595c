import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AdaptiveRoutingApi } from '../../src/vscode/api';
import type { TelemetryService } from '../../src/vscode/services/telemetryService';
import type { StatsTreeProvider } from '../../src/vscode/views/statsTreeProvider';
import type { RoutingStatusBar } from '../../src/vscode/statusBar/statusBar';
import type { TierDiagnostics } from '../../src/vscode/diagnostics/tierDiagnostics';
import type { StatsNode } from '../../src/vscode/views/statsNodes';
import type { declarationsIn } from '../../src/vscode/diagnostics/declarationIndex';

export const EXTENSION_ID = 'attune-tools.adaptive-model-router';

import type { BudgetMonitor } from '../../src/vscode/services/budgetMonitor';
import type { BudgetStatusBar } from '../../src/vscode/statusBar/budgetStatusBar';
import type { DashboardPanel } from '../../src/vscode/views/dashboardPanel';
import type { TeamSyncService } from '../../src/vscode/services/teamSync';
import type { OtlpReceiverService } from '../../src/vscode/services/otlpReceiverService';

export interface Testing {
  service: TelemetryService;
  tree: StatsTreeProvider;
  statusBar: RoutingStatusBar;
  diagnostics: TierDiagnostics;
  budgets: BudgetMonitor;
  budgetStatusBar: BudgetStatusBar;
  dashboard: DashboardPanel;
  team: TeamSyncService;
  receiver: OtlpReceiverService;
  activateMs: number;
  showReport: (text: string, title?: string) => Promise<vscode.TextDocument>;
  declarationsIn: typeof declarationsIn;
}

export async function activateExtension(): Promise<{ api: AdaptiveRoutingApi; testing: Testing; extension: vscode.Extension<unknown> }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const exports = (await extension.activate()) as AdaptiveRoutingApi & { testing?: Testing };
  if (!exports.testing) throw new Error('the extension did not expose its test hooks (extensionMode is not Test?)');
  return { api: exports, testing: exports.testing, extension };
}

import { waitFor } from '../poll';

export { waitFor };

/** The tree as a person would read it: labels and descriptions, depth-first. */
export async function readTree(
  tree: StatsTreeProvider,
  node?: StatsNode,
  depth = 0,
): Promise<Array<{ depth: number; label: string; description: string; icon: string; node: StatsNode }>> {
  const rows: Array<{ depth: number; label: string; description: string; icon: string; node: StatsNode }> = [];
  for (const child of await tree.getChildren(node)) {
    const item = tree.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    rows.push({
      depth,
      label,
      description: String(item.description ?? ''),
      icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '',
      node: child,
    });
    rows.push(...(await readTree(tree, child, depth + 1)));
  }
  return rows;
}

export function workspaceUri(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace is not open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** A tree row's description without the spend the stage and workflow rows end with (" · $0.4233", " · ≈ $0.0042"). */
export function withoutSpend(description: string): string {
  return description.replace(/ · (≈ )?\$\d+\.\d+$/, '');
}

/** The line of a document holding `text`, and our diagnostic there once it is published. */
export async function diagnosticAt(document: vscode.TextDocument, text: string): Promise<{ line: number; diagnostic: vscode.Diagnostic }> {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(text));
  const diagnostic = await waitFor(`the diagnostic on the line of ${text}`, () =>
    vscode.languages.getDiagnostics(document.uri).find((d) => d.range.start.line === line),
  );
  return { line, diagnostic };
}

/** The quick fixes VS Code offers for a range of a file, as the light bulb would list them. */
export async function quickFixes(file: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', file, range, vscode.CodeActionKind.QuickFix.value)) as vscode.CodeAction[];
}

/**
 * The workspace as a suite found it, copied once before its first test, and put back before each
 * test: the telemetry file, manifests and workflow files a test changes are its own, so every test
 * passes alone and in any order. Open editors are reverted and closed, the time range, clock and
 * registry are the suite's again, and no stage is picked from the status bar. `dispose` removes the copy.
 */
export function captureWorkspace(testing: Testing): { restore(): Promise<void>; dispose(): void } {
  const root = workspaceUri().fsPath;
  const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'amr-fixture-'));
  fs.cpSync(root, saved, { recursive: true });
  const range = testing.service.range;
  const summaryLine = fs
    .readFileSync(path.join(saved, 'workflows', 'code_review.py'), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes('"summary": ')); // its tier_map line, not the list of stages above it
  const restore = async () => {
    for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await testing.service.file.reopen(async () => syncFolder(saved, root));
    testing.service.setClockOffsetForTests(0);
    await testing.service.setRegistry(undefined);
    await testing.service.setRange(range);
    testing.statusBar.pick(undefined);
    await waitFor('the restored workspace in the tree', async () => (await testing.service.overviewWithDecisions()).length > 0);
    // The declaration index follows the files through their watchers: wait for it to see the fixture's
    // (the same line as in the saved copy: an index of a test's own edit would have it elsewhere).
    await waitFor(
      "the fixture's tier declarations indexed",
      async () => (await testing.diagnostics.findDeclaration('code-review', 'summary'))?.range.start.line === summaryLine,
    );
  };
  return { restore, dispose: () => fs.rmSync(saved, { recursive: true, force: true }) };
}

/** Makes `target` hold exactly what `source` holds, touching only what differs (so watchers see only real changes). */
function syncFolder(source: string, target: string): void {
  const wanted = new Set(fs.readdirSync(source));
  for (const entry of fs.readdirSync(target)) if (!wanted.has(entry)) fs.rmSync(path.join(target, entry), { recursive: true, force: true });
  for (const entry of wanted) {
    const from = path.join(source, entry);
    const to = path.join(target, entry);
    if (fs.statSync(from).isDirectory()) {
      if (fs.existsSync(to) && !fs.statSync(to).isDirectory()) fs.rmSync(to, { force: true });
      fs.mkdirSync(to, { recursive: true });
      syncFolder(from, to);
    } else if (!fs.existsSync(to) || !fs.readFileSync(from).equals(fs.readFileSync(to))) {
      fs.rmSync(to, { recursive: true, force: true });
      fs.copyFileSync(from, to);
    }
  }
}
