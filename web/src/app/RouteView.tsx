import { Button, Loader, Stack, Text, Title } from '@mantine/core';
import { Suspense, useEffect } from 'react';
import type { User } from '../shared/types.js';
import { findRoute, navigate, type RouteLocation } from './router.js';
import { routes } from './routes.js';

export function RouteView({ location, user }: { location: RouteLocation; user: User }) {
  const match = findRoute(routes, location.path);
  const allowed = match !== null && (!match.route.adminOnly || user.role === 'admin');
  const redirectTo = allowed ? match.route.redirectTo : undefined;
  const title = !match ? 'Not found' : allowed ? match.route.title : 'No access';

  useEffect(() => {
    document.title = `${title} · Mailyard`;
  }, [title]);

  useEffect(() => {
    if (redirectTo) navigate(redirectTo, { replace: true });
  }, [redirectTo]);

  if (!match) return <Problem title="Page not found" text="There is nothing at this address." />;
  if (!allowed) return <Problem title="No access" text="This page is for administrators." />;
  return <Suspense fallback={<Loader size="sm" aria-label="Loading page" />}>{match.route.render?.(match.params) ?? null}</Suspense>;
}

function Problem({ title, text }: { title: string; text: string }) {
  return (
    <Stack align="flex-start" gap="sm">
      <Title order={2}>{title}</Title>
      <Text c="dimmed">{text}</Text>
      <Button variant="light" onClick={() => navigate('/')}>
        Go to the communication panel
      </Button>
    </Stack>
  );
}
