// Products → Tariff plans: the list (search, filters in the URL, paging), the row actions (move, enable or
// disable, sync) and the import from a processing module's price list, whose prices, upstream costs and
// margins are shown side by side before anything is stored.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, NativeSelect, Pagination, Radio, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { client, unwrap } from '../api/client';
import { notifyDone, useAct } from '../api/queries';
import type { paths } from '../api/schema';
import { useCan } from '../auth';
import { AppLink, DataTable, fieldError, Loading, Money, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';
import { showUnderField, useDescribeError } from '../errors';
import { useFormat } from '../format';
import { z } from '../zod';
import { modulesQuery } from './ProcessingModules';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Tariff = Json<paths['/api/v1/tariffs/{id}']['get']['responses'][200]>;
export type TariffPeriod = Tariff['periods'][number];
type Preview = Json<paths['/api/v1/tariffs/import/preview']['post']['responses'][200]>;
type ImportBody = NonNullable<paths['/api/v1/tariffs/import']['post']['requestBody']>['content']['application/json'];
type Provider = Json<paths['/api/v1/providers']['get']['responses'][200]>['items'][number];

const PER_PAGE = 50;
export const TRIAL = -100;
/** A decimal amount as the API takes it. */
export const AMOUNT = /^\d{1,12}(\.\d{1,3})?$/;

export const providersQuery = {
  queryKey: ['providers', 'all'] as const,
  queryFn: () => unwrap(client.GET('/api/v1/providers', { params: { query: { perPage: 500 } } })),
};

/** "1 month", "12 months", "Trial". */
export function usePeriodLabel() {
  const { t } = useTranslation();
  return (period: number) => (period === TRIAL ? t('tariffs.trial') : t('licenses.months', { count: period }));
}

/** A margin: red and marked "loss" when negative, so it is seen without reading the number. */
export function Margin({ margin, currency, negative }: { margin: string | null; currency: string; negative: boolean }) {
  const { t } = useTranslation();
  if (margin === null) return <span className="muted">{t('tariffs.notSoldUpstream')}</span>;
  return (
    <span className={negative ? 'loss' : undefined}>
      <Money amount={margin} currency={currency} />
      {negative && <> ({t('tariffs.loss')})</>}
    </span>
  );
}

/** Each period on its own line: price, upstream cost and margin. */
function PeriodLines({ tariff }: { tariff: Tariff }) {
  const { t } = useTranslation();
  const label = usePeriodLabel();
  return (
    <ul className="period-lines">
      {tariff.periods.map((p) => (
        <li key={p.period} className={p.enabled ? undefined : 'muted'}>
          <strong>{label(p.period)}</strong>: <Money amount={p.price} currency={tariff.currency} />
          {' · '}
          {t('tariffs.costShort')} <Money amount={p.upstreamCost} currency={tariff.currency} />
          {' · '}
          {t('tariffs.marginShort')} <Margin margin={p.margin} currency={tariff.currency} negative={p.marginNegative} />
          {!p.enabled && <> ({t('tariffs.periodOff')})</>}
        </li>
      ))}
    </ul>
  );
}

export function TariffsPage() {
  const { t } = useTranslation();
  const canChange = useCan('tariffs.change');
  const filters = useUrlFilters(['search', 'module', 'status'] as const);
  const { page } = filters;
  const { search, module: moduleId, status } = filters.values;
  const [typed, setTyped] = useState(search);
  const [debounced] = useDebouncedValue(typed, 300);
  const [importing, setImporting] = useState(false);

  const setFilter = (key: keyof typeof filters.values, value: string) => filters.set({ [key]: value });
  useEffect(() => {
    if (debounced.trim() !== search) setFilter('search', debounced.trim());
  }, [debounced]);

  const query: { page: number; perPage: number; search?: string; processingModuleId?: number; status?: 'enabled' | 'disabled' } = {
    page,
    perPage: PER_PAGE,
    ...(search ? { search } : {}),
    ...(moduleId ? { processingModuleId: Number(moduleId) } : {}),
    ...(status === 'enabled' || status === 'disabled' ? { status } : {}),
  };
  const { data: list, error } = useQuery({
    queryKey: ['tariffs', query],
    queryFn: () => unwrap(client.GET('/api/v1/tariffs', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const modules = useQuery(modulesQuery);
  const moduleName = new Map((modules.data?.items ?? []).map((m) => [m.id, m.displayName]));
  const act = useAct();
  const lastPage = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;
  const filtered = Boolean(search || moduleId || status);

  const columns: Column<Tariff>[] = [
    { key: 'sort', title: t('common.sort'), cell: (x) => x.sort, className: 'num' },
    { key: 'name', title: t('common.name'), cell: (x) => <AppLink to={`/tariffs/${x.id}`}>{x.displayName}</AppLink> },
    {
      key: 'upstream',
      title: t('tariffs.upstreamTariff'),
      cell: (x) => (
        <>
          {x.upstreamName} <span className="muted">({x.upstreamTariffId})</span>
        </>
      ),
    },
    { key: 'periods', title: t('tariffs.periods'), cell: (x) => <PeriodLines tariff={x} />, className: 'periods' },
    { key: 'modules', title: t('tariffs.modules'), cell: (x) => x.processingModuleIds.map((id) => moduleName.get(id) ?? `#${id}`).join(', ') },
    { key: 'status', title: t('common.status'), cell: (x) => <StatusBadge status={x.status} /> },
  ];
  if (canChange)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions stacked',
      cell: (x) => {
        const path = { params: { path: { id: String(x.id) } } };
        const i = (page - 1) * PER_PAGE + (list?.items.indexOf(x) ?? 0);
        const move = (direction: 'up' | 'down') => act.mutate({ run: () => unwrap(client.POST('/api/v1/tariffs/{id}/move', { ...path, body: { direction } })) });
        const enabled = x.status === 'enabled';
        return (
          <RowActions>
            {!filtered && (
              <>
                <Button size="compact-sm" variant="default" title={t('common.moveUp')} aria-label={t('common.moveUpNamed', { name: x.displayName })} disabled={act.isPending || i === 0} onClick={() => move('up')}>
                  ▲
                </Button>
                <Button
                  size="compact-sm"
                  variant="default"
                  title={t('common.moveDown')}
                  aria-label={t('common.moveDownNamed', { name: x.displayName })}
                  disabled={act.isPending || i === (list?.total ?? 0) - 1}
                  onClick={() => move('down')}
                >
                  ▼
                </Button>
              </>
            )}
            <Button
              size="compact-sm"
              variant="default"
              aria-label={t(enabled ? 'tariffs.disableNamed' : 'tariffs.enableNamed', { name: x.displayName })}
              disabled={act.isPending}
              onClick={() =>
                act.mutate({
                  run: () => unwrap(enabled ? client.POST('/api/v1/tariffs/{id}/disable', path) : client.POST('/api/v1/tariffs/{id}/enable', path)),
                  done: t(enabled ? 'tariffs.disabledNotice' : 'tariffs.enabledNotice', { name: x.displayName }),
                })
              }
            >
              {enabled ? t('modules.disable') : t('modules.enable')}
            </Button>
            <SyncButton tariff={x} />
          </RowActions>
        );
      },
    });

  return (
    <>
      <PageTitle>{t('menu.items.tariffs')}</PageTitle>
      <Group className="toolbar" wrap="wrap">
        <TextInput className="filter" label={t('tariffs.search')} placeholder={t('tariffs.searchPlaceholder')} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} type="search" />
        <NativeSelect
          className="filter"
          label={t('tariffs.module')}
          value={moduleId}
          data={[{ value: '', label: t('common.all') }, ...(modules.data?.items ?? []).map((m) => ({ value: String(m.id), label: m.displayName }))]}
          onChange={(e) => setFilter('module', e.currentTarget.value)}
        />
        <NativeSelect
          className="filter"
          label={t('common.status')}
          value={status}
          data={[
            { value: '', label: t('common.all') },
            { value: 'enabled', label: t('status.enabled') },
            { value: 'disabled', label: t('status.disabled') },
          ]}
          onChange={(e) => setFilter('status', e.currentTarget.value)}
        />
        {canChange && <Button onClick={() => setImporting(true)}>{t('tariffs.import')}</Button>}
      </Group>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.tariffs')}
        columns={columns}
        rows={list?.items ?? (error ? [] : undefined)}
        empty={filtered ? t('tariffs.noneFound') : canChange ? t('tariffs.emptyAdmin') : t('tariffs.empty')}
      />
      {list && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={filters.setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('tariffs.count', { count: list.total })}
          </Text>
        </Group>
      )}
      <Modal opened={importing} onClose={() => setImporting(false)} title={t('tariffs.importTitle')} size="lg">
        {importing && <ImportForm onClose={() => setImporting(false)} />}
      </Modal>
    </>
  );
}

/** Re-reads the upstream costs; what changed and what to look at comes back in the notification. */
export function SyncButton({ tariff, variant = 'compact' }: { tariff: Tariff; variant?: 'compact' | 'full' }) {
  const { t } = useTranslation();
  const act = useAct();
  const label = usePeriodLabel();
  return (
    <Button
      size={variant === 'compact' ? 'compact-sm' : 'sm'}
      variant="default"
      aria-label={t('tariffs.syncNamed', { name: tariff.displayName })}
      loading={act.isPending}
      onClick={() =>
        act.mutate({
          run: async () => {
            const synced = await unwrap(client.POST('/api/v1/tariffs/{id}/sync', { params: { path: { id: String(tariff.id) } } }));
            const changes = synced.changes.map((c) => `${label(c.upstreamPeriod)}: ${c.before ?? '—'} → ${c.after ?? '—'}`);
            notifyDone(
              [changes.length ? t('tariffs.syncedChanged', { name: tariff.displayName, changes: changes.join('; ') }) : t('tariffs.syncedSame', { name: tariff.displayName }), ...synced.warnings].join(' '),
            );
          },
        })
      }
    >
      {t('tariffs.sync')}
    </Button>
  );
}

/**
 * Import: provider, module, upstream tariff, then a markup or explicit prices. The API's preview shows each
 * period's price, upstream cost and margin as typed; a loss is flagged, and the tariff imports disabled.
 */
function ImportForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const label = usePeriodLabel();
  const [failure, setFailure] = useState<string | null>(null);
  const providers = useQuery(providersQuery);
  const modules = useQuery(modulesQuery);
  const upstreamModules = (modules.data?.items ?? []).filter((m) => m.moduleType !== 'manual');

  const schema = useMemo(
    () =>
      z
        .object({
          providerId: z.string().regex(/^\d+$/, t('tariffs.providerRequired')),
          processingModuleId: z.string().regex(/^\d+$/, t('tariffs.moduleRequired')),
          upstreamTariffId: z.string().min(1, t('tariffs.upstreamRequired')),
          mode: z.enum(['markup', 'prices']),
          markupPercent: z.string().trim(),
          prices: z.record(z.string(), z.string().trim()),
        })
        .superRefine((v, ctx) => {
          if (v.mode === 'markup' && !/^\d{1,5}(\.\d{1,2})?$/.test(v.markupPercent)) {
            ctx.addIssue({ code: 'custom', path: ['markupPercent'], message: t('tariffs.markupInvalid') });
          }
          if (v.mode === 'prices') {
            const given = Object.entries(v.prices).filter(([, price]) => price !== '');
            for (const [period, price] of given) if (!AMOUNT.test(price)) ctx.addIssue({ code: 'custom', path: ['prices', period], message: t('tariffs.priceInvalid') });
            if (!given.length) ctx.addIssue({ code: 'custom', path: ['markupPercent'], message: t('tariffs.pricesRequired') });
          }
        }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { providerId: '', processingModuleId: '', upstreamTariffId: '', mode: 'markup', markupPercent: '20', prices: {} },
  });
  const values = useWatch({ control: form.control }) as Values;

  // The one provider or module there is is chosen already.
  useEffect(() => {
    const only = providers.data?.items.length === 1 ? providers.data.items[0] : providers.data?.items.find((p) => p.isDefault);
    if (only && !form.getValues('providerId')) form.setValue('providerId', String(only.id));
  }, [providers.data]);
  useEffect(() => {
    if (upstreamModules.length === 1 && !form.getValues('processingModuleId')) form.setValue('processingModuleId', String(upstreamModules[0]!.id));
  }, [modules.data]);

  const priceList = useQuery({
    queryKey: ['processing-modules', Number(values.processingModuleId), 'pricelist'],
    queryFn: () => unwrap(client.GET('/api/v1/processing-modules/{id}/pricelist', { params: { path: { id: values.processingModuleId! } } })),
    enabled: /^\d+$/.test(values.processingModuleId ?? ''),
    staleTime: 60_000,
  });
  const upstream = priceList.data?.items.find((x) => x.id === values.upstreamTariffId);
  const provider: Provider | undefined = providers.data?.items.find((p) => String(p.id) === values.providerId);

  /** The request body for what is typed, or null while something is missing or malformed. */
  const body = useMemo((): ImportBody | null => {
    const parsed = schema.safeParse(values);
    if (!parsed.success) return null;
    const v = parsed.data;
    const base = { providerId: Number(v.providerId), processingModuleId: Number(v.processingModuleId), upstreamTariffId: v.upstreamTariffId, productType: 'licenses' as const };
    if (v.mode === 'markup') return { ...base, markupPercent: v.markupPercent };
    const prices = Object.entries(v.prices)
      .filter(([, price]) => price !== '')
      .map(([period, price]) => ({ period: Number(period), price }));
    return { ...base, prices };
  }, [values, schema]);
  const [asked] = useDebouncedValue(body, 350);
  const preview = useQuery({
    queryKey: ['tariffs', 'preview', asked],
    queryFn: () => unwrap(client.POST('/api/v1/tariffs/import/preview', { body: asked! })),
    enabled: asked !== null,
    retry: false,
    staleTime: 30_000,
  });
  const current = body !== null && JSON.stringify(body) === JSON.stringify(asked) && preview.data && !preview.isFetching;
  const fields = ['providerId', 'processingModuleId', 'upstreamTariffId', 'markupPercent'];

  const submit = form.handleSubmit(async () => {
    if (!body) return;
    setFailure(null);
    try {
      const created = await unwrap(client.POST('/api/v1/tariffs/import', { body }));
      notifyDone(t('tariffs.imported', { name: created.displayName }));
      onClose();
      navigate(`/tariffs/${created.id}`);
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tariffs'] });
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('tariffs.importTitle')}>
      <Stack gap="sm">
        <QueryError error={providers.error ?? modules.error} />
        <NativeSelect
          label={`${t('tariffs.provider')} *`}
          description={t('tariffs.providerHint')}
          data={[{ value: '', label: t('common.choose') }, ...(providers.data?.items ?? []).map((p) => ({ value: String(p.id), label: `${p.name} (${p.currency})` }))]}
          {...form.register('providerId')}
          {...fieldError(form.formState.errors.providerId?.message)}
        />
        <NativeSelect
          label={`${t('tariffs.module')} *`}
          data={[{ value: '', label: t('common.choose') }, ...upstreamModules.map((m) => ({ value: String(m.id), label: m.displayName }))]}
          {...form.register('processingModuleId', { onChange: () => form.setValue('upstreamTariffId', '') })}
          {...fieldError(form.formState.errors.processingModuleId?.message)}
        />
        {modules.data && upstreamModules.length === 0 && <Text size="sm">{t('tariffs.noUpstreamModules')}</Text>}
        {priceList.isFetching && <Loading />}
        <QueryError error={priceList.error} />
        {priceList.data && (
          <Radio.Group
            label={`${t('tariffs.upstreamTariff')} *`}
            value={values.upstreamTariffId ?? ''}
            onChange={(v) => form.setValue('upstreamTariffId', v, { shouldValidate: true })}
            {...fieldError(form.formState.errors.upstreamTariffId?.message)}
          >
            <Stack gap={6} mt={4}>
              {priceList.data.items.map((x) => (
                <Radio
                  key={x.id}
                  value={x.id}
                  name="upstreamTariffId"
                  label={`${x.name} (${x.id})`}
                  description={x.periods.map((p) => `${label(p.months)}: ${p.cost} ${x.currency}`).join(' · ')}
                />
              ))}
            </Stack>
          </Radio.Group>
        )}
        {upstream && (
          <>
            <Radio.Group label={t('tariffs.pricing')} value={values.mode ?? 'markup'} onChange={(v) => form.setValue('mode', v as 'markup' | 'prices', { shouldValidate: form.formState.isSubmitted })}>
              <Group gap="lg" mt={4}>
                <Radio value="markup" name="mode" label={t('tariffs.byMarkup')} />
                <Radio value="prices" name="mode" label={t('tariffs.byPrices')} />
              </Group>
            </Radio.Group>
            {values.mode === 'markup' ? (
              <TextInput label={t('tariffs.markupPercent')} description={t('tariffs.markupHint')} inputMode="decimal" {...form.register('markupPercent')} {...fieldError(form.formState.errors.markupPercent?.message)} />
            ) : (
              <Stack gap={6}>
                <Text size="sm">{t('tariffs.pricesHint', { currency: upstream.currency })}</Text>
                {fieldError(form.formState.errors.markupPercent?.message).error && (
                  <Text size="sm" c="red.9" role="alert">
                    {form.formState.errors.markupPercent?.message}
                  </Text>
                )}
                {upstream.periods
                  .filter((p) => p.months > 0)
                  .map((p) => (
                    <TextInput
                      key={p.months}
                      label={t('tariffs.priceFor', { period: label(p.months), currency: upstream.currency })}
                      description={t('tariffs.costIs', { cost: `${p.cost} ${upstream.currency}` })}
                      inputMode="decimal"
                      {...form.register(`prices.${p.months}`)}
                      {...fieldError((form.formState.errors.prices as Record<string, { message?: string }> | undefined)?.[String(p.months)]?.message)}
                    />
                  ))}
              </Stack>
            )}
          </>
        )}
        {provider && upstream && provider.currency !== upstream.currency && (
          <Alert color="orange" variant="light">
            {t('tariffs.currencyDiffers', { provider: provider.name, providerCurrency: provider.currency, upstreamCurrency: upstream.currency })}
          </Alert>
        )}
        {preview.error && body && <QueryError error={preview.error} />}
        {preview.data && body && <PreviewTable preview={preview.data} />}
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={!current} loading={form.formState.isSubmitting}>
            {t('tariffs.importSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Price, upstream cost and margin per period, as the import would store them. */
function PreviewTable({ preview }: { preview: Preview }) {
  const { t } = useTranslation();
  const f = useFormat();
  const label = usePeriodLabel();
  const losses = preview.periods.filter((p) => p.enabled && p.marginNegative);
  return (
    <section aria-label={t('tariffs.previewTitle')}>
      <Text fw={600} size="sm" mb={4}>
        {t('tariffs.previewTitle')}
      </Text>
      <div className="table-scroll">
        <Table aria-label={t('tariffs.previewTitle')} className="data-table" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('tariffs.period')}</Table.Th>
              <Table.Th scope="col" className="money">
                {t('tariffs.upstreamCost')}
              </Table.Th>
              <Table.Th scope="col" className="money">
                {t('tariffs.ourPrice')}
              </Table.Th>
              <Table.Th scope="col" className="money">
                {t('tariffs.margin')}
              </Table.Th>
              <Table.Th scope="col">{t('tariffs.onSale')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.periods.map((p) => (
              <Table.Tr key={p.period} className={p.marginNegative ? 'loss-row' : undefined}>
                <Table.Td>{label(p.period)}</Table.Td>
                <Table.Td className="money">{p.upstreamCost === null ? '—' : f.money(p.upstreamCost, preview.currency)}</Table.Td>
                <Table.Td className="money">{f.money(p.price, preview.currency)}</Table.Td>
                <Table.Td className="money">
                  <Margin margin={p.margin} currency={preview.currency} negative={p.marginNegative} />
                </Table.Td>
                <Table.Td>{p.enabled ? t('common.yes') : t('common.no')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      {losses.length > 0 && (
        <Alert color="red" variant="light" mt="xs" role="alert">
          {t('tariffs.lossWarning', { periods: losses.map((p) => label(p.period)).join(', ') })}
        </Alert>
      )}
    </section>
  );
}
