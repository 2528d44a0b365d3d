// Topping up the balance through a payment gateway, used on the balance page and inside the order (when the
// balance falls short). A bank transfer (the manual gateway) gives a payment reference to quote; a card
// gateway (Stripe) sends the client to its payment page, which brings it back to the balance page. The
// balance grows when the gateway confirms the payment, and the pages showing it poll while they wait.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, Code, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { fieldError, Money } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';

/** How the client can pay: the bank transfer, and the card gateways its provider enabled. */
export function useGateways(clientId: number) {
  return useQuery({
    queryKey: ['clients', clientId, 'payment-gateways'],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}/payments/gateways', { params: { path: { id: String(clientId) } } })),
    staleTime: 60_000,
  });
}

/** Goes to a gateway's payment page (leaves the SPA); a seam for nothing else. */
function goTo(url: string) {
  window.location.assign(url);
}

export interface Started {
  gateway: string;
  gatewayPaymentId: string;
  amount: string;
  currency: string;
  redirectUrl?: string;
}

export function TopUpForm({ clientId, currency, suggested, onStarted }: { clientId: number; currency: string; suggested?: string; onStarted?: (s: Started) => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const [started, setStarted] = useState<Started | null>(null);
  const gateways = useGateways(clientId);
  const schema = useMemo(
    () =>
      z.object({
        amount: z.string().trim().regex(/^\d{1,12}(\.\d{1,3})?$/, t('clientOrder.topUp.amountInvalid')),
        gateway: z.string().min(1),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { amount: suggested ?? '', gateway: 'manual' },
  });
  // The shortfall changes with the order's choices: the suggested amount follows it until a payment starts.
  useEffect(() => {
    if (suggested && !started) form.setValue('amount', suggested);
  }, [suggested, started, form]);

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const answer = await unwrap(client.POST('/api/v1/clients/{id}/payments/start', { params: { path: { id: String(clientId) } }, body: { gateway: v.gateway, amount: v.amount } }));
      setStarted(answer);
      onStarted?.(answer);
      // A card gateway's payment page: the client pays there and comes back to the balance page.
      if (answer.redirectUrl) goTo(answer.redirectUrl);
    } catch (error) {
      if (!showUnderField(form, error, ['amount', 'gateway'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('clientOrder.topUp.title')}>
      <Stack gap="sm">
        <Group align="flex-start" wrap="wrap">
          <TextInput
            label={`${t('clientOrder.topUp.amount', { currency })} *`}
            inputMode="decimal"
            autoComplete="off"
            {...form.register('amount')}
            {...fieldError(form.formState.errors.amount?.message)}
          />
          <NativeSelect
            label={t('clientOrder.topUp.method')}
            data={(gateways.data?.items ?? [{ id: 'manual', method: 'bank_transfer' as const, title: '' }]).map((g) => ({
              value: g.id,
              label: g.method === 'card' ? t('payments.client.card', { gateway: g.title }) : t('clientOrder.topUp.gateways.manual'),
            }))}
            {...form.register('gateway')}
          />
        </Group>
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={form.formState.isSubmitting} variant={started ? 'default' : 'filled'}>
            {started ? t('clientOrder.topUp.again') : t('clientOrder.topUp.submit')}
          </Button>
        </Group>
        {started && (
          <Alert color="blue" variant="light" role="status" title={t('clientOrder.topUp.instructionsTitle')}>
            <Stack gap={4}>
              {started.redirectUrl ? (
                <Anchor href={started.redirectUrl}>{t('clientOrder.topUp.payOnline')}</Anchor>
              ) : (
                <Text size="sm">
                  {t('clientOrder.topUp.transfer')} <Money amount={started.amount} currency={started.currency} />
                  {'. '}
                  {t('clientOrder.topUp.quote')} <Code>{started.gatewayPaymentId}</Code>
                </Text>
              )}
              <Text size="sm">{t('clientOrder.topUp.waiting')}</Text>
            </Stack>
          </Alert>
        )}
      </Stack>
    </form>
  );
}
