import { api, call } from '../../shared/api.js';
import type { ItemOf } from '../../shared/api-types.js';

/** One row of the "Email providers domains" lookup. */
export type DomainEntry = ItemOf<'/api/v1/provider-domains', 'get'>;

export const domainsApi = {
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/provider-domains', { signal })),
  add: (domain: string, providerId: string) => call(api.POST('/api/v1/provider-domains', { body: { domain, providerId } })),
  remove: (domain: string) => call(api.DELETE('/api/v1/provider-domains/{domain}', { params: { path: { domain } } })),
};
