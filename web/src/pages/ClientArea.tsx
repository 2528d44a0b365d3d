// What a logged-in client sees until the client area exists (a later issue): who is logged in, a way out, and
// for an employee who used "log in as client", the way back to the staff panel at the client's page.
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { client, setCsrf, unwrap } from '../api/client';
import { keys, notifyDone } from '../api/queries';
import { useLogout, useMe } from '../auth';
import { useDescribeError } from '../errors';
import { IMPERSONATED_KEY } from './Client';

export function ClientAreaPage() {
  const { t } = useTranslation();
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const back = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/impersonation/end')),
    onSuccess: async (answer) => {
      setCsrf(answer.csrfToken);
      const clientId = sessionStorage.getItem(IMPERSONATED_KEY) ?? String(me.id);
      sessionStorage.removeItem(IMPERSONATED_KEY);
      // To the client's page first, then the staff shell: it opens there, not at whatever the URL was.
      await navigate(`/clients/${clientId}`);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      queryClient.setQueryData(keys.me, answer.user);
    },
  });
  const impersonated = me.impersonatedBy !== null;
  return (
    <div className="client-area">
      <header className="topbar">
        <span className="brand">billrelay</span>
        <span className="spacer" />
        <span className="user">
          <span className="user-name">{me.name || me.email}</span>
        </span>
        <Button variant="subtle" color="gray.0" size="compact-sm" onClick={() => logout.mutate()} loading={logout.isPending}>
          {t('shell.logOut')}
        </Button>
      </header>
      <main className="content">
        <Stack maw={640}>
          {impersonated && (
            <Alert color="orange" variant="light" role="status" title={t('clients.area.impersonatingTitle')}>
              <Stack gap="xs">
                <Text size="sm">{t('clients.area.impersonating', { name: me.name, email: me.email })}</Text>
                <Group>
                  <Button onClick={() => back.mutate()} loading={back.isPending}>
                    {t('clients.area.back')}
                  </Button>
                </Group>
                {back.error && (
                  <Text size="sm" c="red.9" role="alert">
                    {describe(back.error, { withCode: true })}
                  </Text>
                )}
              </Stack>
            </Alert>
          )}
          <UnconfirmedEmail clientId={me.id} />
          <Paper withBorder p="md">
            <Title order={1} className="page-title">
              {t('clients.area.title')}
            </Title>
            <Text>{t('clients.area.comingSoon')}</Text>
          </Paper>
        </Stack>
      </main>
    </div>
  );
}

/** A client who has not confirmed their address yet is told so and can have the link mailed again (at most every 5 minutes). */
function UnconfirmedEmail({ clientId }: { clientId: number }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const { data } = useQuery({ queryKey: ['clients', clientId], queryFn: () => unwrap(client.GET('/api/v1/clients/{id}', { params: { path: { id: String(clientId) } } })) });
  const resend = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/confirm-email/resend', { body: {} })),
    onSuccess: (answer) => notifyDone(t('clients.area.resent', { email: answer.email })),
  });
  if (!data || data.emailConfirmed) return null;
  return (
    <Alert color="yellow" variant="light">
      <Stack gap="xs">
        <Text size="sm">{t('clients.area.unconfirmed', { email: data.email })}</Text>
        <Group>
          <Button variant="default" size="compact-sm" onClick={() => resend.mutate()} loading={resend.isPending}>
            {t('clients.area.resend')}
          </Button>
        </Group>
        {resend.error && (
          <Text size="sm" c="red.9" role="alert">
            {describe(resend.error, { withCode: true })}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
