import * as vscode from 'vscode';
import { TierDeclaration, findPythonTierDeclarations, parseWorkflowsManifest, positionAt } from '../core/declarations';
import type { StageOverview } from '../core/overview';
import { confidenceText } from '../core/report';
import { tierIndex } from '../core/tiers';
import { readSettings } from './settings';
import type { TelemetryService } from './telemetryService';

export const DIAGNOSTIC_SOURCE = 'adaptive-routing';
export const UPGRADE_CODE = 'tier-upgrade';
const PYTHON_EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/site-packages/**,**/__pycache__/**}';

/** Tier declarations in a document: Python workflow classes or the JSON workflows manifest. */
export function declarationsIn(document: { uri: vscode.Uri; getText(): string; languageId?: string; version?: number }): TierDeclaration[] {
  const manifest = isManifest(document.uri);
  // Anything else is neither read nor parsed: this runs on cursor moves and keystrokes.
  if (!manifest && !document.uri.path.endsWith('.py') && document.languageId !== 'python') return [];
  const key = document.version === undefined ? undefined : `${document.uri.toString()}#${document.version}`;
  if (key !== undefined && parsedCache?.key === key) return parsedCache.declarations;
  const text = document.getText();
  const declarations = manifest ? parseWorkflowsManifest(text).declarations : text.includes('tier_map') ? findPythonTierDeclarations(text) : [];
  if (key !== undefined) parsedCache = { key, declarations };
  return declarations;
}

/** The last document parsed, by version: the status bar asks again on every cursor move. */
let parsedCache: { key: string; declarations: TierDeclaration[] } | undefined;

function isManifest(uri: vscode.Uri): boolean {
  const manifest = readSettings(uri).workflowsFile.replace(/\\/g, '/').replace(/^\.\//, '');
  return uri.path.endsWith('/' + manifest) || uri.path === manifest;
}

/**
 * Problems-panel entries on the line where a stage's tier is declared, when telemetry says that
 * stage needs a higher tier. Cleared as soon as the stage recovers or the tier is raised.
 */
export class TierDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** Files known to declare tiers (found by the workspace scan or opened by the user). */
  private readonly candidates = new Map<string, vscode.Uri>();
  private scanned = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly service: TelemetryService) {
    const schedule = () => void this.refresh();
    const python = vscode.workspace.createFileSystemWatcher('**/*.py');
    this.disposables.push(
      service.onDidChange(schedule),
      python,
      python.onDidChange((uri) => this.remember(uri, true)),
      python.onDidCreate((uri) => this.remember(uri, true)),
      python.onDidDelete((uri) => {
        this.candidates.delete(uri.toString());
        this.collection.delete(uri);
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => this.remember(doc.uri, declarationsIn(doc).length > 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Typing: wait for a pause before re-reading declarations and diagnostics.
        if (this.typingTimer) clearTimeout(this.typingTimer);
        this.typingTimer = setTimeout(() => this.remember(e.document.uri, declarationsIn(e.document).length > 0), 300);
      }),
      { dispose: () => this.typingTimer && clearTimeout(this.typingTimer) },
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('adaptiveRouting') && schedule()),
    );
  }

  private remember(uri: vscode.Uri, declares: boolean): void {
    if (declares || isManifest(uri)) this.candidates.set(uri.toString(), uri);
    void this.refresh();
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
    const overview = await this.service.overview();
    const stages = new Map<string, StageOverview>();
    for (const w of overview) for (const s of w.stages) stages.set(`${s.workflow}\u0000${s.stage}`, s);
    if (severityChoice === 'off' || stages.size === 0) {
      this.collection.clear();
      return;
    }
    if (!this.scanned) await this.scanWorkspace();
    for (const uri of this.candidates.values()) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      let text: string;
      try {
        text = document ? document.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        this.collection.delete(uri);
        continue;
      }
      const diagnostics: vscode.Diagnostic[] = [];
      for (const declaration of declarationsIn({ uri, getText: () => text, languageId: document?.languageId })) {
        const stage = stages.get(`${declaration.workflow}\u0000${declaration.stage}`);
        const recommended = stage?.verdict.recommendedTier;
        if (!stage || !stage.verdict.upgrade || !recommended || tierIndex(recommended) <= tierIndex(declaration.tier)) continue;
        const start = positionAt(text, declaration.start);
        const end = positionAt(text, declaration.end);
        const range = new vscode.Range(start.line, start.character, end.line, end.character);
        const message = vscode.l10n.t('Stage "{0}" of {1} needs a higher tier than {2}: {3}. {4}', declaration.stage, declaration.workflow, declaration.tier.toUpperCase(), stage.verdict.reason, confidenceText(stage.verdict));
        const diagnostic = new vscode.Diagnostic(range, message, severityOf(severityChoice, stage.verdict.confident));
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = UPGRADE_CODE;
        diagnostics.push(diagnostic);
      }
      this.collection.set(uri, diagnostics);
    }
  }

  /** Where a stage's tier is declared, for "Go to Definition". */
  async findDeclaration(workflow: string, stage: string): Promise<{ uri: vscode.Uri; range: vscode.Range } | undefined> {
    if (!this.scanned) await this.scanWorkspace();
    for (const uri of this.candidates.values()) {
      let document: vscode.TextDocument;
      try {
        document = await vscode.workspace.openTextDocument(uri);
      } catch {
        continue;
      }
      const found = declarationsIn(document).find((d) => d.workflow === workflow && d.stage === stage);
      if (found) return { uri, range: new vscode.Range(document.positionAt(found.start), document.positionAt(found.end)) };
    }
    return undefined;
  }

  private async scanWorkspace(): Promise<void> {
    this.scanned = true;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const manifest = vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).workflowsFile);
    this.candidates.set(manifest.toString(), manifest);
    for (const uri of await vscode.workspace.findFiles('**/*.py', PYTHON_EXCLUDE, 5000)) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        if (text.includes('tier_map')) this.candidates.set(uri.toString(), uri);
      } catch {
        // Unreadable files simply declare nothing.
      }
    }
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
