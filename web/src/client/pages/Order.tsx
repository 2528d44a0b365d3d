// A client orders a license: the catalog of its provider's tariffs with the price of each period, the name
// and server IP (checked as typed: the format and private ranges at once, then the upstream's own check),
// auto-renewal, and the total with the balance after. When the balance falls short, the shortfall and a
// top-up are right here; the form keeps what was typed and the order goes on once the payment arrives.
// Everything is reachable with Tab, the arrow keys (radio groups), Space and Enter.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Loader, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, client, unwrap } from '../../api/client';
import { notifyDone } from '../../api/queries';
import { ORDER_FIELDS, ipProblem, periodLabel, placeOrder, TRIAL_PERIOD, useCatalog, useOrderSchema, type OrderInput, type OrderValues } from '../../components/orderLicense';
import { fieldError, Loading, Money, PageTitle, QueryError } from '../../components/ui';
import { showUnderField, useDescribeError } from '../../errors';
import { isPositive, sum } from '../money';
import { useAccount } from '../account';
import { TopUpForm } from '../TopUp';

/** The upstream's check of the address, asked once the tariff, period and a good address are there. */
function usePrecheck(v: { tariffId: string; period: string; ip: string }) {
  const [debounced, setDebounced] = useState(v);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(v), 400);
    return () => clearTimeout(timer);
  }, [v.tariffId, v.period, v.ip]);
  const ready = /^\d+$/.test(debounced.tariffId) && /^-?\d+$/.test(debounced.period) && /^\d{1,3}(\.\d{1,3}){3}$/.test(debounced.ip.trim());
  return useQuery({
    queryKey: ['order-check', debounced.tariffId, debounced.period, debounced.ip.trim()],
    enabled: ready,
    retry: false,
    staleTime: 60_000,
    queryFn: () =>
      unwrap(client.POST('/api/v1/licenses/check', { body: { tariffId: Number(debounced.tariffId), period: Number(debounced.period), ip: debounced.ip.trim() } })),
  });
}

/** The top-up is a form of its own beside the order's (forms do not nest): the order's button names its form. */
const FORM_ID = 'client-order';

export function OrderPage() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [awaitingPayment, setAwaitingPayment] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const catalog = useCatalog();
  const self = useAccount({ poll: awaitingPayment });
  const schema = useOrderSchema();
  const form = useForm<OrderValues, unknown, OrderInput>({
    resolver: zodResolver(schema),
    mode: 'onTouched',
    defaultValues: { tariffId: '', period: '', licenseName: '', ip: '', autoRenew: true },
  });
  const [tariffId, period, ip] = useWatch({ control: form.control, name: ['tariffId', 'period', 'ip'] });
  const tariffs = catalog.data?.items ?? [];
  const currency = catalog.data?.currency ?? self.data?.currency ?? '';
  const tariff = tariffs.find((item) => String(item.id) === tariffId);
  const price = tariff?.periods.find((p) => String(p.period) === period)?.price;
  const isTrial = Number(period) === TRIAL_PERIOD;
  const localIpProblem = ip.trim() ? ipProblem(t, ip) : undefined;
  const precheck = usePrecheck({ tariffId, period, ip: localIpProblem ? '' : ip });

  // The address is checked as it is typed: the local rule at once, under the field.
  useEffect(() => {
    if (!ip.trim()) return;
    if (localIpProblem) form.setError('ip', { type: 'local', message: localIpProblem });
    else if (form.formState.errors.ip?.type === 'local') form.clearErrors('ip');
  }, [ip, localIpProblem, form]);
  const upstreamRefusal = precheck.error instanceof ApiError && precheck.error.field === 'ip' ? describe(precheck.error) : undefined;
  // Refused for another reason (a second trial, no module to serve the tariff): said beside the address.
  const otherRefusal = precheck.error && !upstreamRefusal ? describe(precheck.error) : undefined;

  const balance = self.data?.balance;
  const available = self.data ? sum([1, self.data.balance], [1, self.data.creditLimit]) : undefined;
  const after = balance !== undefined && price !== undefined ? sum([1, balance], [-1, price]) : undefined;
  const shortfall = available !== undefined && price !== undefined ? sum([1, price], [-1, available]) : undefined;
  const short = shortfall !== undefined && isPositive(shortfall);
  // The payment arrived: stop polling and say the order can go on.
  useEffect(() => {
    if (awaitingPayment && shortfall !== undefined && !short) {
      setAwaitingPayment(false);
      notifyDone(t('clientOrder.paymentArrived'));
    }
  }, [awaitingPayment, short, shortfall, t]);

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const license = await placeOrder(v, key);
      notifyDone(t('orderLicense.done', { name: license.licenseName }));
      await queryClient.invalidateQueries();
      void navigate(`/licenses/${license.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 402) {
        await self.refetch();
        setFailure(describe(error));
        return;
      }
      if (!showUnderField(form, error, ORDER_FIELDS, describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  if (catalog.error) return <QueryError error={catalog.error} />;
  if (self.error) return <QueryError error={self.error} />;
  if (!catalog.data || !self.data) return <Loading />;
  const { errors } = form.formState;

  return (
    <>
      <PageTitle>{t('clientOrder.title')}</PageTitle>
      {tariffs.length === 0 ? (
        <Alert color="orange" variant="light">
          {t('clientOrder.noTariffs')}
        </Alert>
      ) : (
        <Stack gap="md" maw={640}>
          <form id={FORM_ID} onSubmit={submit} noValidate aria-label={t('clientOrder.title')}>
            <Stack gap="md">
              <Controller
                control={form.control}
                name="tariffId"
                render={({ field }) => (
                  <Radio.Group
                    label={`${t('orderLicense.tariff')} *`}
                    name={field.name}
                    value={field.value}
                    onChange={(value) => {
                      field.onChange(value);
                      form.setValue('period', '');
                    }}
                    {...fieldError(errors.tariffId?.message)}
                  >
                    <Stack gap="xs" mt={4}>
                      {tariffs.map((item) => (
                        <Radio
                          key={item.id}
                          value={String(item.id)}
                          label={item.displayName}
                          description={item.periods.map((p) => `${periodLabel(t, p.period)}: ${p.price} ${currency}`).join(' · ')}
                        />
                      ))}
                    </Stack>
                  </Radio.Group>
                )}
              />
              {tariff && (
                <Controller
                  control={form.control}
                  name="period"
                  render={({ field }) => (
                    <Radio.Group label={`${t('orderLicense.period')} *`} name={field.name} value={field.value} onChange={field.onChange} {...fieldError(errors.period?.message)}>
                      <Stack gap="xs" mt={4}>
                        {tariff.periods.map((p) => (
                          <Radio key={p.period} value={String(p.period)} label={<PeriodPrice period={p.period} price={p.price} currency={currency} />} />
                        ))}
                      </Stack>
                    </Radio.Group>
                  )}
                />
              )}
              <TextInput
                label={`${t('orderLicense.licenseName')} *`}
                description={t('clientOrder.licenseNameHint')}
                autoComplete="off"
                {...form.register('licenseName')}
                {...fieldError(errors.licenseName?.message)}
              />
              <div>
                <TextInput
                  label={`${t('orderLicense.ip')} *`}
                  description={t('clientOrder.ipHint')}
                  inputMode="decimal"
                  autoComplete="off"
                  {...form.register('ip')}
                  {...fieldError(errors.ip?.message ?? upstreamRefusal)}
                />
                <Text size="sm" role="status" mt={4}>
                  {!errors.ip && !upstreamRefusal && precheck.isFetching && (
                    <>
                      <Loader size="xs" mr={6} />
                      {t('clientOrder.ipChecking')}
                    </>
                  )}
                  {!errors.ip && precheck.isSuccess && !precheck.isFetching && `✓ ${t('clientOrder.ipAccepted')}`}
                  {otherRefusal}
                </Text>
              </div>
              <Checkbox label={t('orderLicense.autoRenew')} disabled={isTrial} {...form.register('autoRenew')} />
            </Stack>
          </form>

          <Paper withBorder p="md">
            <Title order={2}>{t('clientOrder.summary')}</Title>
            <dl className="client-summary">
              <dt>{t('clientOrder.total')}</dt>
              <dd>{price !== undefined ? <Money amount={price} currency={currency} /> : t('clientOrder.chooseFirst')}</dd>
              <dt>{t('clientOrder.balance')}</dt>
              <dd>
                <Money amount={self.data.balance} currency={self.data.currency} />
              </dd>
              <dt>{t('clientOrder.balanceAfter')}</dt>
              <dd>{after !== undefined ? <Money amount={after} currency={self.data.currency} /> : '—'}</dd>
            </dl>
            {short && shortfall !== undefined && (
              <Alert color="orange" variant="light" title={t('clientOrder.shortTitle')} mt="sm">
                <Stack gap="sm">
                  <Text size="sm" role="status">
                    {t('clientOrder.short')} <Money amount={shortfall} currency={self.data.currency} />
                  </Text>
                  <TopUpForm clientId={self.data.id} currency={self.data.currency} suggested={shortfall} onStarted={() => setAwaitingPayment(true)} />
                </Stack>
              </Alert>
            )}
          </Paper>
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" form={FORM_ID} loading={form.formState.isSubmitting} disabled={short}>
              {t('clientOrder.submit')}
            </Button>
          </Group>
        </Stack>
      )}
    </>
  );
}

function PeriodPrice({ period, price, currency }: { period: number; price: string; currency: string }) {
  const { t } = useTranslation();
  return (
    <>
      {periodLabel(t, period)} — <Money amount={price} currency={currency} />
    </>
  );
}
