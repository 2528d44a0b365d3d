import { Button, Group, NativeSelect } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, client, unwrap } from '../api/client';
import { keys, notifyError, POLL, useAct } from '../api/queries';
import type { Task, TaskStatus } from '../api/types';
import { AbandonDialog, CompleteDialog, type OperationRef } from '../components/OperationDialogs';
import { AppLink, dash, DataTable, Instant, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';
import { useDescribeError } from '../errors';

const FILTERS = ['open', 'new', 'in_progress', 'done', 'all'] as const;
type Filter = (typeof FILTERS)[number];

export function TasksPage() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [params, setParams] = useSearchParams();
  const asked = params.get('status') as Filter | null;
  const filter: Filter = asked && FILTERS.includes(asked) ? asked : 'open';
  const { data, error } = useQuery({
    queryKey: keys.tasks(filter),
    queryFn: () => unwrap(client.GET('/api/v1/tasks', { params: { query: { perPage: 500, ...(filter === 'all' ? {} : { status: filter }) } } })),
    refetchInterval: POLL.tasks,
  });
  const act = useAct();
  const [completing, setCompleting] = useState<OperationRef | null>(null);
  const [abandoning, setAbandoning] = useState<OperationRef | null>(null);
  const [opening, setOpening] = useState(false);

  const setTaskStatus = (task: Task, status: TaskStatus, done: string) =>
    act.mutate({ run: () => unwrap(client.PATCH('/api/v1/tasks/{id}', { params: { path: { id: String(task.id) } }, body: { status } })), done });
  const restart = (task: Task) =>
    act.mutate({
      run: () => unwrap(client.POST('/api/v1/tasks/{id}/restart', { params: { path: { id: String(task.id) } } })),
      done: t('operations.restarted', { id: task.operationId }),
    });
  /** The task's operation as it is now: only a manual one can be recorded as done or given up. */
  const withManualOperation = async (task: Task, then: (o: OperationRef) => void) => {
    setOpening(true);
    try {
      const o = await unwrap(client.GET('/api/v1/operations/{id}', { params: { path: { id: String(task.operationId) } } }));
      if (o.status !== 'manual') throw new ApiError(409, 'conflict', t('tasks.notManual', { id: o.id, status: t(`status.${o.status}`) }));
      then(o);
    } catch (err) {
      notifyError(describe(err, { withCode: true }));
    } finally {
      setOpening(false);
    }
  };
  const busy = act.isPending || opening;

  const columns: Column<Task>[] = [
    { key: 'title', title: t('tasks.title'), cell: (task) => <span title={task.text}>{task.title}</span> },
    { key: 'type', title: t('tasks.type'), cell: (task) => t(`taskTypes.${task.type}` as never, { defaultValue: task.type }) },
    { key: 'status', title: t('common.status'), cell: (task) => <StatusBadge status={task.status} /> },
    {
      key: 'due',
      title: t('tasks.due'),
      cell: (task) => (
        <>
          <Instant iso={task.dueAt} />
          {task.overdue && <span className="overdue-label"> {t('tasks.overdue')}</span>}
        </>
      ),
    },
    { key: 'department', title: t('modules.department'), cell: (task) => task.department?.displayName ?? dash },
    { key: 'performer', title: t('tasks.performer'), cell: (task) => task.performer?.displayName ?? dash },
    {
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (task) =>
        task.status !== 'done' && (
          <RowActions>
            {task.status === 'new' && (
              <Button size="compact-sm" variant="default" aria-label={t('tasks.takeNamed', { id: task.id })} disabled={busy} onClick={() => setTaskStatus(task, 'in_progress', t('tasks.taken', { title: task.title }))}>
                {t('tasks.take')}
              </Button>
            )}
            {task.operationId !== null && (
              <>
                <AppLink to={`/operations/${task.operationId}`} aria-label={t('operations.one', { id: task.operationId })}>
                  #{task.operationId}
                </AppLink>
                <Button size="compact-sm" variant="default" aria-label={t('tasks.restartNamed', { id: task.id })} disabled={busy} onClick={() => restart(task)}>
                  {t('tasks.restart')}
                </Button>
                <Button size="compact-sm" variant="default" aria-label={t('tasks.completeNamed', { id: task.id })} disabled={busy} onClick={() => withManualOperation(task, setCompleting)}>
                  {t('operations.doneByHand')}
                </Button>
                <Button size="compact-sm" variant="outline" color="red" aria-label={t('tasks.abandonNamed', { id: task.id })} disabled={busy} onClick={() => withManualOperation(task, setAbandoning)}>
                  {t('tasks.abandon')}
                </Button>
              </>
            )}
            <Button size="compact-sm" variant="default" aria-label={t('tasks.doneNamed', { id: task.id })} disabled={busy} onClick={() => setTaskStatus(task, 'done', t('tasks.doneNotice', { title: task.title }))}>
              {t('tasks.done')}
            </Button>
          </RowActions>
        ),
    },
  ];

  return (
    <>
      <PageTitle>{t('menu.items.tasks')}</PageTitle>
      <Group className="toolbar">
        <NativeSelect
          label={t('tasks.show')}
          className="filter"
          value={filter}
          data={FILTERS.map((f) => ({ value: f, label: t(`tasks.filters.${f}`) }))}
          onChange={(e) => setParams(e.currentTarget.value === 'open' ? {} : { status: e.currentTarget.value })}
        />
      </Group>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.tasks')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('tasks.empty')}
        rowClass={(task) => (task.overdue ? 'overdue' : undefined)}
      />
      <CompleteDialog operation={completing} onClose={() => setCompleting(null)} />
      <AbandonDialog operation={abandoning} onClose={() => setAbandoning(null)} />
    </>
  );
}
