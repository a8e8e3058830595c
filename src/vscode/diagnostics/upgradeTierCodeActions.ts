import * as vscode from 'vscode';
import { tierReplacement } from '../../core/declarations';
import { tierIndex } from '../../core/tiers';
import { declarationsIn } from './declarationIndex';
import { DIAGNOSTIC_SOURCE, upgradeTarget } from './tierDiagnostics';

/** Quick fix for a tier-upgrade diagnostic: rewrites the declared tier in place to the recommended one. */
export class UpgradeTierCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // Restricted Mode: statistics stay visible, but nothing edits files.
    if (!vscode.workspace.isTrusted) return [];
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const declarations = declarationsIn(document);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const declaration = declarations.find((d) => document.offsetAt(diagnostic.range.start) === d.start);
      const target = upgradeTarget(diagnostic);
      if (!declaration || !target || tierIndex(target) <= tierIndex(declaration.tier)) continue;
      const action = new vscode.CodeAction(vscode.l10n.t('Upgrade {0} to {1}', declaration.stage, target.toUpperCase()), vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(
        document.uri,
        new vscode.Range(document.positionAt(declaration.start), document.positionAt(declaration.end)),
        tierReplacement(declaration, target),
      );
      actions.push(action);
    }
    return actions;
  }
}
