import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { Strict, errorResponses } from '../schemas.js';
import type { SettingsService } from '../../services/settings.service.js';
import { SystemSettingsSchema } from '../../domain/settings.js';


export function settingsRoutes(app: App, deps: { settings: SettingsService }) {
  // Readable by every signed-in user (the add-account wizard needs it); only admins change it.
  app.get(
    '/api/v1/settings',
    { schema: { tags: ['settings'], response: { 200: SystemSettingsSchema, ...errorResponses } } },
    async () => deps.settings.get(),
  );

  app.patch(
    '/api/v1/settings',
    {
      schema: {
        tags: ['settings'],
        body: Type.Object({ allowUsersToAddProviders: Type.Optional(Type.Boolean()) }, Strict),
        response: { 200: SystemSettingsSchema, ...errorResponses },
      },
    },
    async (request) => deps.settings.update(actorOf(request), request.body),
  );
}
