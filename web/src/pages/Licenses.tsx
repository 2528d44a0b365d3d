import { ActionIcon, CopyButton, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, POLL } from '../api/queries';
import type { License } from '../api/types';
import { AppLink, dash, DataTable, Day, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';

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

export function LicensesPage() {
  const { t } = useTranslation();
  const { data, error } = useQuery({
    queryKey: keys.licenses,
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query: { perPage: 500 } } })),
    refetchInterval: POLL.licenses,
  });
  const columns: Column<License>[] = [
    {
      key: 'status',
      title: t('common.status'),
      cell: (l) => (
        <>
          <StatusBadge status={l.status} />
          {l.pendingOperations.length > 0 && (
            <span className="muted" title={l.pendingOperations.map((o) => `#${o.id} ${o.kind}: ${o.status}`).join('\n')}>
              {' '}
              {t('licenses.pending', { count: l.pendingOperations.length })}
            </span>
          )}
        </>
      ),
    },
    { key: 'name', title: t('common.name'), cell: (l) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'ip', title: t('licenses.ip'), cell: (l) => <code>{l.ip}</code> },
    { key: 'key', title: t('licenses.key'), cell: (l) => <LicenseKey value={l.licenseKey} /> },
    { key: 'expires', title: t('licenses.expires'), cell: (l) => <Day day={l.expiresAt} /> },
    { key: 'autoRenew', title: t('licenses.autoRenew'), cell: (l) => (l.autoRenew ? t('common.yes') : t('common.no')) },
    { key: 'price', title: t('licenses.price'), cell: (l) => <Money amount={l.price} currency={l.currency} />, className: 'money' },
  ];
  return (
    <>
      <PageTitle>{t('menu.items.licenses')}</PageTitle>
      <QueryError error={error} />
      <DataTable label={t('menu.items.licenses')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('licenses.empty')} />
    </>
  );
}
