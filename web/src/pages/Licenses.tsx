// Services → Licenses: every license with its client, tariff, period, status and expiry; search by name,
// IP, key or client, filters by status, tariff, module and "expiring within N days", paged. Read again
// every few seconds while a license on the page is being processed.
import { ActionIcon, Button, CopyButton, Group, NativeSelect, Pagination, Text, TextInput, Tooltip } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, POLL } from '../api/queries';
import type { License } from '../api/types';
import { AppLink, dash, DataTable, Day, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';

const PER_PAGE = 50;
const STATUSES = ['processing', 'active', 'suspended', 'deleted'] as const;
const EXPIRING = ['7', '14', '30', '60'];

/** A license key with a button that copies it. */
export function LicenseKey({ value }: { value: string | null }) {
  const { t } = useTranslation();
  if (!value) return dash;
  return (
    <span className="license-key">
      <code>{value}</code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t('common.copied') : t('common.copy')} withArrow>
            <ActionIcon variant="subtle" size="sm" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={t('licenses.copyKey')}>
              <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
                <rect x="9" y="9" width="12" height="12" rx="2" />
                <path d="M5 15V5a2 2 0 0 1 2-2h10" />
              </svg>
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </span>
  );
}

/** A license whose state still moves by itself: shown pages are polled while one is. */
export function moving(l: Pick<License, 'status' | 'pendingOperations'>): boolean {
  return l.status === 'processing' || l.pendingOperations.length > 0;
}

/** Tariff plans by id, for their names (in the UI's language) and periods. */
export function useTariffs() {
  return useQuery({
    queryKey: ['tariffs', 'all'],
    queryFn: () => unwrap(client.GET('/api/v1/tariffs', { params: { query: { perPage: 500 } } })),
    staleTime: 60_000,
  });
}

/** The period in words: months, or a trial. */
export function usePeriodLabel() {
  const { t } = useTranslation();
  return (period: number) => (period < 0 ? t('licenses.trial') : t('licenses.months', { count: period }));
}

export function LicensesPage() {
  const { t } = useTranslation();
  const periodLabel = usePeriodLabel();
  const filters = useUrlFilters(['q', 'status', 'tariff', 'module', 'expiring'] as const);
  const { page, setPage } = filters;
  const { q } = filters.values;
  const status = STATUSES.find((s) => s === filters.values.status);
  const tariffId = Number(filters.values.tariff) || undefined;
  const moduleId = Number(filters.values.module) || undefined;
  const expiring = EXPIRING.includes(filters.values.expiring) ? Number(filters.values.expiring) : undefined;
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const setFilter = (name: keyof typeof filters.values, value: string) => filters.set({ [name]: value });
  const query = { page, perPage: PER_PAGE, ...(q ? { q } : {}), ...(status ? { status } : {}), ...(tariffId ? { tariffId } : {}), ...(moduleId ? { moduleId } : {}), ...(expiring !== undefined ? { expiringWithinDays: expiring } : {}) };
  const { data, error } = useQuery({
    queryKey: [...keys.licenses, query],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: (current) => (current.state.data?.items.some(moving) ? POLL.licenses : false),
  });
  const tariffs = useTariffs();
  const modules = useQuery({
    queryKey: [...keys.modules, 'all'],
    queryFn: () => unwrap(client.GET('/api/v1/processing-modules', { params: { query: { perPage: 500 } } })),
    staleTime: 60_000,
  });
  const tariffName = (id: number) => tariffs.data?.items.find((x) => x.id === id)?.displayName ?? `#${id}`;
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;

  const columns: Column<License>[] = [
    { key: 'name', title: t('common.name'), cell: (l) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'client', title: t('licenses.client'), cell: (l) => l.clientName || `#${l.clientId}` },
    { key: 'tariff', title: t('licenses.tariff'), cell: (l) => tariffName(l.tariffId) },
    { key: 'period', title: t('licenses.period'), cell: (l) => periodLabel(l.period) },
    {
      key: 'status',
      title: t('common.status'),
      cell: (l) => (
        <>
          <StatusBadge status={l.status} />
          {l.pendingOperations.length > 0 && (
            <span className="muted">
              {' '}
              {t('licenses.pending', { count: l.pendingOperations.length })}
            </span>
          )}
        </>
      ),
    },
    { key: 'expires', title: t('licenses.expires'), cell: (l) => <Day day={l.expiresAt} /> },
    { key: 'ip', title: t('licenses.ip'), cell: (l) => <code>{l.ip}</code> },
    { key: 'key', title: t('licenses.key'), cell: (l) => <LicenseKey value={l.licenseKey} /> },
    { key: 'price', title: t('licenses.price'), cell: (l) => <Money amount={l.price} currency={l.currency} />, className: 'money' },
  ];

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setFilter('q', search.trim());
  };
  const filtered = Boolean(q || status || tariffId || moduleId || expiring !== undefined);

  return (
    <>
      <PageTitle>{t('menu.items.licenses')}</PageTitle>
      <form onSubmit={submitSearch} role="search" aria-label={t('licenses.searchForm')}>
        <Group className="toolbar" gap="sm">
          <TextInput className="filter" label={t('licenses.search')} placeholder={t('licenses.searchHint')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
          <Button type="submit" variant="default">
            {t('licenses.find')}
          </Button>
        </Group>
      </form>
      <Group className="toolbar" gap="sm" mt="xs" mb="sm">
        <NativeSelect
          label={t('common.status')}
          className="filter"
          value={status ?? ''}
          data={[{ value: '', label: t('common.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          onChange={(e) => setFilter('status', e.currentTarget.value)}
        />
        <NativeSelect
          label={t('licenses.tariff')}
          className="filter"
          value={tariffId ? String(tariffId) : ''}
          data={[{ value: '', label: t('common.all') }, ...(tariffs.data?.items ?? []).map((x) => ({ value: String(x.id), label: x.displayName }))]}
          onChange={(e) => setFilter('tariff', e.currentTarget.value)}
        />
        <NativeSelect
          label={t('licenses.module')}
          className="filter"
          value={moduleId ? String(moduleId) : ''}
          data={[{ value: '', label: t('common.all') }, ...(modules.data?.items ?? []).map((m) => ({ value: String(m.id), label: m.displayName }))]}
          onChange={(e) => setFilter('module', e.currentTarget.value)}
        />
        <NativeSelect
          label={t('licenses.expiring')}
          className="filter"
          value={expiring !== undefined ? String(expiring) : ''}
          data={[{ value: '', label: t('licenses.anyExpiry') }, ...EXPIRING.map((d) => ({ value: d, label: t('licenses.withinDays', { count: Number(d) }) }))]}
          onChange={(e) => setFilter('expiring', e.currentTarget.value)}
        />
      </Group>
      <QueryError error={error} />
      <DataTable label={t('menu.items.licenses')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={filtered ? t('licenses.noneFound') : t('licenses.empty')} />
      {data && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('licenses.count', { count: data.total })}
          </Text>
        </Group>
      )}
    </>
  );
}
