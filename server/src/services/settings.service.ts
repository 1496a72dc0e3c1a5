// System settings an admin changes at run time (environment configuration is in config.ts).
// Each setting has a key in the settings table, a type and a default.
import type { SettingsRepository } from '../db/repositories/settings.repository.js';
import type { SystemSettings } from '../domain/settings.js';
import type { Actor } from '../domain/user.js';
import { requireAdmin } from './users.service.js';

export type { SystemSettings };

const defaults: SystemSettings = { allowUsersToAddProviders: false };

const keys = { allowUsersToAddProviders: 'allow_users_to_add_providers' } as const satisfies Record<
  keyof SystemSettings,
  string
>;

export class SettingsService {
  constructor(private readonly settings: SettingsRepository) {}

  /** Every signed-in user may read them: the wizard needs to know whether to offer "Add New Server". */
  async get(): Promise<SystemSettings> {
    const stored = await this.settings.get(keys.allowUsersToAddProviders);
    return {
      allowUsersToAddProviders: stored === undefined ? defaults.allowUsersToAddProviders : stored === 'true',
    };
  }

  async update(actor: Actor, changes: Partial<SystemSettings>): Promise<SystemSettings> {
    requireAdmin(actor);
    if (changes.allowUsersToAddProviders !== undefined) {
      await this.settings.set(keys.allowUsersToAddProviders, String(changes.allowUsersToAddProviders));
    }
    return this.get();
  }

  async allowUsersToAddProviders(): Promise<boolean> {
    return (await this.get()).allowUsersToAddProviders;
  }
}
