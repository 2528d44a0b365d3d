import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, notifyDone, POLL, useAct } from '../api/queries';
import type { Task } from '../api/types';
import { useCan, useMe } from '../auth';
import { AbandonDialog, CompleteDialog, type OperationRef } from '../components/OperationDialogs';
import { AppLink, dash, DataTable, Instant, ItemDialog, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';

const FILTERS = ['open', 'new', 'in_progress', 'done', 'all'] as const;
type Filter = (typeof FILTERS)[number];

/** An operation in one of these has not ended: its task is done when it is (the API refuses Done before). */
const UNFINISHED = new Set(['pending', 'running', 'manual']);

export function TasksPage() {
  const { t } = useTranslation();
  const filters = useUrlFilters(['status'] as const);
  const asked = filters.values.status as Filter;
  const filter: Filter = FILTERS.includes(asked) ? asked : 'open';
  const { data, error } = useQuery({
    queryKey: keys.tasks(filter),
    queryFn: () => unwrap(client.GET('/api/v1/tasks', { params: { query: { perPage: 500, ...(filter === 'all' ? {} : { status: filter }) } } })),
    refetchInterval: POLL.tasks,
  });
  const me = useMe();
  // Taking, assigning, restarting and closing a task need tasks.change; what ends its operation (done by
  // hand, abandon) goes to the operation's routes, which need operations.change.
  const canChange = useCan('tasks.change');
  const canOperate = useCan('operations.change');
  // Assigning picks from the department's members, which only departments.read may list.
  const canReadDepartments = useCan('departments.read');
  const canAssign = canChange && canReadDepartments;
  const act = useAct();
  const [completing, setCompleting] = useState<OperationRef | null>(null);
  const [abandoning, setAbandoning] = useState<OperationRef | null>(null);
  const [assigning, setAssigning] = useState<Task | null>(null);

  const take = (task: Task) =>
    act.mutate({ run: () => unwrap(client.POST('/api/v1/tasks/{id}/take', { params: { path: { id: String(task.id) } } })), done: t('tasks.taken', { title: task.title }) });
  const done = (task: Task) =>
    act.mutate({
      run: () => unwrap(client.PATCH('/api/v1/tasks/{id}', { params: { path: { id: String(task.id) } }, body: { status: 'done' } })),
      done: t('tasks.doneNotice', { title: task.title }),
    });
  const restart = (task: Task) =>
    act.mutate({
      run: () => unwrap(client.POST('/api/v1/tasks/{id}/restart', { params: { path: { id: String(task.id) } } })),
      done: t('operations.restarted', { id: task.operationId }),
    });
  const busy = act.isPending;

  const columns: Column<Task>[] = [
    {
      key: 'title',
      title: t('tasks.task'),
      className: 'task',
      cell: (task) => (
        <>
          <strong>{task.title}</strong>
          {task.text && <div className="task-text">{task.text}</div>}
        </>
      ),
    },
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
    {
      key: 'performer',
      title: t('tasks.performer'),
      cell: (task) =>
        task.performer ? (
          <>
            {task.performer.displayName}
            {task.assignedBy && (
              <span className="sub">
                {task.assignedBy.id === task.performer.id ? t('tasks.tookIt') : t('tasks.assignedBy', { name: task.assignedBy.displayName })}
                {task.assignedAt && (
                  <>
                    , <Instant iso={task.assignedAt} />
                  </>
                )}
              </span>
            )}
          </>
        ) : (
          dash
        ),
    },
    {
      key: 'operation',
      title: t('tasks.operation'),
      cell: (task) =>
        task.operation ? (
          <>
            <AppLink to={`/operations/${task.operation.id}`} aria-label={t('operations.one', { id: task.operation.id })}>
              #{task.operation.id}
            </AppLink>{' '}
            {t(`kinds.${task.operation.kind}` as never, { defaultValue: task.operation.kind })} <StatusBadge status={task.operation.status} />
          </>
        ) : (
          dash
        ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      className: 'actions vertical',
      cell: (task) => {
        if (task.status === 'done' || !(canChange || canOperate)) return null;
        const operation = task.operation;
        const waiting = operation?.status === 'manual';
        // While its operation has not ended, the operation's own actions end the task; Done would be refused.
        const closable = !operation || !UNFINISHED.has(operation.status);
        return (
          <RowActions>
            {canChange && (task.performerId !== me.id || task.status === 'new') && (
              <Button size="compact-sm" variant="default" aria-label={t('tasks.takeNamed', { id: task.id })} disabled={busy} onClick={() => take(task)}>
                {t('tasks.take')}
              </Button>
            )}
            {canAssign && task.departmentId !== null && (
              <Button size="compact-sm" variant="default" aria-label={t('tasks.assignNamed', { id: task.id })} disabled={busy} onClick={() => setAssigning(task)}>
                {t('tasks.assign')}
              </Button>
            )}
            {waiting && operation && canChange && (
              <Button size="compact-sm" variant="default" aria-label={t('tasks.restartNamed', { id: task.id })} disabled={busy} onClick={() => restart(task)}>
                {t('tasks.restart')}
              </Button>
            )}
            {waiting && operation && canOperate && (
              <>
                <Button size="compact-sm" variant="default" aria-label={t('tasks.completeNamed', { id: task.id })} disabled={busy} onClick={() => setCompleting(operation)}>
                  {t('operations.doneByHand')}
                </Button>
                <Button size="compact-sm" variant="outline" color="red" aria-label={t('tasks.abandonNamed', { id: task.id })} disabled={busy} onClick={() => setAbandoning(operation)}>
                  {t('tasks.abandon')}
                </Button>
              </>
            )}
            {canChange && closable && (
              <Button size="compact-sm" variant="default" aria-label={t('tasks.doneNamed', { id: task.id })} disabled={busy} onClick={() => done(task)}>
                {t('tasks.done')}
              </Button>
            )}
          </RowActions>
        );
      },
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
          onChange={(e) => filters.set({ status: e.currentTarget.value === 'open' ? '' : e.currentTarget.value })}
        />
      </Group>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.tasks')}
        columns={canChange || canOperate ? columns : columns.filter((c) => c.key !== 'actions')}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('tasks.empty')}
        rowClass={(task) => (task.overdue ? 'overdue' : undefined)}
      />
      <CompleteDialog operation={completing} onClose={() => setCompleting(null)} />
      <AbandonDialog operation={abandoning} onClose={() => setAbandoning(null)} />
      <AssignDialog task={assigning} onClose={() => setAssigning(null)} />
    </>
  );
}

function AssignDialog({ task, onClose }: { task: Task | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ItemDialog item={task} onClose={onClose} title={(it) => t('tasks.assignTitle', { id: it.id, title: it.title })}>
      {(it) => <AssignForm task={it} onClose={onClose} />}
    </ItemDialog>
  );
}

/** Gives a task to an enabled member of its department (the API refuses anyone else). */
function AssignForm({ task, onClose }: { task: Task; onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const members = useQuery({
    queryKey: ['departments', task.departmentId, 'members'],
    queryFn: () => unwrap(client.GET('/api/v1/departments/{id}/members', { params: { path: { id: String(task.departmentId) } } })),
  });
  const enabled = useMemo(() => (members.data?.items ?? []).filter((m) => m.enabled), [members.data]);
  const schema = useMemo(() => z.object({ employeeId: z.string().regex(/^\d+$/, t('tasks.performerRequired')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { employeeId: '' } });
  useEffect(() => {
    if (enabled.length && !form.getValues('employeeId')) form.setValue('employeeId', String(enabled.find((m) => m.id !== task.performerId)?.id ?? enabled[0]!.id));
  }, [enabled]);
  const submit = form.handleSubmit(async ({ employeeId }) => {
    setFailure(null);
    try {
      const assigned = await unwrap(client.POST('/api/v1/tasks/{id}/assign', { params: { path: { id: String(task.id) } }, body: { employeeId: Number(employeeId) } }));
      notifyDone(t('tasks.assigned', { title: task.title, name: assigned.performer?.displayName ?? employeeId }));
      onClose();
    } catch (error) {
      if (!showUnderField(form, error, ['employeeId'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries();
    }
  });
  const department = task.department?.displayName ?? '';
  return (
    <form onSubmit={submit} noValidate aria-label={t('tasks.assignForm', { id: task.id })}>
      <Stack gap="sm">
        <QueryError error={members.error} />
        {members.isPending && <Text size="sm">{t('app.loading')}</Text>}
        {members.data && enabled.length === 0 && <Text size="sm">{t('tasks.noMembers', { department })}</Text>}
        {enabled.length > 0 && (
          <NativeSelect
            label={`${t('tasks.performer')} *`}
            description={t('tasks.performerHint', { department })}
            data-autofocus
            data={enabled.map((m) => ({ value: String(m.id), label: `${m.name} (${m.email})` }))}
            {...form.register('employeeId')}
            error={form.formState.errors.employeeId?.message}
            errorProps={{ role: 'alert' }}
          />
        )}
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={enabled.length === 0} loading={form.formState.isSubmitting}>
            {t('tasks.assignSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
