import * as vscode from 'vscode';
import { positionAt } from '../../core/declarations';
import { evidenceText } from '../../core/routing/recommendation';
import type { StageOverview } from '../../core/stats/overview';
import { Tier, parseTier, tierIndex } from '../../core/tiers';
import type { DeclarationIndex } from './declarationIndex';
import { readSettings } from '../settings';
import type { TelemetryService } from '../services/telemetryService';

export const DIAGNOSTIC_SOURCE = 'adaptive-routing';
const CODE_PREFIX = 'upgrade-to-';

/** The tier a diagnostic of ours asks for (its code is `upgrade-to-<tier>`). */
export function upgradeTarget(diagnostic: vscode.Diagnostic): Tier | undefined {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return typeof code === 'string' && code.startsWith(CODE_PREFIX) ? parseTier(code.slice(CODE_PREFIX.length)) : undefined;
}

/**
 * Problems-panel entries on the line where a stage's tier is declared, when the stage's
 * recommendation is a pricier tier than the declared one: the same answer the tree and status bar
 * show, so no upgrade is suggested beside a cheaper recommendation. Cleared as soon as the tier is
 * raised or the stage recovers.
 */
export class TierDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly service: TelemetryService,
    private readonly declarations: DeclarationIndex,
  ) {
    const schedule = () => void this.refresh();
    this.disposables.push(
      service.onDidChange(schedule),
      declarations.onDidChange(schedule),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('adaptiveRouting') && schedule()),
    );
  }

  /** Recomputes every diagnostic; concurrent requests collapse into one more pass. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.compute()
      .catch((error: Error) => this.service.log.error(`Diagnostics failed: ${error.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.running;
  }

  private async compute(): Promise<void> {
    const severityChoice = readSettings().diagnosticSeverity;
    await this.declarations.ready();
    const overview = await this.service.overviewWithDecisions();
    const stages = new Map<string, StageOverview>();
    for (const w of overview) for (const s of w.stages) stages.set(`${s.workflow}\u0000${s.stage}`, s);
    if (severityChoice === 'off' || stages.size === 0) {
      this.collection.clear();
      return;
    }
    for (const file of this.declarations.declaringFiles()) {
      const diagnostics: vscode.Diagnostic[] = [];
      for (const declaration of file.declarations) {
        const recommendation = stages.get(`${declaration.workflow}\u0000${declaration.stage}`)?.recommendation;
        if (!recommendation || !recommendation.adaptive || recommendation.fallback || !recommendation.tier) continue;
        if (tierIndex(recommendation.tier) <= tierIndex(declaration.tier)) continue;
        const start = positionAt(file.text, declaration.start);
        const end = positionAt(file.text, declaration.end);
        const range = new vscode.Range(start.line, start.character, end.line, end.character);
        // The evidence and a Warning speak of the declared tier's calls only when it is what the stage runs on.
        const onDeclaredTier = recommendation.currentTier === declaration.tier;
        const evidenceLine = onDeclaredTier ? evidenceText(recommendation) : undefined;
        const evidence = evidenceLine ? ` ${evidenceLine}.` : '';
        const message = vscode.l10n.t(
          'Stage "{0}" of {1} needs a higher tier than {2}: {3} ({4}) is recommended for its {5} target. {6}{7}',
          declaration.stage,
          declaration.workflow,
          declaration.tier.toUpperCase(),
          recommendation.model,
          recommendation.tier.toUpperCase(),
          `${(recommendation.target * 100).toFixed(1)}%`,
          recommendation.reason,
          evidence,
        );
        const diagnostic = new vscode.Diagnostic(range, message, severityOf(severityChoice, recommendation.confident && onDeclaredTier));
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = `${CODE_PREFIX}${recommendation.tier}`;
        diagnostics.push(diagnostic);
      }
      this.collection.set(file.uri, diagnostics);
    }
  }

  /** Where a stage's tier is declared, for "Go to Tier Declaration". */
  async findDeclaration(workflow: string, stage: string): Promise<{ uri: vscode.Uri; range: vscode.Range } | undefined> {
    await this.declarations.ready();
    const found = this.declarations.find(workflow, stage);
    if (!found) return undefined;
    const document = await vscode.workspace.openTextDocument(found.uri);
    return { uri: found.uri, range: new vscode.Range(document.positionAt(found.start), document.positionAt(found.end)) };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function severityOf(choice: string, confident: boolean): vscode.DiagnosticSeverity {
  switch (choice) {
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    default:
      return confident ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  }
}
