import * as vscode from 'vscode';
import { BudgetDeclaration, settingBudgets } from '../../core/budgets/budgetDeclarations';
import { ManifestProblem, TierDeclaration, WorkflowSettings, parseWorkflowsManifest, positionAt } from '../../core/declarations';
import { readSettings } from '../settings';
import type { RoutingManifest } from '../../core/routing/routingSetup';

/**
 * The workflows manifest (`adaptiveRouting.workflowsFile`): stage targets, declared tiers and
 * switched-off workflows. A missing file is normal (it is optional); a file that cannot be read is
 * logged; syntax errors go to the Problems panel, and what parsed still applies.
 */
export class WorkflowsManifest implements vscode.Disposable {
  workflows: WorkflowSettings[] = [];
  declarations: TierDeclaration[] = [];
  budgets: BudgetDeclaration[] = [];
  /** Where the manifest is, once looked for (budget diagnostics go on it). */
  uri: vscode.Uri | undefined;
  /** Its text as last read, for offsets. */
  text: string | undefined;
  private readonly problems = vscode.languages.createDiagnosticCollection('adaptiveRouting.manifest');

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Reads the manifest again; readers see the old contents until the new ones are complete. */
  async load(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const uri = vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).workflowsFile);
    let text: string | undefined;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      if (!(error instanceof vscode.FileSystemError && error.code === 'FileNotFound')) {
        this.log.error(`Cannot read the workflows manifest ${uri.fsPath}: ${(error as Error).message}`);
      }
    }
    const parsed = text === undefined ? undefined : parseWorkflowsManifest(text);
    this.workflows = parsed?.workflows ?? [];
    this.declarations = parsed?.declarations ?? [];
    this.budgets = parsed?.budgets ?? [];
    this.uri = uri;
    this.text = text;
    this.problems.clear();
    if (parsed && text !== undefined && parsed.problems.length) {
      this.problems.set(
        uri,
        parsed.problems.map((p) => diagnostic(text, p)),
      );
      this.log.warn(`${vscode.workspace.asRelativePath(uri)}: ${parsed.errors.join('; ')}`);
    }
  }

  /** The setting's workspace budget (a wrong one is logged and left out) and the manifest's budgets. */
  withSettingBudget(setting: unknown, log: vscode.LogOutputChannel): BudgetDeclaration[] {
    return [...this.settingBudgets(setting, log), ...this.budgets];
  }

  /** The budgets of the `adaptiveRouting.budget` setting alone (the manifest's are `budgets`). */
  settingBudgets(setting: unknown, log: vscode.LogOutputChannel): BudgetDeclaration[] {
    const fromSetting = settingBudgets(setting);
    // Asked on every refresh: a wrong setting is logged once, not once per telemetry change.
    const said = fromSetting.errors.join('\n');
    if (said !== this.settingErrors) for (const error of fromSetting.errors) log.warn(error);
    this.settingErrors = said;
    return fromSetting.budgets;
  }

  /** What the manifest says for routing (createRoutingSetup's input). */
  get routing(): RoutingManifest {
    return { declarations: this.declarations, disabledWorkflows: this.workflows.filter((w) => !w.adaptive).map((w) => w.workflow), budgets: this.budgets };
  }

  /** The setting's budget errors last logged. */
  private settingErrors = '';

  dispose(): void {
    this.problems.dispose();
  }
}

function diagnostic(text: string, problem: ManifestProblem): vscode.Diagnostic {
  const start = positionAt(text, problem.offset);
  const end = positionAt(text, problem.offset + Math.max(problem.length, 1));
  const result = new vscode.Diagnostic(
    new vscode.Range(start.line, start.character, end.line, end.character),
    problem.message,
    vscode.DiagnosticSeverity.Error,
  );
  result.source = 'Adaptive Routing';
  return result;
}
