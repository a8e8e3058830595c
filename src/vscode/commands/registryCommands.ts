import * as vscode from 'vscode';
import { ModelRegistry, resolveNewestModels } from '../../core/routing/registry';
import type { ApiModelEntry } from '../../core/routing/registry';
import { readSettings } from '../settings';
import type { TelemetryService } from '../services/telemetryService';
import { Commands } from '../constants';
import { executeCommand, registerCommand } from './commandRegistry';
import { textArgument } from './commandArguments';

const SECRET_KEY = 'adaptiveRouting.anthropicApiKey';

/** Keeps the model registry current from Anthropic's Models API; the key lives in SecretStorage only. */
export function registerRegistryCommands(context: vscode.ExtensionContext, service: TelemetryService): vscode.Disposable[] {
  return [
    registerCommand(Commands.SetApiKey, async (...args) => {
      const key = textArgument(args);
      const value =
        key ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Anthropic API Key'),
          prompt: vscode.l10n.t('Stored in VS Code SecretStorage, never in settings.'),
          password: true,
          ignoreFocusOut: true,
        }));
      if (value === undefined) return false;
      if (value.trim() === '') await context.secrets.delete(SECRET_KEY);
      else await context.secrets.store(SECRET_KEY, value.trim());
      return true;
    }),
    registerCommand(Commands.RefreshRegistry, async () => {
      const key = await context.secrets.get(SECRET_KEY);
      if (!key) {
        const setKey = vscode.l10n.t('Set API Key');
        void vscode.window.showInformationMessage(vscode.l10n.t('No Anthropic API key is set: keeping the built-in model registry.'), setKey).then((choice) => {
          if (choice) void executeCommand(Commands.SetApiKey);
        });
        return { ok: false, reason: 'no-key' };
      }
      try {
        const models = await fetchModels(readSettings().registryBaseUrl, key);
        const data = resolveNewestModels(models, new ModelRegistry());
        await service.setRegistry(data);
        const registry = new ModelRegistry(data);
        const summary = registry
          .tierModels()
          .map((t) => `${t.tier}: ${t.model}`)
          .join(', ');
        service.log.info(`Model registry refreshed from the Models API (${models.length} models): ${summary}`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Model registry refreshed: {0}', summary));
        return { ok: true, tiers: registry.tierModels() };
      } catch (error) {
        service.log.warn(`Model registry refresh failed: ${(error as Error).message}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('Could not refresh the model registry ({0}); keeping the current one.', (error as Error).message));
        return { ok: false, reason: (error as Error).message };
      }
    }),
  ];
}

/** Reads every page of `GET /v1/models`. */
async function fetchModels(baseUrl: string, key: string): Promise<ApiModelEntry[]> {
  const models: ApiModelEntry[] = [];
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const url = new URL('/v1/models', baseUrl);
    url.searchParams.set('limit', '1000');
    if (after) url.searchParams.set('after_id', after);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    let response: Response;
    try {
      response = await fetch(url, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, signal: controller.signal });
    } catch (error) {
      throw new Error(vscode.l10n.t('offline or unreachable: {0}', (error as Error).message));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const body = (await response.json()) as { data?: ApiModelEntry[]; has_more?: boolean; last_id?: string };
    models.push(...(body.data ?? []));
    if (!body.has_more || !body.last_id) break;
    after = body.last_id;
  }
  return models;
}
