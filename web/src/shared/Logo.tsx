import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconMail } from '@tabler/icons-react';

export function Logo({ size = 'md' }: { size?: 'md' | 'lg' }) {
  const large = size === 'lg';
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon
        size={large ? 40 : 32}
        radius="md"
        variant="gradient"
        gradient={{ from: 'indigo.6', to: 'cyan.5', deg: 135 }}
        aria-hidden
      >
        <IconMail size={large ? 24 : 20} stroke={1.8} />
      </ThemeIcon>
      <Text fw={700} fz={large ? 24 : 20} lh={1}>
        Mailyard
      </Text>
    </Group>
  );
}
