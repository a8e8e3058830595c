import * as vscode from 'vscode';
import { TierDeclaration, findPythonTierDeclarations, parseWorkflowsManifest } from '../../core/declarations';
import { readSettings } from '../settings';

const PYTHON_EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/site-packages/**,**/__pycache__/**}';

/** Tier declarations in a document: Python workflow classes or the JSON workflows manifest. */
export function declarationsIn(document: { uri: vscode.Uri; getText(): string; languageId?: string }): TierDeclaration[] {
  const manifest = isManifest(document.uri);
  // Anything else is neither read nor parsed: this runs on cursor moves and keystrokes.
  if (!manifest && !document.uri.path.endsWith('.py') && document.languageId !== 'python') return [];
  // Keyed by content, not version: a file closed, changed on disk (git checkout, pull) and reopened
  // starts again at version 1, and a version key would answer with the old file's declarations.
  const uri = document.uri.toString();
  const text = document.getText();
  if (parsedCache?.uri === uri && parsedCache.text === text) return parsedCache.declarations;
  const declarations = manifest ? parseWorkflowsManifest(text).declarations : text.includes('tier_map') ? findPythonTierDeclarations(text) : [];
  parsedCache = { uri, text, declarations };
  return declarations;
}

/** The last document parsed, by its content: the status bar and the quick fixes ask again on every cursor move. */
let parsedCache: { uri: string; text: string; declarations: TierDeclaration[] } | undefined;

export function isManifest(uri: vscode.Uri): boolean {
  const manifest = readSettings(uri).workflowsFile.replace(/\\/g, '/').replace(/^\.\//, '');
  return uri.path.endsWith('/' + manifest) || uri.path === manifest;
}

/** A file's declarations, read from its open editor when there is one (unsaved edits count). */
export interface DeclaringFile {
  uri: vscode.Uri;
  text: string;
  declarations: TierDeclaration[];
}

/**
 * Every tier declaration of the workspace (the manifest and Python workflow classes), kept current
 * as files are edited, saved, created or deleted: the declared tier of a stage is what its
 * recommendation is compared with, on every surface.
 */
export class DeclarationIndex implements vscode.Disposable {
  private readonly files = new Map<string, DeclaringFile>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scanning: Promise<void> | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  readonly onDidChange = this.changed.event;

  constructor() {
    const python = vscode.workspace.createFileSystemWatcher('**/*.py');
    const reread = (uri: vscode.Uri) => void this.reread(uri);
    this.disposables.push(
      python,
      python.onDidChange(reread),
      python.onDidCreate(reread),
      python.onDidDelete((uri) => this.files.delete(uri.toString()) && this.changed.fire()),
      vscode.workspace.onDidOpenTextDocument((doc) => this.take(doc)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.take(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Typing: wait for a pause. An edit applied at once (a quick fix) is taken at once.
        if (this.typingTimer) clearTimeout(this.typingTimer);
        const quick = e.contentChanges.length > 0 && e.contentChanges.every((c) => c.text.length > 1 || c.rangeLength > 1);
        if (quick) this.take(e.document);
        else this.typingTimer = setTimeout(() => this.take(e.document), 300);
      }),
      { dispose: () => this.typingTimer && clearTimeout(this.typingTimer) },
    );
  }

  /** The workspace scanned once (later changes arrive through the watchers). */
  ready(): Promise<void> {
    this.scanning ??= this.scan();
    return this.scanning;
  }

  /** Files that declare tiers, and the manifest (which may declare none yet). */
  declaringFiles(): DeclaringFile[] {
    return [...this.files.values()];
  }

  /** Where a stage's tier is declared: the manifest first, then Python workflow classes. */
  find(workflow: string, stage: string): (TierDeclaration & { uri: vscode.Uri }) | undefined {
    const files = [...this.files.values()].sort((a, b) => Number(isManifest(b.uri)) - Number(isManifest(a.uri)));
    for (const file of files) {
      const found = file.declarations.find((d) => d.workflow === workflow && d.stage === stage);
      if (found) return { ...found, uri: file.uri };
    }
    return undefined;
  }

  private take(document: vscode.TextDocument): void {
    const declarations = declarationsIn(document);
    const key = document.uri.toString();
    if (!declarations.length && !this.files.has(key) && !isManifest(document.uri)) return;
    const before = this.files.get(key);
    const text = document.getText();
    if (before && before.text === text) return;
    this.files.set(key, { uri: document.uri, text, declarations });
    if (!before || JSON.stringify(before.declarations.map(summary)) !== JSON.stringify(declarations.map(summary))) this.changed.fire();
  }

  private async reread(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.take(open);
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      this.take({ uri, getText: () => text, languageId: isManifest(uri) ? 'jsonc' : 'python' } as unknown as vscode.TextDocument);
    } catch {
      if (this.files.delete(uri.toString())) this.changed.fire();
    }
  }

  private async scan(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const manifest = vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).workflowsFile);
    const manifestWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, readSettings(folder.uri).workflowsFile.replace(/^\.\//, '')),
    );
    this.disposables.push(
      manifestWatcher,
      manifestWatcher.onDidChange(() => void this.reread(manifest)),
      manifestWatcher.onDidCreate(() => void this.reread(manifest)),
      manifestWatcher.onDidDelete(() => void this.reread(manifest)),
    );
    await this.reread(manifest);
    for (const uri of await vscode.workspace.findFiles('**/*.py', PYTHON_EXCLUDE, 5000)) await this.reread(uri);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function summary(d: TierDeclaration): string {
  return `${d.workflow}\u0000${d.stage}\u0000${d.tier}\u0000${d.start}`;
}
