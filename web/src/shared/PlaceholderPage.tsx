import { Badge, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';
import { PageHeader } from './PageHeader.js';

/** Marks a page whose feature is still being built, so nobody mistakes it for a broken one. */
export function PlaceholderPage({
  title,
  description,
  icon,
  children,
}: {
  title: string;
  description: string;
  icon: ReactNode;
  children?: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <Paper withBorder p="xl">
        <Stack align="center" gap="sm" py="lg">
          <ThemeIcon size={56} radius="xl" variant="light" aria-hidden>
            {icon}
          </ThemeIcon>
          <Badge variant="light" color="gray">
            Coming soon
          </Badge>
          <Text c="dimmed" ta="center" maw={460}>
            This part of Mailyard is not available yet.
          </Text>
          {children}
        </Stack>
      </Paper>
    </>
  );
}
