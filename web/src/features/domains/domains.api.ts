import { api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';

/** One row of the "Email providers domains" lookup. */
export interface DomainEntry {
  domain: string;
  providerId: string;
  providerName: string;
}

export const domainsApi = {
  list: (signal?: AbortSignal) =>
    api.get<ListResponse<DomainEntry>>('/provider-domains', signal ? { signal } : {}),
  add: (domain: string, providerId: string) =>
    api.post<DomainEntry>('/provider-domains', { domain, providerId }),
  remove: (domain: string) => api.delete(`/provider-domains/${seg(domain)}`),
};
