import { Group, Tabs } from '@mantine/core';
import { IconMail } from '@tabler/icons-react';
import { PageHeader } from '../../shared/PageHeader.js';
import { EmailActionsMenu } from './EmailActionsMenu.js';
import { EmailTab } from './EmailTab.js';

/**
 * The communication panel. Email is its only tab today; the tab strip is kept because the seed
 * guide's flow starts with "open the Email tab", and more channels can join it later.
 */
export function CommunicationPanel() {
  return (
    <>
      <PageHeader title="Communication panel" description="All your mailboxes in one place." />
      <Tabs value="email" keepMounted={false}>
        <Group
          gap="xs"
          wrap="nowrap"
          align="flex-end"
          style={{ borderBottom: '1px solid var(--tab-border-color)' }}
        >
          <Tabs.List style={{ flex: 1, '--tab-border-color': 'transparent' }}>
            <Tabs.Tab value="email" leftSection={<IconMail size={16} />}>
              Email
            </Tabs.Tab>
          </Tabs.List>
          <EmailActionsMenu />
        </Group>
        <Tabs.Panel value="email" pt="lg">
          <EmailTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
