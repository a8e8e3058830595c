import type * as vscode from 'vscode';
import { ModelRegistry, RegistryData } from '../../core/routing/registry';

const REGISTRY_KEY = 'adaptiveRouting.registryCache';

/** The model registry refreshed from the Models API, kept in global state; the built-in one otherwise. */
export class RegistryCache {
  private warned = false;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get(): ModelRegistry {
    const cached = this.state.get<RegistryData>(REGISTRY_KEY);
    try {
      return cached ? new ModelRegistry(cached) : new ModelRegistry();
    } catch (error) {
      // Unusable cached data (an older format, a bad refresh): the built-in registry serves, and the log says why, once.
      if (!this.warned) {
        this.warned = true;
        this.log.warn(
          `The cached model registry cannot be used (${(error as Error).message}); using the built-in one. Run "Adaptive Routing: Refresh Model Registry" to replace it.`,
        );
      }
      return new ModelRegistry();
    }
  }

  async set(data: RegistryData | undefined): Promise<void> {
    await this.state.update(REGISTRY_KEY, data);
  }
}
