import { Paper, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { keys, POLL } from '../api/queries';
import type { Operation } from '../api/types';
import { Crumbs, Facts } from '../components/Details';
import { AppLink, dash, DataTable, Day, Instant, Loading, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';
import { LicenseKey } from './Licenses';

export function LicensePage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const { data: l, error } = useQuery({
    queryKey: keys.license(id),
    queryFn: () => unwrap(client.GET('/api/v1/licenses/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: POLL.licenses,
  });
  const operations = useQuery({
    queryKey: [...keys.license(id), 'operations'],
    queryFn: () => unwrap(client.GET('/api/v1/operations', { params: { query: { licenseId: id, perPage: 100 } } })),
    refetchInterval: POLL.operations,
  });
  const columns: Column<Operation>[] = [
    { key: 'id', title: t('operations.id'), cell: (o) => <AppLink to={`/operations/${o.id}`}>{o.id}</AppLink>, className: 'num' },
    { key: 'kind', title: t('operations.kind'), cell: (o) => t(`kinds.${o.kind}` as never, { defaultValue: o.kind }) },
    { key: 'status', title: t('common.status'), cell: (o) => <StatusBadge status={o.status} /> },
    { key: 'updated', title: t('operations.updated'), cell: (o) => <Instant iso={o.updatedAt} /> },
    { key: 'error', title: t('operations.lastError'), cell: (o) => o.lastError ?? dash },
  ];
  return (
    <>
      <Crumbs trail={[[t('menu.items.licenses'), '/licenses']]} />
      <PageTitle>{l ? l.licenseName : t('licenses.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!l && !error && <Loading />}
      {l && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('common.status'), <StatusBadge key="s" status={l.status} />],
              [t('licenses.ip'), <code key="ip">{l.ip}</code>],
              [t('licenses.key'), <LicenseKey key="k" value={l.licenseKey} />],
              [t('licenses.expires'), <Day key="e" day={l.expiresAt} />],
              [t('licenses.autoRenew'), l.autoRenew ? t('common.yes') : t('common.no')],
              [t('licenses.price'), <Money key="p" amount={l.price} currency={l.currency} />],
              [t('licenses.period'), t('licenses.months', { count: l.period })],
              [t('licenses.client'), `#${l.clientId}`],
              [t('licenses.created'), <Instant key="c" iso={l.createdAt} />],
            ]}
          />
        </Paper>
      )}
      <Title order={2} mt="lg">
        {t('licenses.operations')}
      </Title>
      <QueryError error={operations.error} />
      <DataTable label={t('licenses.operations')} columns={columns} rows={operations.data?.items ?? (operations.error ? [] : undefined)} empty={t('operations.empty')} />
    </>
  );
}
