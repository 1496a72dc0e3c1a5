// Email accounts: connecting a mailbox (provider → login → verification → save → sync), its
// settings, shares, password and deletion. The protocol work is done by injected functions
// (verification, folder listing) and the sync engine by an injected interface, so the rules
// here are testable with fakes.
import sanitizeHtml from 'sanitize-html';
import type { AccountsRepository, AccountShareRow, AccountView } from '../db/repositories/accounts.repository.js';
import type { ProvidersRepository } from '../db/repositories/providers.repository.js';
import { isUniqueViolation } from '../db/errors.js';
import {
  canonicalAddress,
  defaultSyncPeriod,
  deriveLogin,
  formatFolderSelection,
  fullAccess,
  parseFolderSelection,
  splitAddress,
  toAccount,
  type Account,
  type AccountAccessRights,
  type FolderSelection,
  type SyncPeriod,
  type AccountFolder,
  type AccountShare,
  type DirectoryUser,
  type ShareInput,
} from '../domain/account.js';
import { sealAccountSecret } from '../domain/account-secret.js';
import { AppError, forbidden, notFound, validationFailed } from '../domain/errors.js';
import { providerVisibleTo, toProvider, type Provider } from '../domain/provider.js';
import { findCatalogueEntryByDomain } from '../domain/provider-catalogue.js';
import type { ServerEvent } from '../domain/events.js';
import type { Actor } from '../domain/user.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { SecretBox } from '../lib/secret-box.js';
import { rightsOfShare, type AccountAccess } from './account-access.js';
import type { AccountSync } from './account-sync.js';

export interface PasswordCredentials {
  login: string;
  password: string;
}

/** Checks IMAP login and SMTP authentication; throws AppError(code, …, {step, protocol}) on the first failure. */
export type VerifyCredentials = (provider: Provider, credentials: PasswordCredentials) => Promise<void>;

export interface ServerFolder {
  path: string;
  name: string;
  delimiter: string | null;
  specialUse: string | null;
}

/**
 * Lists the folders on the IMAP server for the folder chooser, logging in as the account does
 * (password or OAuth token: the composition root hands it the shared credential source).
 */
export type ListServerFolders = (connection: {
  provider: Provider;
  account: { id: string; login: string; secret: string | null };
}) => Promise<ServerFolder[]>;

/** Deletes a blob file nothing refers to any more. */
export interface BlobRemover {
  remove(sha256: string): Promise<void>;
}

export interface AccountSettingsInput {
  displayName?: string;
  signature?: string;
  syncPeriod?: SyncPeriod;
  folders?: FolderSelection;
  autoDownload?: boolean;
  sendEnabled?: boolean;
  defaultSender?: boolean;
}

export interface CreateAccountInput extends AccountSettingsInput {
  email: string;
  providerId?: string;
  login?: string;
  password?: string;
}

export interface UpdateAccountInput extends AccountSettingsInput {
  enabled?: boolean;
}


/** A stored folder in the API shape, marked with whether the account's folder choice includes it. */
function toAccountFolder(
  f: { path: string; name: string; delimiter: string | null; special_use: string | null },
  selection: ReturnType<typeof parseFolderSelection>,
): AccountFolder {
  return {
    path: f.path,
    name: f.name,
    delimiter: f.delimiter,
    specialUse: f.special_use,
    selected: selection === 'all' || selection.includes(f.path),
  };
}


export interface AccountsServiceDeps {
  accounts: AccountsRepository;
  providers: ProvidersRepository;
  access: AccountAccess;
  secrets: SecretBox;
  verifyCredentials: VerifyCredentials;
  listServerFolders: ListServerFolders;
  sync: Pick<AccountSync, 'refreshAccount' | 'removeAccount' | 'verifyAccount'>;
  blobs: BlobRemover;
  clock: Clock;
  logger: Logger;
  /** live `account.status` events for the states this service sets (the engine reports the rest) */
  publish?: (event: ServerEvent) => void;
}

// Signatures are HTML the user writes; they are shown to grantees and put into outgoing mail,
// so they are stored clean: formatting, links and images, no scripts or event handlers.
const signatureHtml: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font'],
  allowedAttributes: {
    a: ['href', 'title', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    font: ['color', 'face', 'size'],
    '*': ['style'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel', 'data'],
  allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
  allowedStyles: {
    '*': {
      color: [/^[#a-z0-9(),.\s%]+$/i],
      'font-size': [/^[\d.]+(px|pt|em|rem|%)$/],
      'font-weight': [/^(bold|normal|\d{3})$/],
      'font-style': [/^(italic|normal)$/],
      'font-family': [/^[\w\s,"'-]+$/],
      'text-decoration': [/^[a-z\s-]+$/],
    },
  },
};

export const cleanSignature = (html: string): string => sanitizeHtml(html, signatureHtml).trim();

const sameRights = (a: AccountAccessRights, b: AccountAccessRights) =>
  a.read === b.read && a.send === b.send && a.manage === b.manage;

export class AccountsService {
  constructor(private readonly deps: AccountsServiceDeps) {}

  async list(actor: Actor): Promise<Account[]> {
    const rows = await this.deps.accounts.listVisibleTo(actor.id);
    const shares = new Map(
      (await this.deps.accounts.listSharesOfUser(actor.id)).map((s) => [s.account_id, s]),
    );
    return rows.map((row) =>
      toAccount(row, row.user_id === actor.id ? fullAccess : rightsOfShare(shares.get(row.id))),
    );
  }

  async get(actor: Actor, id: string): Promise<Account> {
    const { account, rights } = await this.deps.access.assertCan(actor, id, 'read');
    return toAccount(account, rights);
  }

  /** Connects a mailbox: nothing is stored unless the IMAP login and SMTP authentication both work. */
  async create(actor: Actor, input: CreateAccountInput): Promise<Account> {
    const email = canonicalAddress(input.email);
    const domain = splitAddress(email).domain;
    const provider = await this.resolveProvider(actor, input.providerId, domain);
    if (provider.auth.method === 'oauth2') throw oauthRequired(provider);
    const login = deriveLogin(provider.loginFormat, email, input.login);
    const password = requirePassword(input.password);

    const existing = await this.deps.accounts.findByEmail(email);
    // The owner may reconnect an address they archived (deleted keeping its mail).
    const revived =
      existing && existing.user_id === actor.id && existing.archived_at !== null ? existing : undefined;
    if (existing && !revived) throw accountExists(existing);

    await this.verify(provider, { login, password });

    const now = this.deps.clock.now();
    const id = revived?.id ?? newId();
    const settings = this.settingsColumns(input);
    const makeDefault = input.defaultSender ?? (await this.deps.accounts.countOwnedBy(actor.id)) === 0;
    const connection = {
      provider_id: provider.id,
      login,
      secret: this.sealPassword(password),
      enabled: 1,
      state: 'connecting' as const,
      progress_done: 0,
      progress_total: 0,
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      archived_at: null,
      default_sender: makeDefault ? 1 : 0,
      updated_at: now,
    };
    try {
      await this.deps.accounts.transaction(async (accounts) => {
        if (revived) {
          await accounts.update(id, { ...settings, ...connection });
        } else {
          await accounts.insert({
            id,
            user_id: actor.id,
            email,
            display_name: actor.name,
            signature: '',
            sync_period: defaultSyncPeriod,
            folders: 'all',
            auto_download: 1,
            send_enabled: 1,
            last_sync_at: null,
            created_at: now,
            ...settings,
            ...connection,
          });
        }
        if (makeDefault) await accounts.clearDefaultSender(actor.id, id);
      });
    } catch (error) {
      // Someone connected the same address between our check and our insert.
      if (isUniqueViolation(error)) {
        const winner = await this.deps.accounts.findByEmail(email);
        if (winner) throw accountExists(winner);
      }
      throw error;
    }
    this.deps.logger.info(
      { accountId: id, userId: actor.id, providerId: provider.id },
      revived ? 'email account reconnected' : 'email account connected',
    );

    if (input.providerId !== undefined) await this.learnDomain(domain, provider);
    await this.startSync(id);
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, input: UpdateAccountInput): Promise<Account> {
    const { account } = await this.deps.access.assertCan(actor, id, 'manage');
    if (input.defaultSender !== undefined && account.user_id !== actor.id) {
      throw forbidden('Only the owner can choose their default sender');
    }
    if (account.archived_at !== null && (input.enabled === true || input.defaultSender === true)) {
      throw new AppError(
        'account_archived',
        'This mailbox was deleted keeping its mail; reconnect it with its password first',
      );
    }
    const changes = { ...this.settingsColumns(input), updated_at: this.deps.clock.now() };
    const enabledChanged = input.enabled !== undefined && (input.enabled ? 1 : 0) !== account.enabled;
    const stateChanges = enabledChanged
      ? input.enabled
        ? ({
            enabled: 1,
            state: 'connecting',
            error_code: null,
            error_message: null,
            error_action: null,
            error_at: null,
          } as const)
        : ({ enabled: 0, state: 'disabled' } as const)
      : {};
    await this.deps.accounts.transaction(async (accounts) => {
      await accounts.update(id, { ...changes, ...stateChanges });
      if (input.defaultSender === true) await accounts.clearDefaultSender(account.user_id, id);
    });
    const syncRelevant =
      enabledChanged ||
      (input.syncPeriod !== undefined && input.syncPeriod !== account.sync_period) ||
      (input.folders !== undefined && formatFolderSelection(input.folders) !== account.folders) ||
      (input.autoDownload !== undefined && (input.autoDownload ? 1 : 0) !== account.auto_download);
    if (syncRelevant && account.archived_at === null) await this.startSync(id);
    return this.get(actor, id);
  }

  /** Checks the new password against the servers before storing it; also reconnects an archived mailbox. */
  async changePassword(
    actor: Actor,
    id: string,
    input: { password: string; login?: string },
  ): Promise<Account> {
    const { account } = await this.deps.access.assertCan(actor, id, 'manage');
    const provider = await this.loadProvider(account.provider_id);
    if (provider.auth.method === 'oauth2') throw oauthRequired(provider);
    const login =
      provider.loginFormat === 'manual' && input.login !== undefined
        ? deriveLogin('manual', account.email, input.login)
        : account.login;
    const password = requirePassword(input.password);
    await this.verify(provider, { login, password });
    await this.deps.accounts.update(id, {
      login,
      secret: this.sealPassword(password),
      enabled: 1,
      archived_at: null,
      state: 'connecting',
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      updated_at: this.deps.clock.now(),
    });
    this.deps.logger.info({ accountId: id, userId: actor.id }, 'email account password changed');
    await this.startSync(id);
    return this.get(actor, id);
  }

  /**
   * OAuth 2.0: saves a mailbox whose tokens the OAuth service obtained and checked
   * (consent, the address, IMAP and SMTP verified); `secret` is already encrypted. A new address
   * is connected as create() does; one the caller may manage is reconnected in place ("Sign in
   * again": same id, folders and mail kept); the owner's archived one is revived.
   */
  async connectWithOAuth(
    actor: Actor,
    input: { email: string; providerId: string; login: string; secret: string },
  ): Promise<Account> {
    const provider = await this.loadProvider(input.providerId);
    const email = canonicalAddress(input.email);
    const existing = await this.deps.accounts.findByEmail(email);
    const now = this.deps.clock.now();
    const connection = {
      provider_id: provider.id,
      login: input.login,
      secret: input.secret,
      enabled: 1,
      archived_at: null,
      state: 'connecting' as const,
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      updated_at: now,
    };
    let id: string;
    if (existing && existing.archived_at === null) {
      if (!(await this.deps.access.rightsOn(actor, existing)).manage) throw accountExists(existing);
      id = existing.id;
      // The session that was refused stops before the new tokens take over; startSync makes a fresh one.
      await this.stopSync(id);
      await this.deps.accounts.update(id, connection);
    } else {
      if (existing && existing.user_id !== actor.id) throw accountExists(existing);
      id = existing?.id ?? newId();
      const makeDefault = (await this.deps.accounts.countOwnedBy(actor.id)) === 0;
      const fresh = {
        ...connection,
        progress_done: 0,
        progress_total: 0,
        default_sender: makeDefault ? 1 : 0,
      };
      try {
        await this.deps.accounts.transaction(async (accounts) => {
          if (existing) await accounts.update(id, fresh);
          else {
            await accounts.insert({
              id,
              user_id: actor.id,
              email,
              display_name: actor.name,
              signature: '',
              sync_period: defaultSyncPeriod,
              folders: 'all',
              auto_download: 1,
              send_enabled: 1,
              last_sync_at: null,
              created_at: now,
              ...fresh,
            });
          }
          if (makeDefault) await accounts.clearDefaultSender(actor.id, id);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          const winner = await this.deps.accounts.findByEmail(email);
          if (winner) throw accountExists(winner);
        }
        throw error;
      }
      await this.learnDomain(splitAddress(email).domain, provider);
    }
    this.deps.logger.info(
      { accountId: id, userId: actor.id, providerId: provider.id },
      'email account connected with OAuth 2.0',
    );
    await this.startSync(id);
    return this.get(actor, id);
  }

  /** "Retry": asks the sync engine to connect again now. It clears the error state, so it is managing. */
  /** Synchronise now; `verify`: compare the copy with the server in full as well (sync/verification.ts). */
  async syncNow(actor: Actor, id: string, options: { verify: boolean } = { verify: false }): Promise<Account> {
    const { account } = await this.deps.access.assertCan(actor, id, 'manage');
    if (account.enabled !== 1)
      throw new AppError('conflict', 'This mailbox is switched off; turn it on first');
    if (account.state === 'error') {
      await this.deps.accounts.update(id, {
        state: 'connecting',
        error_code: null,
        error_message: null,
        error_action: null,
        error_at: null,
        updated_at: this.deps.clock.now(),
      });
    }
    await this.startSync(id);
    if (options.verify) this.deps.sync.verifyAccount(id);
    return this.get(actor, id);
  }

  /**
   * Stops syncing and erases the secret. keepMail: the account stays as a disabled archive whose
   * downloaded mail remains readable; otherwise the account, its mail and its blobs are deleted.
   */
  async delete(actor: Actor, id: string, options: { keepMail: boolean }): Promise<void> {
    await this.deps.access.assertOwner(actor, id);
    await this.stopSync(id);
    if (options.keepMail) {
      const now = this.deps.clock.now();
      await this.deps.accounts.update(id, {
        secret: null,
        enabled: 0,
        state: 'disabled',
        default_sender: 0,
        error_code: null,
        error_message: null,
        error_action: null,
        error_at: null,
        archived_at: now,
        updated_at: now,
      });
      this.deps.logger.info({ accountId: id, userId: actor.id }, 'email account archived (mail kept)');
      await this.announce(id);
      return;
    }
    const blobs = await this.deps.accounts.listBlobHashes(id);
    await this.deps.accounts.delete(id);
    // Blobs are shared by content: only the ones no other message points at go.
    const stillUsed = await this.deps.accounts.blobsStillReferenced(blobs);
    for (const sha of blobs) {
      if (!stillUsed.has(sha)) await this.deps.blobs.remove(sha);
    }
    this.deps.logger.info(
      { accountId: id, userId: actor.id, blobsRemoved: blobs.length - stillUsed.size },
      'email account deleted with its mail',
    );
  }

  /**
   * Deletes every mailbox the user owns the way the owner would (sync stopped, mail and blobs
   * removed), before the user goes: the database cascade alone would leave IMAP sessions running
   * and blobs on disk.
   */
  async deleteAllOwnedBy(owner: Actor): Promise<void> {
    for (const { id } of await this.deps.accounts.listIdsOwnedBy(owner.id)) await this.delete(owner, id, { keepMail: false });
  }

  /** The folders of every mailbox the caller may read, as the last syncs found them. */
  async foldersOfAll(actor: Actor): Promise<(AccountFolder & { accountId: string })[]> {
    const rows = await this.deps.accounts.listFoldersVisibleTo(actor.id);
    return rows.map((f) => ({ accountId: f.account_id, ...toAccountFolder(f, parseFolderSelection(f.selection)) }));
  }

  /** Folders known from the last sync, or (refresh) listed from the server now. */
  async folders(actor: Actor, id: string, options: { refresh: boolean }): Promise<AccountFolder[]> {
    const { account } = await this.deps.access.assertCan(actor, id, 'read');
    const selection = parseFolderSelection(account.folders);
    const isSelected = (path: string) => selection === 'all' || selection.includes(path);
    if (!options.refresh) {
      const rows = await this.deps.accounts.listFolders(id);
      return rows.map((f) => toAccountFolder(f, selection));
    }
    if (account.secret === null)
      throw new AppError('conflict', 'This mailbox is not connected; reconnect it to list its folders');
    const provider = await this.loadProvider(account.provider_id);
    let folders: ServerFolder[];
    try {
      folders = await this.deps.listServerFolders({
        provider,
        account: { id: account.id, login: account.login, secret: account.secret },
      });
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.deps.logger.warn({ accountId: id, err: error }, 'listing the server folders failed');
      throw new AppError(
        'imap_unreachable',
        'Could not list the folders on the mail server; try again later',
      );
    }
    return folders.map((f) => ({ ...f, selected: isSelected(f.path) }));
  }

  async listShares(actor: Actor, id: string): Promise<AccountShare[]> {
    await this.deps.access.assertOwner(actor, id);
    return this.sharesOf(id);
  }

  /** Replaces who else may read, send through or manage the mailbox. */
  async replaceShares(actor: Actor, id: string, input: ShareInput[]): Promise<AccountShare[]> {
    const account = await this.deps.access.assertOwner(actor, id);
    const fields: Record<string, string> = {};
    const seen = new Set<string>();
    const rows: AccountShareRow[] = [];
    for (const [index, share] of input.entries()) {
      if (seen.has(share.userId)) fields[`${index}.userId`] = 'is listed twice';
      else if (share.userId === account.user_id)
        fields[`${index}.userId`] = 'is the owner, who has every right already';
      else if (!(await this.deps.accounts.findUser(share.userId)))
        fields[`${index}.userId`] = 'is not a known user';
      seen.add(share.userId);
      const rights = rightsOfShare({
        can_read: share.read ? 1 : 0,
        can_send: share.send ? 1 : 0,
        can_manage: share.manage ? 1 : 0,
      });
      if (!sameRights(rights, { read: false, send: false, manage: false })) {
        rows.push({
          account_id: id,
          user_id: share.userId,
          can_read: rights.read ? 1 : 0,
          can_send: rights.send ? 1 : 0,
          can_manage: rights.manage ? 1 : 0,
        });
      }
    }
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    await this.deps.accounts.transaction((accounts) => accounts.replaceShares(id, rows));
    this.deps.logger.info(
      { accountId: id, userId: actor.id, shares: rows.length },
      'email account shares changed',
    );
    return this.sharesOf(id);
  }

  /** Everyone signed in may see who they can share with: names and addresses only. */
  async userDirectory(): Promise<DirectoryUser[]> {
    return this.deps.accounts.listUserDirectory();
  }

  private async sharesOf(id: string): Promise<AccountShare[]> {
    return (await this.deps.accounts.listShares(id)).map((s) => ({
      userId: s.user_id,
      name: s.user_name,
      email: s.user_email,
      ...rightsOfShare(s),
    }));
  }

  private settingsColumns(input: AccountSettingsInput) {
    return {
      ...(input.displayName !== undefined && { display_name: input.displayName.trim() }),
      ...(input.signature !== undefined && { signature: cleanSignature(input.signature) }),
      ...(input.syncPeriod !== undefined && { sync_period: input.syncPeriod }),
      ...(input.folders !== undefined && { folders: checkedFolders(input.folders) }),
      ...(input.autoDownload !== undefined && { auto_download: input.autoDownload ? 1 : 0 }),
      ...(input.sendEnabled !== undefined && { send_enabled: input.sendEnabled ? 1 : 0 }),
      ...(input.defaultSender !== undefined && { default_sender: input.defaultSender ? 1 : 0 }),
    };
  }

  /** An explicit choice wins; else the domain lookup; else the caller must pick one (provider_required). */
  private async resolveProvider(actor: Actor, providerId: string | undefined, domain: string): Promise<Provider> {
    if (providerId !== undefined) {
      const row = await this.deps.providers.findById(providerId);
      if (!row || !providerVisibleTo(actor, row)) throw validationFailed({ providerId: 'is not a known provider' });
      return toProvider(row, await this.deps.providers.listDomains(row.id));
    }
    const row = await this.deps.providers.findProviderByDomain(domain);
    if (!row) {
      throw new AppError(
        'provider_required',
        `No provider is known for ${domain}; choose one or add a new server`,
        { domain },
      );
    }
    return toProvider(row, await this.deps.providers.listDomains(row.id));
  }

  private async loadProvider(id: string): Promise<Provider> {
    const row = await this.deps.providers.findById(id);
    if (!row) throw notFound('Provider');
    return toProvider(row, await this.deps.providers.listDomains(id));
  }

  /**
   * A provider picked by hand for an unknown domain learns it, so the next person is not asked.
   * The lookup is detection's first step and sends everyone with that domain to the provider,
   * so only a trusted provider learns (a user's provider could otherwise capture a domain), and never a domain of a well-known service
   * (gmail.com must stay with the catalogue) nor one another provider has.
   */
  private async learnDomain(domain: string, provider: Provider): Promise<void> {
    if (!provider.trusted) return;
    if (findCatalogueEntryByDomain(domain)) return;
    if (await this.deps.providers.findDomain(domain)) return;
    const providerId = provider.id;
    try {
      await this.deps.providers.addDomain(domain, providerId, this.deps.clock.now());
      this.deps.logger.info({ domain, providerId }, 'domain added to the provider lookup');
    } catch (error) {
      // Another provider claimed it in the meantime: theirs stands.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  private async verify(provider: Provider, credentials: PasswordCredentials): Promise<void> {
    try {
      await this.deps.verifyCredentials(provider, credentials);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.deps.logger.warn(
        { providerId: provider.id, err: error },
        'mailbox verification failed unexpectedly',
      );
      throw new AppError('verification_failed', 'The mailbox could not be verified; try again later');
    }
  }

  private async announce(id: string): Promise<void> {
    if (!this.deps.publish) return;
    const row = await this.deps.accounts.findById(id);
    if (row)
      this.deps.publish({
        type: 'account.status',
        accountId: id,
        data: { ...toAccount(row, fullAccess).status },
      });
  }

  private async startSync(id: string): Promise<void> {
    await this.announce(id);
    try {
      await this.deps.sync.refreshAccount(id);
    } catch (error) {
      // The account is saved either way; the engine picks it up on its next scan.
      this.deps.logger.error({ accountId: id, err: error }, 'could not hand the account to the sync engine');
    }
  }

  private async stopSync(id: string): Promise<void> {
    try {
      await this.deps.sync.removeAccount(id);
    } catch (error) {
      this.deps.logger.error({ accountId: id, err: error }, 'could not stop syncing the account');
    }
  }

  private sealPassword(password: string): string {
    return sealAccountSecret(this.deps.secrets, { kind: 'password', password });
  }
}


function requirePassword(password: string | undefined): string {
  if (password === undefined || password === '')
    throw validationFailed({ password: 'enter the mailbox password' });
  return password;
}

function checkedFolders(folders: FolderSelection): string {
  if (folders !== 'all' && folders.some((f) => f.trim() === ''))
    throw validationFailed({ folders: 'folder paths cannot be empty' });
  return formatFolderSelection(folders);
}

function accountExists(existing: AccountView): AppError {
  const who = existing.owner_name || existing.owner_email;
  return new AppError('account_exists', `${existing.email} is already connected by ${who}`, {
    email: existing.email,
    ownerName: who,
  });
}

// A mailbox of an OAuth provider connects through the consent flow (http/routes/oauth.routes.ts,
// POST /api/v1/accounts/oauth/start), never with a password, and we say so plainly.
function oauthRequired(provider: Provider): AppError {
  return new AppError(
    'oauth_required',
    `${provider.name} signs in with OAuth 2.0 ("Sign in"), not with a password`,
    {
      providerId: provider.id,
    },
  );
}
