// The sending API (docs/product.md "Sending") and the accounts the From field offers.
import { api, call } from '../../shared/api.js';
import type { BodyOf, Schemas } from '../../shared/api-types.js';
import type { Account } from '../accounts/accounts.api.js';

export type OutboxItem = Schemas['OutboxItem'];
export type OutboxStatus = OutboxItem['status'];
/** What the From field needs of an account. */
export type SenderAccount = Pick<
  Account,
  'id' | 'email' | 'displayName' | 'signature' | 'sendEnabled' | 'defaultSender' | 'enabled' | 'archived' | 'access'
>;
export type ComposeBody = BodyOf<'/api/v1/outbox', 'post'>;

const path = (id: string) => ({ params: { path: { id } } });

export const composeApi = {
  accounts: (signal?: AbortSignal) => call(api.GET('/api/v1/accounts', { signal })),
  send: (body: ComposeBody) => call(api.POST('/api/v1/outbox', { body })),
  status: (id: string) => call(api.GET('/api/v1/outbox/{id}', path(id))),
  sendAgain: (id: string) => call(api.POST('/api/v1/outbox/{id}/retry', path(id))),
};
