// A client who has not confirmed their address yet is told so on every page and can have the link mailed
// again (the server allows it at most every 5 minutes and says so).
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { notifyDone } from '../api/queries';
import { useDescribeError } from '../errors';
import { useAccount } from './account';

export function UnconfirmedEmail() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const { data } = useAccount();
  const resend = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/confirm-email/resend', { body: {} })),
    onSuccess: (answer) => notifyDone(t('clients.area.resent', { email: answer.email })),
  });
  if (!data || data.emailConfirmed) return null;
  return (
    <Alert color="yellow" variant="light" className="unconfirmed-email" role="note">
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
