import { Button, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { client, unwrap } from '../api/client';
import { keys, useAct } from '../api/queries';
import type { ProcessingModule } from '../api/types';
import { useCan } from '../auth';
import { AppLink, dash, DataTable, Money, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';

export const modulesQuery = {
  queryKey: keys.modules,
  queryFn: () => unwrap(client.GET('/api/v1/processing-modules', { params: { query: { perPage: 500 } } })),
};

export function ProcessingModulesPage() {
  const { t } = useTranslation();
  const canEdit = useCan('processing-modules.change');
  const navigate = useNavigate();
  const { data, error } = useQuery(modulesQuery);
  const act = useAct();
  const items = data?.items;

  const columns: Column<ProcessingModule>[] = [
    { key: 'sort', title: t('common.sort'), cell: (m) => m.sort, className: 'num' },
    { key: 'name', title: t('common.name'), cell: (m) => <AppLink to={`/processing-modules/${m.id}`}>{m.displayName}</AppLink> },
    { key: 'type', title: t('modules.type'), cell: (m) => t(`modules.types.${m.moduleType}` as never, { defaultValue: m.moduleType }) },
    { key: 'status', title: t('common.status'), cell: (m) => <StatusBadge status={m.status} title={m.lastError?.message} /> },
    {
      key: 'balance',
      title: t('modules.balance'),
      cell: (m) => (
        <span className={m.balanceBelowMinimal ? 'low' : undefined}>
          <Money amount={m.balance} currency={m.currency} />
        </span>
      ),
      className: 'money',
    },
    { key: 'minimal', title: t('modules.minimalBalance'), cell: (m) => <Money amount={m.minimalBalance} currency={m.currency} />, className: 'money' },
    { key: 'datacenter', title: t('modules.datacenter'), cell: (m) => m.datacenter?.displayName ?? dash },
    { key: 'department', title: t('modules.department'), cell: (m) => m.department?.displayName ?? dash },
  ];
  if (canEdit)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (m) => {
        const i = items?.indexOf(m) ?? 0;
        const id = { params: { path: { id: String(m.id) } } };
        const move = (direction: 'up' | 'down') => act.mutate({ run: () => unwrap(client.POST('/api/v1/processing-modules/{id}/move', { ...id, body: { direction } })) });
        const toggle = () =>
          act.mutate({
            run: () => unwrap(m.enabled ? client.POST('/api/v1/processing-modules/{id}/disable', id) : client.POST('/api/v1/processing-modules/{id}/enable', id)),
            done: t(m.enabled ? 'modules.disabledNotice' : 'modules.enabledNotice', { name: m.displayName }),
          });
        return (
          <RowActions>
            <Button size="compact-sm" variant="default" title={t('common.moveUp')} aria-label={t('common.moveUpNamed', { name: m.displayName })} disabled={act.isPending || i === 0} onClick={() => move('up')}>
              ▲
            </Button>
            <Button
              size="compact-sm"
              variant="default"
              title={t('common.moveDown')}
              aria-label={t('common.moveDownNamed', { name: m.displayName })}
              disabled={act.isPending || i === (items?.length ?? 0) - 1}
              onClick={() => move('down')}
            >
              ▼
            </Button>
            <Button
              size="compact-sm"
              variant="default"
              aria-label={t(m.enabled ? 'modules.disableNamed' : 'modules.enableNamed', { name: m.displayName })}
              disabled={act.isPending}
              onClick={toggle}
            >
              {m.enabled ? t('modules.disable') : t('modules.enable')}
            </Button>
          </RowActions>
        );
      },
    });

  return (
    <>
      <PageTitle>{t('menu.items.processing-modules')}</PageTitle>
      <QueryError error={error} />
      {canEdit && (
        <Group className="toolbar">
          <Button onClick={() => navigate('/processing-modules/new')}>{t('common.add')}</Button>
        </Group>
      )}
      <DataTable
        label={t('menu.items.processing-modules')}
        columns={columns}
        rows={items ?? (error ? [] : undefined)}
        empty={<Text span>{canEdit ? t('modules.emptyAdmin') : t('modules.empty')}</Text>}
      />
    </>
  );
}
