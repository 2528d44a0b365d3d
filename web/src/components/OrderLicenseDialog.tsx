// Staff order a license for a client (the last step of the partner guide's setup): the tariffs of the client's
// provider from the catalog, a period with its price, the license name and server IP. The same POST /licenses a
// client uses, with clientId; the balance is charged and the purchase queued exactly as for a client's own order.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { notifyDone } from '../api/queries';
import { showUnderField, useDescribeError } from '../errors';
import { ORDER_FIELDS, periodLabel, placeOrder, useCatalog, useOrderSchema, type OrderInput, type OrderValues } from './orderLicense';
import { fieldError, Money } from './ui';

interface Customer {
  id: number;
  name: string;
  providerId: number;
  balance: string;
  currency: string;
}

export function OrderLicenseButton({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Group>
        <Button onClick={() => setOpen(true)}>{t('orderLicense.open')}</Button>
      </Group>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('orderLicense.title', { name: customer.name })}>
        {open && <OrderForm customer={customer} onDone={() => setOpen(false)} />}
      </Modal>
    </>
  );
}

function OrderForm({ customer, onDone }: { customer: Customer; onDone: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  // One key per opened form: a double click or a retry after a lost answer orders once.
  const [key] = useState(() => crypto.randomUUID());
  const catalog = useCatalog(customer.providerId);
  const schema = useOrderSchema();
  const form = useForm<OrderValues, unknown, OrderInput>({
    resolver: zodResolver(schema),
    defaultValues: { tariffId: '', period: '', licenseName: '', ip: '', autoRenew: true },
  });
  const tariffs = catalog.data?.items ?? [];
  const tariff = tariffs.find((item) => String(item.id) === form.watch('tariffId'));
  const price = tariff?.periods.find((p) => String(p.period) === form.watch('period'))?.price;

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const license = await placeOrder(v, key, customer.id);
      notifyDone(t('orderLicense.done', { name: license.licenseName }));
      await queryClient.invalidateQueries();
      onDone();
      void navigate(`/licenses/${license.id}`);
    } catch (error) {
      if (!showUnderField(form, error, ORDER_FIELDS, describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('orderLicense.open')}>
      <Stack gap="sm">
        {catalog.data && tariffs.length === 0 && <Alert color="orange">{t('orderLicense.noTariffs')}</Alert>}
        <NativeSelect
          label={`${t('orderLicense.tariff')} *`}
          data={[{ value: '', label: t('common.choose') }, ...tariffs.map((item) => ({ value: String(item.id), label: item.displayName }))]}
          {...form.register('tariffId', { onChange: () => form.setValue('period', '') })}
          {...fieldError(form.formState.errors.tariffId?.message)}
        />
        <NativeSelect
          label={`${t('orderLicense.period')} *`}
          data={[
            { value: '', label: t('common.choose') },
            ...(tariff?.periods ?? []).map((p) => ({ value: String(p.period), label: `${periodLabel(t, p.period)} — ${p.price} ${catalog.data?.currency ?? ''}` })),
          ]}
          {...form.register('period')}
          {...fieldError(form.formState.errors.period?.message)}
        />
        <TextInput label={`${t('orderLicense.licenseName')} *`} {...form.register('licenseName')} {...fieldError(form.formState.errors.licenseName?.message)} />
        <TextInput label={`${t('orderLicense.ip')} *`} inputMode="decimal" {...form.register('ip')} {...fieldError(form.formState.errors.ip?.message)} />
        <Checkbox label={t('orderLicense.autoRenew')} {...form.register('autoRenew')} />
        <Text size="sm">
          {t('orderLicense.balance')}: <Money amount={customer.balance} currency={customer.currency} />
          {price !== undefined && (
            <>
              {' · '}
              {t('orderLicense.price')}: <Money amount={price} currency={customer.currency} />
            </>
          )}
        </Text>
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={form.formState.isSubmitting}>
            {t('orderLicense.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
