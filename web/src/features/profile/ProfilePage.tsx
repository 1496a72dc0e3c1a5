import { Avatar, Badge, Group, Paper, Stack, Tabs, Text } from '@mantine/core';
import { IconId, IconKey, IconMail } from '@tabler/icons-react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { paths } from '../../app/paths.js';
import { navigate } from '../../app/router.js';
import { initials } from '../../shared/format.js';
import { PageHeader } from '../../shared/PageHeader.js';
import { EmailAccountsList } from '../accounts/EmailAccountsList.js';
import { ApiTokensSection } from './ApiTokensSection.js';
import { PersonalInfoSection } from './PersonalInfoSection.js';
import { profileSectionFrom, type ProfileSection } from './profile-sections.js';

export function ProfilePage({ section }: { section: ProfileSection }) {
  const user = useCurrentUser();
  return (
    <>
      <PageHeader title="Profile" />
      <Paper withBorder p="lg" mb="lg">
        <Group gap="md" wrap="nowrap">
          <Avatar size={56} radius="xl" color="indigo" variant="filled" aria-hidden>
            {initials(user.name, user.email)}
          </Avatar>
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Group gap="xs">
              <Text fw={600} size="lg" truncate>
                {user.name || user.email}
              </Text>
              <Badge variant="light" color={user.role === 'admin' ? 'grape' : 'gray'}>
                {user.role === 'admin' ? 'Administrator' : 'User'}
              </Badge>
            </Group>
            <Text c="dimmed" size="sm" truncate>
              {user.email}
            </Text>
          </Stack>
        </Group>
      </Paper>

      <Tabs
        value={section}
        onChange={(value) => navigate(paths.profileSection(profileSectionFrom(value)))}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="info" leftSection={<IconId size={16} />}>
            Personal info
          </Tabs.Tab>
          <Tabs.Tab value="email-accounts" leftSection={<IconMail size={16} />}>
            Email accounts
          </Tabs.Tab>
          <Tabs.Tab value="api-tokens" leftSection={<IconKey size={16} />}>
            API tokens
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="info" pt="lg">
          <PersonalInfoSection user={user} />
        </Tabs.Panel>
        <Tabs.Panel value="email-accounts" pt="lg">
          <EmailAccountsList />
        </Tabs.Panel>
        <Tabs.Panel value="api-tokens" pt="lg">
          <ApiTokensSection />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
