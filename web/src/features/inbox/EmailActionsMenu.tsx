import { ActionIcon, Menu, Tooltip } from '@mantine/core';
import { IconDots, IconPlus, IconSettings } from '@tabler/icons-react';
import { paths } from '../../app/paths.js';
import { navigate } from '../../app/router.js';

/** The actions button beside the tabs (the seed guide's Fig. 1). */
export function EmailActionsMenu() {
  return (
    <Menu position="bottom-end" shadow="md" width={240}>
      <Menu.Target>
        <Tooltip label="Actions" openDelay={300}>
          <ActionIcon variant="subtle" color="gray" size="lg" mb={4} aria-label="Actions">
            <IconDots size={20} />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconPlus size={16} />} onClick={() => navigate(paths.newAccount)}>
          New email account
        </Menu.Item>
        <Menu.Item leftSection={<IconSettings size={16} />} onClick={() => navigate(paths.accounts)}>
          Go to mailbox settings
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
