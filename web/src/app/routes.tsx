// The route table. Order matters only where a fixed segment and a parameter compete
// (`/accounts/new` must stay above a future `/accounts/:id`).
import { lazy, type ReactNode } from 'react';
import { profileSectionFrom } from '../features/profile/profile-sections.js';
import { paths } from './paths.js';
import type { RouteParams } from './router.js';

// Each page is its own chunk, loaded when first visited (RouteView shows a placeholder meanwhile),
// so the first load fetches only the shell and the page it lands on.
const CommunicationPanel = lazy(() => import('../features/inbox/CommunicationPanel.js').then((m) => ({ default: m.CommunicationPanel })));
const ComposePage = lazy(() => import('../features/compose/ComposePage.js').then((m) => ({ default: m.ComposePage })));
const ProfilePage = lazy(() => import('../features/profile/ProfilePage.js').then((m) => ({ default: m.ProfilePage })));
const AccountsPage = lazy(() => import('../features/accounts/AccountsPage.js').then((m) => ({ default: m.AccountsPage })));
const NewAccountPage = lazy(() => import('../features/accounts/NewAccountPage.js').then((m) => ({ default: m.NewAccountPage })));
const AccountSettingsPage = lazy(() => import('../features/accounts/AccountSettingsPage.js').then((m) => ({ default: m.AccountSettingsPage })));
const UsersPage = lazy(() => import('../features/settings/UsersPage.js').then((m) => ({ default: m.UsersPage })));
const ProvidersPage = lazy(() => import('../features/providers/ProvidersPage.js').then((m) => ({ default: m.ProvidersPage })));
const NewProviderPage = lazy(() => import('../features/providers/ProviderEditorPage.js').then((m) => ({ default: m.NewProviderPage })));
const EditProviderPage = lazy(() => import('../features/providers/ProviderEditorPage.js').then((m) => ({ default: m.EditProviderPage })));
const WellKnownProvidersPage = lazy(() => import('../features/providers/catalogue/WellKnownProvidersPage.js').then((m) => ({ default: m.WellKnownProvidersPage })));
const ProviderDomainsPage = lazy(() => import('../features/domains/ProviderDomainsPage.js').then((m) => ({ default: m.ProviderDomainsPage })));

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
