// The route table. Order matters only where a fixed segment and a parameter compete
// (`/accounts/new` must stay above a future `/accounts/:id`).
import type { ReactNode } from 'react';
import { AccountSettingsPage } from '../features/accounts/AccountSettingsPage.js';
import { AccountsPage } from '../features/accounts/AccountsPage.js';
import { NewAccountPage } from '../features/accounts/NewAccountPage.js';
import { CommunicationPanel } from '../features/inbox/CommunicationPanel.js';
import { ComposePage } from '../features/compose/ComposePage.js';
import { ProfilePage } from '../features/profile/ProfilePage.js';
import { profileSectionFrom } from '../features/profile/profile-sections.js';
import { ProviderDomainsPage } from '../features/domains/ProviderDomainsPage.js';
import { EditProviderPage, NewProviderPage } from '../features/providers/ProviderEditorPage.js';
import { ProvidersPage } from '../features/providers/ProvidersPage.js';
import { WellKnownProvidersPage } from '../features/providers/catalogue/WellKnownProvidersPage.js';
import { UsersPage } from '../features/settings/UsersPage.js';
import { paths } from './paths.js';
import type { RouteParams } from './router.js';

export interface AppRoute {
  pattern: string;
  /** Shown in the browser tab. */
  title: string;
  adminOnly?: boolean;
  /** Another path to go to instead of rendering (e.g. a section's first page). */
  redirectTo?: string;
  render?: (params: RouteParams) => ReactNode;
}

export const routes: readonly AppRoute[] = [
  { pattern: '/', title: 'Communication panel', render: () => <CommunicationPanel /> },
  { pattern: '/panel', title: 'Communication panel', redirectTo: paths.panelEmail },
  { pattern: '/panel/email', title: 'Communication panel', render: () => <CommunicationPanel /> },
  { pattern: '/compose', title: 'Compose', render: () => <ComposePage /> },
  { pattern: '/profile', title: 'Profile', render: () => <ProfilePage section="info" /> },
  { pattern: '/profile/:section', title: 'Profile', render: (p) => <ProfilePage section={profileSectionFrom(p.section)} /> },
  { pattern: '/accounts', title: 'Mailbox settings', render: () => <AccountsPage /> },
  { pattern: '/accounts/new', title: 'New email account', render: () => <NewAccountPage /> },
  { pattern: '/accounts/:id', title: 'Email account', render: (p) => <AccountSettingsPage id={p.id ?? ''} /> },
  { pattern: '/settings', title: 'Settings', adminOnly: true, redirectTo: paths.users },
  { pattern: '/settings/users', title: 'Users', adminOnly: true, render: () => <UsersPage /> },
  { pattern: '/settings/providers', title: 'Email providers', adminOnly: true, render: () => <ProvidersPage /> },
  { pattern: '/settings/providers/new', title: 'New email provider', adminOnly: true, render: () => <NewProviderPage /> },
  { pattern: '/settings/providers/catalogue', title: 'Well-known providers', adminOnly: true, render: () => <WellKnownProvidersPage /> },
  { pattern: '/settings/providers/:id', title: 'Email provider', adminOnly: true, render: (p) => <EditProviderPage id={p.id ?? ''} /> },
  { pattern: '/settings/domains', title: 'Email providers domains', adminOnly: true, render: () => <ProviderDomainsPage /> },
];
