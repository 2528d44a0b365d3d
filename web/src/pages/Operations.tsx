import { Button, Group, NativeSelect } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, POLL, useAct } from '../api/queries';
import type { Operation, OperationStatus } from '../api/types';
import { useCan } from '../auth';
import { AbandonDialog, CompleteDialog, type OperationRef } from '../components/OperationDialogs';
import { AppLink, dash, DataTable, Instant, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';

const STATUSES: OperationStatus[] = ['manual', 'failed', 'pending', 'running', 'succeeded'];

export function OperationsPage() {
  const { t } = useTranslation();
  const filters = useUrlFilters(['status'] as const);
  const asked = filters.values.status as OperationStatus;
  const status = STATUSES.includes(asked) ? asked : undefined;
  const { data, error } = useQuery({
    queryKey: keys.operations(status ?? ''),
    queryFn: () => unwrap(client.GET('/api/v1/operations', { params: { query: { perPage: 200, ...(status ? { status } : {}) } } })),
    refetchInterval: POLL.operations,
  });
  const act = useAct();
  const canChange = useCan('operations.change');
  const [completing, setCompleting] = useState<OperationRef | null>(null);
  const [abandoning, setAbandoning] = useState<OperationRef | null>(null);

  const columns: Column<Operation>[] = [
    { key: 'id', title: t('operations.id'), cell: (o) => <AppLink to={`/operations/${o.id}`}>{o.id}</AppLink>, className: 'num' },
    { key: 'kind', title: t('operations.kind'), cell: (o) => t(`kinds.${o.kind}` as never, { defaultValue: o.kind }) },
    { key: 'status', title: t('common.status'), cell: (o) => <StatusBadge status={o.status} /> },
    { key: 'license', title: t('operations.license'), cell: (o) => <AppLink to={`/licenses/${o.licenseId}`}>#{o.licenseId}</AppLink> },
    { key: 'attempts', title: t('operations.attempts'), cell: (o) => o.attempts, className: 'num' },
    { key: 'updated', title: t('operations.updated'), cell: (o) => <Instant iso={o.updatedAt} /> },
    { key: 'error', title: t('operations.lastError'), cell: (o) => o.lastError ?? dash },
    ...(canChange
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            className: 'actions',
            cell: (o: Operation) => (
              <OperationActions operation={o} busy={act.isPending} onRestart={() => restart(o)} onComplete={() => setCompleting(o)} onAbandon={() => setAbandoning(o)} />
            ),
          },
        ]
      : []),
  ];
  const restart = (o: Operation) =>
    act.mutate({
      run: () => unwrap(client.POST('/api/v1/operations/{id}/restart', { params: { path: { id: String(o.id) } }, body: {} })),
      done: t('operations.restarted', { id: o.id }),
    });

  return (
    <>
      <PageTitle>{t('menu.items.operations')}</PageTitle>
      <Group className="toolbar">
        <NativeSelect
          label={t('common.status')}
          className="filter"
          value={status ?? ''}
          data={[{ value: '', label: t('common.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          onChange={(e) => filters.set({ status: e.currentTarget.value })}
        />
      </Group>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.operations')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('operations.empty')}
        rowClass={(o) => (o.status === 'manual' ? 'attention-row' : undefined)}
      />
      <CompleteDialog operation={completing} onClose={() => setCompleting(null)} />
      <AbandonDialog operation={abandoning} onClose={() => setAbandoning(null)} />
    </>
  );
}

/**
 * Restart, done by hand and abandon, only while the operation waits for a person (a failed one was ended for
 * good), and only to an employee with operations.change (the routes' right).
 */
export function OperationActions({
  operation: o,
  busy,
  onRestart,
  onComplete,
  onAbandon,
}: {
  operation: Pick<Operation, 'id' | 'status'>;
  busy: boolean;
  onRestart: () => void;
  onComplete: () => void;
  onAbandon: () => void;
}) {
  const { t } = useTranslation();
  const canChange = useCan('operations.change');
  if (o.status !== 'manual' || !canChange) return null;
  return (
    <RowActions>
      <Button size="compact-sm" variant="default" aria-label={t('operations.restartNamed', { id: o.id })} disabled={busy} onClick={onRestart}>
        {t('operations.restart')}
      </Button>
      <Button size="compact-sm" variant="default" aria-label={t('operations.completeNamed', { id: o.id })} disabled={busy} onClick={onComplete}>
        {t('operations.doneByHand')}
      </Button>
      <Button size="compact-sm" variant="outline" color="red" aria-label={t('operations.abandonNamed', { id: o.id })} disabled={busy} onClick={onAbandon}>
        {t('operations.abandonShort')}
      </Button>
    </RowActions>
  );
}
