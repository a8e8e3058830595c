import * as vscode from 'vscode';
import { coalesced } from '../coalesced';
import { positionAt } from '../../core/declarations';
import { evidenceText, tierChange } from '../../core/routing/recommendation';
import type { StageOverview } from '../../core/stats/overview';
import { Tier, parseTier } from '../../core/tiers';
import type { DeclarationIndex } from './declarationIndex';
import { rangeDays, readSettings } from '../settings';
import { DOWNGRADE_CONFIDENCE, confidentDowngrade, savingsText, stageSavings } from '../../core/stats/savings';
import { capitalised, dollars, pct } from '../../core/format';
import type { TelemetryService } from '../services/telemetryService';

export const DIAGNOSTIC_SOURCE = 'adaptive-routing';
const UPGRADE = 'upgrade-to-';
const DOWNGRADE = 'downgrade-to-';

/** The tier a diagnostic of ours suggests (its code is `upgrade-to-<tier>` or `downgrade-to-<tier>`). */
export function suggestedTier(diagnostic: vscode.Diagnostic): Tier | undefined {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  if (typeof code !== 'string') return undefined;
  const prefix = [UPGRADE, DOWNGRADE].find((p) => code.startsWith(p));
  return prefix ? parseTier(code.slice(prefix.length)) : undefined;
}

/**
 * Problems-panel entries on the line where a stage's tier is declared, when the stage's
 * recommendation is a pricier tier than the declared one: the same answer the tree and status bar
 * show, so no upgrade is suggested beside a cheaper recommendation. Cleared as soon as the tier is
 * raised or the stage recovers. When the recommendation is a cheaper tier that meets the target
 * with confidence, a Hint (or Information) suggests it, with what it would save per week.
 */
export class TierDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** "saves ~$4.10 / week" per downgrade diagnostic (by file and offset), for its quick fix's title. */
  private savingsLabels = new Map<string, string>();

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
  readonly refresh = coalesced(() => this.compute().catch((error: Error) => this.service.log.error(`Diagnostics failed: ${error.message}`)));

  private async compute(): Promise<void> {
    const settings = readSettings();
    const severityChoice = settings.diagnosticSeverity;
    await this.declarations.ready();
    const overview = await this.service.overviewWithDecisions();
    const stages = new Map<string, StageOverview>();
    for (const w of overview) for (const s of w.stages) stages.set(`${s.workflow}\u0000${s.stage}`, s);
    this.savingsLabels.clear();
    if ((severityChoice === 'off' && settings.downgradeSuggestions === 'off') || stages.size === 0) {
      this.collection.clear();
      return;
    }
    const savingsOptions = { days: rangeDays(this.service.range), minSampleSize: settings.minSampleSize };
    for (const file of this.declarations.declaringFiles()) {
      const diagnostics: vscode.Diagnostic[] = [];
      for (const declaration of file.declarations) {
        const stage = stages.get(`${declaration.workflow}\u0000${declaration.stage}`);
        const recommendation = stage?.recommendation;
        if (!stage || !recommendation || !recommendation.adaptive || recommendation.fallback || !recommendation.tier) continue;
        const start = positionAt(file.text, declaration.start);
        const end = positionAt(file.text, declaration.end);
        const range = new vscode.Range(start.line, start.character, end.line, end.character);
        // The move from the tier declared here (which may differ from the stage's current tier, e.g. a
        // Python tier_map beside the manifest), by the same rule as the recommendation's own change.
        const move = tierChange(declaration.tier, recommendation.tier);
        if (move === 'downgrade') {
          if (settings.downgradeSuggestions === 'off') continue;
          const suggestion = downgradeSuggestion(stage, declaration.tier, settings.minSampleSize, savingsOptions);
          if (!suggestion) continue;
          const diagnostic = new vscode.Diagnostic(
            range,
            suggestion.message,
            settings.downgradeSuggestions === 'information' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Hint,
          );
          diagnostic.source = DIAGNOSTIC_SOURCE;
          diagnostic.code = `${DOWNGRADE}${suggestion.tier}`;
          diagnostics.push(diagnostic);
          if (suggestion.saves) this.savingsLabels.set(`${file.uri.toString()}#${declaration.start}`, suggestion.saves);
          continue;
        }
        // A spent "cheapest" budget holds the stage where it is: no upgrade stands while it does.
        if (severityChoice === 'off' || move !== 'upgrade' || recommendation.verdict === 'held-by-budget') continue;
        // The evidence and a Warning speak of the declared tier's calls only when it is what the stage runs on.
        const onDeclaredTier = recommendation.currentTier === declaration.tier;
        const evidenceLine = onDeclaredTier ? evidenceText(recommendation) : undefined;
        // Sentences a person would write: the reason ends before the evidence starts.
        const evidence = evidenceLine ? ` ${capitalised(evidenceLine)}.` : '';
        const message = vscode.l10n.t(
          'Stage "{0}" of {1} needs a higher tier than {2}: {3} ({4}) is recommended for its {5} target. {6}{7}',
          declaration.stage,
          declaration.workflow,
          declaration.tier.toUpperCase(),
          recommendation.model,
          recommendation.tier.toUpperCase(),
          pct(recommendation.target),
          /[.!?]$/.test(recommendation.reason) ? recommendation.reason : `${recommendation.reason}.`,
          evidence,
        );
        const diagnostic = new vscode.Diagnostic(range, message, severityOf(severityChoice, recommendation.confident && onDeclaredTier));
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = `${UPGRADE}${recommendation.tier}`;
        diagnostics.push(diagnostic);
      }
      this.collection.set(file.uri, diagnostics);
    }
  }

  /** "saves ~$4.10 / week" for the downgrade diagnostic at that offset of the file, when its savings are known. */
  savingsLabel(uri: vscode.Uri, offset: number): string | undefined {
    return this.savingsLabels.get(`${uri.toString()}#${offset}`);
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

/**
 * A cheaper tier's suggestion for a stage (see confidentDowngrade: the cheapest tier below the
 * declared one whose model has a 95% posterior chance of the target on at least the minimum sample of
 * its own calls at the stage), priced on that model. A stage whose target no model reaches gets none.
 */
function downgradeSuggestion(
  stage: StageOverview,
  declared: Tier,
  minSampleSize: number,
  savingsOptions: { days: number; minSampleSize: number },
): { message: string; tier: Tier; saves?: string } | undefined {
  const r = stage.recommendation;
  const confident = confidentDowngrade(stage, declared, minSampleSize);
  if (!r || !confident) return undefined;
  const { model, tier, chance, calls } = confident;
  const savings = stageSavings(stage, { ...savingsOptions, confidence: DOWNGRADE_CONFIDENCE, model }).estimate;
  const saves = savings?.direction === 'save' ? `saves ~${dollars(savings.perWeek)} / week` : undefined;
  const message = vscode.l10n.t(
    'Stage "{0}" of {1} can run on {2}: {3} meets its {4} target with a {5} chance over {6} calls here. {7}',
    stage.stage,
    stage.workflow,
    tier.toUpperCase(),
    model,
    pct(r.target),
    pct(chance),
    calls.toLocaleString(),
    savings?.direction === 'save' ? `${capitalised(savingsText(savings))}.` : vscode.l10n.t('Declared {0}.', declared.toUpperCase()),
  );
  return { message: message.trim(), tier, saves };
}
