import * as vscode from 'vscode';
import type { CommandId } from '../constants';

/** Registers one of the extension's own commands: only a typed id compiles. */
export function registerCommand(id: CommandId, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler);
}

/** Runs one of the extension's own commands. */
export function executeCommand<T = unknown>(id: CommandId, ...args: unknown[]): Thenable<T | undefined> {
  return vscode.commands.executeCommand<T | undefined>(id, ...args);
}

/** A `command:` link for trusted Markdown, its arguments encoded as VS Code decodes them (a JSON array). */
export function commandLink(id: CommandId, ...args: unknown[]): string {
  return args.length ? `command:${id}?${encodeURIComponent(JSON.stringify(args))}` : `command:${id}`;
}
