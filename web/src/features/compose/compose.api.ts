// The sending API (docs/product.md "Sending") and the accounts the From field offers.
import { api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';

export interface OutboxItem {
  id: string;
  accountId: string;
  status: OutboxStatus;
  error?: { code: string; message: string };
  messageId?: string;
}

export interface SenderAccount {
  id: string;
  email: string;
  displayName: string;
  signature: string;
  sendEnabled: boolean;
  defaultSender: boolean;
  enabled: boolean;
  archived?: boolean;
  access: { read: boolean; send: boolean; manage: boolean };
}

export interface ComposeBody {
  accountId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  inReplyTo?: string;
  forwardOf?: string;
  attachments: { filename: string; contentType: string; contentBase64: string }[];
  signature: boolean;
}

export const composeApi = {
  accounts: (signal?: AbortSignal) => api.get<ListResponse<SenderAccount>>('/accounts', signal ? { signal } : {}),
  send: (body: ComposeBody) => api.post<OutboxItem>('/outbox', body),
  status: (id: string) => api.get<OutboxItem>(`/outbox/${seg(id)}`),
  sendAgain: (id: string) => api.post<OutboxItem>(`/outbox/${seg(id)}/retry`),
};
