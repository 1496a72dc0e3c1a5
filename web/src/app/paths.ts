/** Every in-app path in one place, so features link to each other without importing each other. */
export const paths = {
  panel: '/',
  panelEmail: '/panel/email',
  compose: '/compose',
  profile: '/profile',
  profileSection: (section: string) => `/profile/${section}`,
  accounts: '/accounts',
  newAccount: '/accounts/new',
  users: '/settings/users',
  providers: '/settings/providers',
  newProvider: '/settings/providers/new',
  providerCatalogue: '/settings/providers/catalogue',
  provider: (id: string) => `/settings/providers/${encodeURIComponent(id)}`,
  providerDomains: '/settings/domains',
} as const;
