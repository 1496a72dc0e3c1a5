import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Button,
  Divider,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAt,
  IconLogout,
  IconMailCog,
  IconMessages,
  IconMoon,
  IconServer,
  IconSun,
  IconUsers,
  IconWorld,
} from '@tabler/icons-react';
import { useEffect, type ReactNode } from 'react';
import { openLiveEvents } from '../features/inbox/live-events.js';
import { initials } from '../shared/format.js';
import { Logo } from '../shared/Logo.js';
import type { User } from '../shared/types.js';
import { useAuth } from './AuthContext.js';
import { navigate, toHref, useLocation } from './router.js';
import { paths } from './paths.js';

interface NavItem {
  label: string;
  path: string;
  icon: ReactNode;
  /** Paths that also light this entry up (sub-pages). */
  activeFor?: (path: string) => boolean;
}

const mainNav: NavItem[] = [
  {
    label: 'Communication panel',
    path: paths.panel,
    icon: <IconMessages size={18} />,
    activeFor: (p) => p === '/' || p.startsWith('/panel'),
  },
  {
    label: 'Mailbox settings',
    path: paths.accounts,
    icon: <IconMailCog size={18} />,
    activeFor: (p) => p.startsWith('/accounts'),
  },
];

const settingsNav: NavItem[] = [
  { label: 'Users', path: paths.users, icon: <IconUsers size={18} /> },
  { label: 'Email providers', path: paths.providers, icon: <IconServer size={18} /> },
  { label: 'Well-known providers', path: paths.providerCatalogue, icon: <IconWorld size={18} /> },
  { label: 'Email providers domains', path: paths.providerDomains, icon: <IconAt size={18} /> },
];

export function AppLayout({ user, children }: { user: User; children: ReactNode }) {
  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  // One live-event stream for the tab while signed in, whatever page is shown.
  useEffect(() => openLiveEvents(), []);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 264, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="lg"
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpened}
              onClick={toggleNav}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <UnstyledButton component="a" href={toHref(paths.panel)} aria-label="Mailyard home">
              <Logo />
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <ProfileButton user={user} />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          <NavList items={mainNav} onNavigate={closeNav} />
          {user.role === 'admin' && (
            <>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mt="lg" mb={4}>
                Settings
              </Text>
              <NavList items={settingsNav} onNavigate={closeNav} />
            </>
          )}
        </AppShell.Section>
        <AppShell.Section>
          <Divider mb="sm" />
          <SignedInAs user={user} />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

function NavList({ items, onNavigate }: { items: NavItem[]; onNavigate: () => void }) {
  const { path } = useLocation();
  return (
    <Stack gap={2}>
      {items.map((item) => {
        const active = item.activeFor
          ? item.activeFor(path)
          : path === item.path || path.startsWith(item.path + '/');
        return (
          <NavLink
            key={item.path}
            href={toHref(item.path)}
            label={item.label}
            leftSection={item.icon}
            active={active}
            aria-current={active ? 'page' : undefined}
            onClick={onNavigate}
            variant="light"
          />
        );
      })}
    </Stack>
  );
}

/** The seed's "Profile image button": one click opens the profile page. */
function ProfileButton({ user }: { user: User }) {
  return (
    <Tooltip label={`${user.name || user.email} — profile`} openDelay={400}>
      <Button
        variant="subtle"
        color="gray"
        aria-label="Profile"
        px={6}
        leftSection={
          <Avatar size={30} radius="xl" color="indigo" variant="filled" aria-hidden>
            {initials(user.name, user.email)}
          </Avatar>
        }
        onClick={() => navigate(paths.profile)}
      >
        <Text size="sm" fw={500} visibleFrom="xs">
          Profile
        </Text>
      </Button>
    </Tooltip>
  );
}

function SignedInAs({ user }: { user: User }) {
  const { signOut } = useAuth();
  return (
    <Stack gap="xs">
      <Stack gap={0} px="xs" style={{ minWidth: 0 }}>
        <Text size="sm" fw={600} truncate>
          {user.name || user.email}
        </Text>
        <Text size="xs" c="dimmed" truncate>
          {user.email}
        </Text>
      </Stack>
      <Button
        variant="default"
        fullWidth
        leftSection={<IconLogout size={16} />}
        onClick={() => void signOut()}
      >
        Sign out
      </Button>
    </Stack>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label="Toggle color scheme"
        onClick={() => setColorScheme(next)}
      >
        {computed === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}
