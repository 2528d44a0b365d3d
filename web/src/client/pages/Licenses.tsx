// My licenses: each of the client's licenses with its IP, tariff, status, expiry and auto-renewal. Read again
// every few seconds while one is being set up or changed, so the status moves without a reload.
import { Button, Group, Pagination, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { client, unwrap } from '../../api/client';
import { keys, POLL } from '../../api/queries';
import type { License } from '../../api/types';
import { AppLink, DataTable, Day, PageTitle, QueryError, type Column } from '../../components/ui';
import { moving } from '../../pages/Licenses';
import { useCatalog } from '../account';
import { ClientLicenseStatus } from '../LicenseStatus';

const PER_PAGE = 50;

/** A tariff's name from the provider's catalog (in the UI's language), its number while unknown. */
export function useTariffName() {
  const catalog = useCatalog();
  return (id: number) => catalog.data?.items.find((x) => x.id === id)?.displayName ?? `#${id}`;
}

export function ClientLicensesPage() {
  const { t } = useTranslation();
  const tariffName = useTariffName();
  const [page, setPage] = useState(1);
  const query = { page, perPage: PER_PAGE };
  const { data, error } = useQuery({
    queryKey: [...keys.licenses, query],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: (current) => (current.state.data?.items.some(moving) ? POLL.licenses : false),
  });
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  const columns: Column<License>[] = [
    { key: 'name', title: t('common.name'), cell: (l) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'ip', title: t('licenses.ip'), cell: (l) => <code>{l.ip}</code> },
    { key: 'tariff', title: t('licenses.tariff'), cell: (l) => tariffName(l.tariffId) },
    { key: 'status', title: t('common.status'), cell: (l) => <ClientLicenseStatus license={l} /> },
    { key: 'expires', title: t('licenses.expires'), cell: (l) => <Day day={l.expiresAt} /> },
    { key: 'autoRenew', title: t('licenses.autoRenew'), cell: (l) => (l.autoRenew ? t('clientArea.licenses.autoRenewOn') : t('clientArea.licenses.autoRenewOff')) },
  ];
  return (
    <>
      <PageTitle>{t('clientArea.menu.licenses')}</PageTitle>
      <Group>
        <Button component={Link} to="/order" variant="default" size="sm">
          {t('clientArea.licenses.order')}
        </Button>
      </Group>
      <QueryError error={error} />
      <DataTable label={t('clientArea.menu.licenses')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('clientArea.licenses.empty')} />
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
