import { api, call } from '../../shared/api.js';

export const profileApi = {
  changePassword: (currentPassword: string, newPassword: string) =>
    call(api.POST('/api/v1/me/password', { body: { currentPassword, newPassword } })),
};
