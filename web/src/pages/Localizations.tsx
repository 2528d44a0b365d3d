import { Code } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys } from '../api/queries';
import type { Localization } from '../api/types';
import { DataTable, PageTitle, QueryError, type Column } from '../components/ui';

export const localizationsQuery = {
  queryKey: keys.localizations,
  queryFn: () => unwrap(client.GET('/api/v1/localizations')),
};

export function LocalizationsPage() {
  const { t } = useTranslation();
  const { data, error } = useQuery(localizationsQuery);
  const rows = data?.items.map((l) => ({ ...l, id: l.code }));
  const columns: Column<Localization & { id: string }>[] = [
    { key: 'code', title: t('localizations.code'), cell: (l) => <Code>{l.code}</Code> },
    { key: 'name', title: t('localizations.name'), cell: (l) => l.name },
    { key: 'enabled', title: t('localizations.enabled'), cell: (l) => (l.enabled ? t('common.yes') : t('common.no')) },
    { key: 'default', title: t('localizations.default'), cell: (l) => (l.isDefault ? t('localizations.isDefault') : '') },
  ];
  return (
    <>
      <PageTitle>{t('menu.items.localizations')}</PageTitle>
      <QueryError error={error} />
      <DataTable label={t('menu.items.localizations')} columns={columns} rows={error ? [] : rows} empty={t('localizations.empty')} />
    </>
  );
}
