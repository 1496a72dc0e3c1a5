// Who may do what with a mailbox (owner, shares): the accounts table as every other module reads it.
import type { Core } from './core.js';
import { AccountsRepository } from '../db/repositories/accounts.repository.js';
import { AccountAccess } from '../services/account-access.js';

export interface AccessModule {
  accounts: AccountsRepository;
  access: AccountAccess;
}

export function createAccessModule(core: Core): AccessModule {
  const accounts = new AccountsRepository(core.db);
  return { accounts, access: new AccountAccess(accounts) };
}
