import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { UsersService } from './users.service.js';
import type { UsersRepository } from '../db/repositories/users.repository.js';
import type { SessionsRepository } from '../db/repositories/sessions.repository.js';
import type { ApiTokensRepository } from '../db/repositories/api-tokens.repository.js';

describe('UsersService.bootstrapAdmin', () => {
  it('names the variable and the rule when the admin password from the environment is too short', async () => {
    const users = { count: () => Promise.resolve(0) } as unknown as UsersRepository;
    const service = new UsersService(users, {} as SessionsRepository, {} as ApiTokensRepository, { now: () => 0 }, { deleteAllOwnedBy: () => Promise.resolve() });
    await expect(service.bootstrapAdmin({ email: 'admin@example.com', password: 'short' }, pino({ enabled: false }))).rejects.toThrow(
      'MAILYARD_ADMIN_PASSWORD must be at least 8 characters',
    );
  });
});
