// Provider → Providers → Payment gateways: the provider's own card gateway account (Stripe). Keys are
// write-only: the page says whether each is set (and the secret key's last 4 characters), never shows
// them, and an empty field keeps what is stored. The webhook address is what to enter at the gateway.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { notifyDone, queryClient } from '../api/queries';
import { useCan } from '../auth';
import { fieldError, Loading, QueryError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';

type Gateway = { gateway: string; title: string; enabled: boolean; secretKeySet: boolean; secretKeyHint: string | null; webhookSecretSet: boolean; webhookPath: string };

const gatewaysKey = (providerId: number) => ['providers', providerId, 'payment-gateways'] as const;

/** Stripe's events billrelay acts on: what to pick when adding the webhook endpoint. */
export const STRIPE_EVENTS = ['checkout.session.completed', 'checkout.session.async_payment_succeeded', 'charge.refunded', 'charge.dispute.created'];

export function ProviderGateways({ providerId, onDone }: { providerId: number; onDone: () => void }) {
  const { data, error } = useQuery({
    queryKey: gatewaysKey(providerId),
    queryFn: () => unwrap(client.GET('/api/v1/providers/{id}/payment-gateways', { params: { path: { id: String(providerId) } } })),
  });
  if (error) return <QueryError error={error} />;
  if (!data) return <Loading />;
  return (
    <Stack gap="md">
      {data.items.map((g) => (
        <GatewayForm key={g.gateway} providerId={providerId} gateway={g} onDone={onDone} />
      ))}
    </Stack>
  );
}

function GatewayForm({ providerId, gateway, onDone }: { providerId: number; gateway: Gateway; onDone: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const canChange = useCan('providers.change');
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        enabled: z.boolean(),
        secretKey: z.string().trim().refine((v) => v === '' || /^(sk|rk)_\S+$/.test(v), t('payments.staff.secretKeyInvalid')),
        webhookSecret: z.string().trim().refine((v) => v === '' || /^whsec_\S+$/.test(v), t('payments.staff.webhookSecretInvalid')),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { enabled: gateway.enabled, secretKey: '', webhookSecret: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const body = { enabled: v.enabled, ...(v.secretKey ? { secretKey: v.secretKey } : {}), ...(v.webhookSecret ? { webhookSecret: v.webhookSecret } : {}) };
    try {
      await unwrap(client.PUT('/api/v1/providers/{id}/payment-gateways/{gateway}', { params: { path: { id: String(providerId), gateway: gateway.gateway } }, body }));
      notifyDone(t('payments.staff.saved', { gateway: gateway.title }));
      await queryClient.invalidateQueries({ queryKey: gatewaysKey(providerId) });
      onDone();
    } catch (error) {
      if (!showUnderField(form, error, ['enabled', 'secretKey', 'webhookSecret'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });
  const webhookUrl = `${window.location.origin}${gateway.webhookPath}`;
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label={t('payments.staff.formLabel', { gateway: gateway.title })}>
        <Stack gap="sm">
          <Title order={3}>{gateway.title}</Title>
          <Checkbox label={t('payments.staff.enabled', { gateway: gateway.title })} disabled={!canChange} {...form.register('enabled')} />
          <PasswordInput
            label={t('payments.staff.secretKey')}
            description={gateway.secretKeySet ? t('payments.staff.secretKeySet', { hint: gateway.secretKeyHint ?? '' }) : t('payments.staff.notSet')}
            autoComplete="off"
            disabled={!canChange}
            {...form.register('secretKey')}
            {...fieldError(errors.secretKey?.message)}
          />
          <PasswordInput
            label={t('payments.staff.webhookSecret')}
            description={gateway.webhookSecretSet ? t('payments.staff.webhookSecretSet') : t('payments.staff.notSet')}
            autoComplete="off"
            disabled={!canChange}
            {...form.register('webhookSecret')}
            {...fieldError(errors.webhookSecret?.message)}
          />
          <div>
            <Text size="sm" fw={500}>
              {t('payments.staff.webhookUrl')}
            </Text>
            <Text className="reference" data-testid="webhook-url">
              {webhookUrl}
            </Text>
            <Text size="xs" c="dimmed">
              {t('payments.staff.webhookHint')} {STRIPE_EVENTS.join(', ')}
            </Text>
          </div>
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onDone}>
              {t('common.cancel')}
            </Button>
            {canChange && (
              <Button type="submit" loading={form.formState.isSubmitting}>
                {t('payments.staff.save')}
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
