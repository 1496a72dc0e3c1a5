// People: users, sign-in (sessions, API tokens, the sign-in throttle) and the first admin.
import type { Core } from './core.js';
import { ApiTokensRepository } from '../db/repositories/api-tokens.repository.js';
import { SessionsRepository } from '../db/repositories/sessions.repository.js';
import { UsersRepository } from '../db/repositories/users.repository.js';
import { AuthService } from '../services/auth.service.js';
import { LoginThrottle, PasswordCheckGate } from '../services/login-throttle.js';
import { UsersService, type OwnedAccounts } from '../services/users.service.js';

export interface AuthModule {
  repositories: { users: UsersRepository; sessions: SessionsRepository; apiTokens: ApiTokensRepository };
  users: UsersService;
  auth: AuthService;
}

export async function createAuthModule(core: Core, accounts: OwnedAccounts): Promise<AuthModule> {
  const { db, clock, config } = core;
  const repositories = { users: new UsersRepository(db), sessions: new SessionsRepository(db), apiTokens: new ApiTokensRepository(db) };
  const users = new UsersService(repositories.users, repositories.sessions, repositories.apiTokens, clock, accounts);
  await users.bootstrapAdmin(config.admin, core.logger);
  return {
    repositories,
    users,
    auth: new AuthService(
      repositories.users,
      repositories.sessions,
      repositories.apiTokens,
      new LoginThrottle(clock),
      new PasswordCheckGate(),
      core.secrets,
      clock,
      config.sessionTtlMs,
    ),
  };
}
