// System settings an admin changes at run time, as the API shows them.
import { Type, type Static } from '@sinclair/typebox';

export const SystemSettingsSchema = Type.Object({
  allowUsersToAddProviders: Type.Boolean({
    description: 'users, not only admins, may add email providers ("Add New Server")',
  }),
});
export type SystemSettings = Static<typeof SystemSettingsSchema>;
