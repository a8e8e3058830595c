import * as vscode from 'vscode';
import { tierReplacement } from '../../core/declarations';
import { tierChange } from '../../core/routing/recommendation';
import { declarationsIn } from './declarationIndex';
import { DIAGNOSTIC_SOURCE, suggestedTier } from './tierDiagnostics';

/**
 * Quick fixes for our tier diagnostics: rewrite the declared tier in place to the suggested one,
 * "Upgrade analysis to PREMIUM" or "Use CHEAP for summary (saves ~$4.10 / week)".
 */
export class TierCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  /** `savingsLabel` gives "saves ~$4.10 / week" for a downgrade diagnostic at a file offset, when known. */
  constructor(private readonly savingsLabel: (uri: vscode.Uri, offset: number) => string | undefined = () => undefined) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // Restricted Mode: statistics stay visible, but nothing edits files.
    if (!vscode.workspace.isTrusted) return [];
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const declarations = declarationsIn(document);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const declaration = declarations.find((d) => document.offsetAt(diagnostic.range.start) === d.start);
      const target = suggestedTier(diagnostic);
      if (!declaration || !target || target === declaration.tier) continue;
      const upgrade = tierChange(declaration.tier, target) === 'upgrade';
      const saves = upgrade ? undefined : this.savingsLabel(document.uri, declaration.start);
      const title = upgrade
        ? vscode.l10n.t('Upgrade {0} to {1}', declaration.stage, target.toUpperCase())
        : saves
          ? vscode.l10n.t('Use {0} for {1} ({2})', target.toUpperCase(), declaration.stage, saves)
          : vscode.l10n.t('Use {0} for {1}', target.toUpperCase(), declaration.stage);
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
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
