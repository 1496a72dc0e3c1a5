// Who may do what with a mailbox. The owner may do everything; other users only what a share
// grants them. Being an admin grants nothing here: admins manage providers, not other people's
// mail. An account the caller cannot see at all is "not found" (its existence is not revealed);
// one they see but may not act on this way is "forbidden".
import type { AccountsRepository, AccountView } from '../db/repositories/accounts.repository.js';
import type { AccountAccessRights, AccountPermission } from '../domain/account.js';
import { fullAccess } from '../domain/account.js';
import { forbidden, notFound } from '../domain/errors.js';

interface Caller {
  id: string;
}

interface ShareFlags {
  can_read: number;
  can_send: number;
  can_manage: number;
}

const noAccess: AccountAccessRights = { read: false, send: false, manage: false };

/** Sending or managing a mailbox you cannot read makes no sense: both imply reading. */
export function rightsOfShare(share: ShareFlags | undefined): AccountAccessRights {
  if (!share) return noAccess;
  const send = share.can_send === 1;
  const manage = share.can_manage === 1;
  return { read: share.can_read === 1 || send || manage, send, manage };
}

const visible = (rights: AccountAccessRights) => rights.read || rights.send || rights.manage;

const verbs: Record<AccountPermission, string> = {
  read: 'read this mailbox',
  send: 'send through this mailbox',
  manage: 'change this mailbox',
};

export class AccountAccess {
  constructor(private readonly accounts: AccountsRepository) {}

  /** The caller's rights on one account row. */
  async rightsOn(caller: Caller, account: { id: string; user_id: string }): Promise<AccountAccessRights> {
    if (account.user_id === caller.id) return fullAccess;
    return rightsOfShare(await this.accounts.findShare(account.id, caller.id));
  }

  /** The ids of every account on which the caller holds this permission (own ones first). */
  async accountIdsFor(caller: Caller, permission: AccountPermission): Promise<string[]> {
    const own = await this.accounts.listIdsOwnedBy(caller.id);
    const shared = (await this.accounts.listSharesOfUser(caller.id))
      .filter((share) => rightsOfShare(share)[permission])
      .map((share) => share.account_id);
    return [...own.map((row) => row.id), ...shared];
  }

  /**
   * Throws not_found when the caller cannot see the account and forbidden when they see it but
   * lack the permission; else returns the account and the caller's rights.
   */
  async assertCan(
    caller: Caller,
    accountId: string,
    permission: AccountPermission,
  ): Promise<{ account: AccountView; rights: AccountAccessRights }> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw notFound('Email account');
    const rights = await this.rightsOn(caller, account);
    if (!visible(rights)) throw notFound('Email account');
    if (!rights[permission]) throw forbidden(`You are not allowed to ${verbs[permission]}`);
    return { account, rights };
  }

  /** Like assertCan, for what only the owner may do (delete the mailbox, decide who shares it). */
  async assertOwner(caller: Caller, accountId: string): Promise<AccountView> {
    const { account } = await this.assertCan(caller, accountId, 'read');
    if (account.user_id !== caller.id) throw forbidden('Only the owner of this mailbox can do that');
    return account;
  }
}
