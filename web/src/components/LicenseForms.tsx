// A license's change dialogs, shared by the staff license page and the client's: renew now (period and
// price), change IP or name, change tariff (the price difference asked from the API and shown before
// confirming). Which periods and tariffs are offered is the caller's: staff read the tariff plans, a client
// its provider's catalog.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useForm, type FieldValues, type UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, notifyDone } from '../api/queries';
import type { License } from '../api/types';
import { fieldError, Loading } from './ui';
import { showUnderField, useDescribeError } from '../errors';
import { useFormat } from '../format';
import { usePeriodLabel } from '../pages/Licenses';

/** A period a license may be renewed for, with its price in the license's currency. */
export interface PeriodPrice {
  period: number;
  price: string;
}

/** A tariff a license may change to (same provider, sold for the license's period). */
export interface TariffChoice {
  id: number;
  displayName: string;
}

/** One action's form: sends, notifies, refreshes what is on screen, and puts the server's error under its field. */
export function useSubmit<T extends FieldValues>(form: UseFormReturn<T>, fields: readonly string[], onClose: () => void) {
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (send: () => Promise<unknown>, done: string) => {
    setFailure(null);
    try {
      await send();
      notifyDone(done);
      onClose();
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries();
    }
  };
  return { run, failure };
}

export function FormEnd({ failure, submitLabel, busy, onClose, disabled }: { failure: string | null; submitLabel: string; busy: boolean; onClose: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      {failure && (
        <Alert color="red" variant="light" role="alert">
          {failure}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" loading={busy} disabled={disabled}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}

export function RenewForm({ license: l, periods, intro, onClose }: { license: License; periods: readonly PeriodPrice[]; intro?: string; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const periodLabel = usePeriodLabel();
  const schema = useMemo(() => z.object({ period: z.string().regex(/^\d+$/, t('licenses.periodRequired')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { period: String(l.period) } });
  const { run, failure } = useSubmit(form, ['period'], onClose);
  // One key per dialog: a double submit renews once.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const submit = form.handleSubmit(({ period }) =>
    run(
      () => unwrap(client.POST('/api/v1/licenses/{id}/renew', { params: { path: { id: String(l.id) }, header: { 'idempotency-key': idempotencyKey } }, body: { period: Number(period) } })),
      t('licenses.renewAsked', { name: l.licenseName }),
    ),
  );
  return (
    <form onSubmit={submit} noValidate aria-label={t('licenses.renewForm')}>
      <Stack gap="sm">
        <Text size="sm">{intro ?? t('licenses.renewIntro', { date: l.expiresAt ? f.date(l.expiresAt) : '—' })}</Text>
        <NativeSelect
          label={`${t('licenses.period')} *`}
          data-autofocus
          data={periods.map((p) => ({ value: String(p.period), label: `${periodLabel(p.period)} — ${f.money(p.price, l.currency)}` }))}
          {...form.register('period')}
          {...fieldError(form.formState.errors.period?.message)}
        />
        <FormEnd failure={failure} submitLabel={t('licenses.renew')} busy={form.formState.isSubmitting} onClose={onClose} />
      </Stack>
    </form>
  );
}

export function ParamsForm({ license: l, onClose }: { license: License; onClose: () => void }) {
  const { t } = useTranslation();
  const schema = useMemo(
    () =>
      z.object({
        ip: z.string().trim().regex(/^\d{1,3}(\.\d{1,3}){3}$/, t('licenses.ipInvalid')),
        licenseName: z
          .string()
          .trim()
          .min(1, t('licenses.nameRequired'))
          .max(100, t('forms.tooLong', { max: 100 }))
          .regex(/^[\p{L}\p{N} ._\-@]+$/u, t('licenses.nameInvalid')),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { ip: l.ip, licenseName: l.licenseName } });
  const { run, failure } = useSubmit(form, ['ip', 'licenseName'], onClose);
  const [unchanged, setUnchanged] = useState(false);
  const submit = form.handleSubmit(({ ip, licenseName }) => {
    const body = { ...(ip !== l.ip ? { ip } : {}), ...(licenseName !== l.licenseName ? { licenseName } : {}) };
    if (!Object.keys(body).length) {
      setUnchanged(true);
      return;
    }
    return run(() => unwrap(client.PATCH('/api/v1/licenses/{id}', { params: { path: { id: String(l.id) } }, body })), t('licenses.paramsAsked', { name: l.licenseName }));
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('licenses.paramsForm')}>
      <Stack gap="sm">
        <Text size="sm">{t('licenses.paramsIntro')}</Text>
        <TextInput label={`${t('licenses.ip')} *`} autoComplete="off" inputMode="decimal" data-autofocus {...form.register('ip')} {...fieldError(form.formState.errors.ip?.message)} />
        <TextInput label={`${t('common.name')} *`} autoComplete="off" {...form.register('licenseName')} {...fieldError(form.formState.errors.licenseName?.message)} />
        {unchanged && <Text size="sm" role="status">{t('licenses.nothingChanged')}</Text>}
        <FormEnd failure={failure} submitLabel={t('licenses.save')} busy={form.formState.isSubmitting} onClose={onClose} />
      </Stack>
    </form>
  );
}

/** choices is undefined while they are being read. */
export function TariffForm({ license: l, choices, onClose }: { license: License; choices: readonly TariffChoice[] | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const schema = useMemo(() => z.object({ tariffId: z.string().regex(/^\d+$/, t('licenses.tariffRequired')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { tariffId: '' } });
  const chosen = Number(form.watch('tariffId')) || null;
  const preview = useQuery({
    queryKey: [...keys.license(l.id), 'change-tariff', chosen],
    queryFn: () => unwrap(client.GET('/api/v1/licenses/{id}/change-tariff', { params: { path: { id: String(l.id) }, query: { tariffId: chosen! } } })),
    enabled: chosen !== null,
  });
  const describe = useDescribeError();
  const { run, failure } = useSubmit(form, ['tariffId'], onClose);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const submit = form.handleSubmit(({ tariffId }) =>
    run(
      () =>
        unwrap(client.POST('/api/v1/licenses/{id}/change-tariff', { params: { path: { id: String(l.id) }, header: { 'idempotency-key': idempotencyKey } }, body: { tariffId: Number(tariffId) } })),
      t('licenses.tariffAsked', { name: l.licenseName }),
    ),
  );
  let shown: ReactNode = null;
  if (chosen !== null && preview.isPending) shown = <Loading />;
  else if (preview.error) shown = <Alert color="red" variant="light">{describe(preview.error, { withCode: true })}</Alert>;
  else if (preview.data)
    shown = (
      <Paper withBorder p="sm" className="price-difference" aria-live="polite">
        <dl className="facts-inline">
          <dt>{t('licenses.currentPrice')}</dt>
          <dd>{f.money(preview.data.currentPrice, preview.data.currency)}</dd>
          <dt>{t('licenses.newPrice')}</dt>
          <dd>{f.money(preview.data.newPrice, preview.data.currency)}</dd>
          <dt>{t('licenses.toPayNow')}</dt>
          <dd>
            <strong>{f.money(preview.data.difference, preview.data.currency)}</strong>
          </dd>
        </dl>
        <Text size="sm" c="dimmed">
          {t('licenses.differenceRule', { days: preview.data.daysLeft, period: preview.data.periodDays })}
        </Text>
      </Paper>
    );
  return (
    <form onSubmit={submit} noValidate aria-label={t('licenses.tariffForm')}>
      <Stack gap="sm">
        <NativeSelect
          label={`${t('licenses.newTariff')} *`}
          data-autofocus
          data={[{ value: '', label: t('common.choose') }, ...(choices ?? []).map((x) => ({ value: String(x.id), label: x.displayName }))]}
          {...form.register('tariffId')}
          {...fieldError(form.formState.errors.tariffId?.message)}
        />
        {choices?.length === 0 && <Text size="sm">{t('licenses.noOtherTariff')}</Text>}
        {shown}
        <FormEnd failure={failure} submitLabel={t('licenses.confirmTariff')} busy={form.formState.isSubmitting} onClose={onClose} disabled={!preview.data} />
      </Stack>
    </form>
  );
}
