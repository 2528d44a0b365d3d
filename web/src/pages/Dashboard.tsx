// The landing page: the upstream balance of every processing module and what needs a person. Read again
// every few seconds and when the window regains focus.
import { Button, Paper, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, POLL, useAct } from '../api/queries';
import type { Operation, ProcessingModule, Task } from '../api/types';
import { useCan } from '../auth';
import { AppLink, Instant, Loading, Money, PageTitle, QueryError, StatusBadge } from '../components/ui';

/** What the employee may read: the rest is neither asked nor shown. */
interface Readable {
  modules: boolean;
  tasks: boolean;
  operations: boolean;
}

const nothing = <T,>() => Promise.resolve({ items: [] as T[], total: 0, page: 1, perPage: 1 });

async function loadAttention(can: Readable) {
  const [list, tasks, manual] = await Promise.all([
    can.modules ? unwrap(client.GET('/api/v1/processing-modules', { params: { query: { perPage: 500 } } })) : nothing<ProcessingModule>(),
    can.tasks ? unwrap(client.GET('/api/v1/tasks', { params: { query: { status: 'open', perPage: 500 } } })) : nothing<Task>(),
    can.operations ? unwrap(client.GET('/api/v1/operations', { params: { query: { status: 'manual', perPage: 1 } } })) : nothing<Operation>(),
  ]);
  // Modules that need attention first; otherwise the modules' own order.
  const modules = [...list.items].sort((a, b) => Number(attentionOf(b)) - Number(attentionOf(a)));
  return { modules, tasks, manual };
}

export function DashboardPage() {
  const { t } = useTranslation();
  const canEdit = useCan('processing-modules.change');
  const can: Readable = { modules: useCan('processing-modules.read'), tasks: useCan('tasks.read'), operations: useCan('operations.read') };
  const { data, error } = useQuery({ queryKey: [...keys.dashboard, can], queryFn: () => loadAttention(can), refetchInterval: POLL.dashboard });
  const act = useAct();

  const check = (m: ProcessingModule) =>
    act.mutate({
      run: () => unwrap(client.POST('/api/v1/processing-modules/{id}/check-balance', { params: { path: { id: String(m.id) } } })),
      done: t('dashboard.balanceChecked', { name: m.displayName }),
    });

  const overdue = data?.tasks.items.filter((task) => task.overdue).length ?? 0;

  return (
    <>
      <PageTitle>{t('menu.items.dashboard')}</PageTitle>
      <QueryError error={error} />
      {!data && !error && <Loading />}
      {data && (
        <>
          <section className="counters" aria-label={t('dashboard.workWaiting')}>
            {can.tasks && (
              <AppLink to="/tasks">
                <strong className={data.tasks.total > 0 ? 'count attention' : 'count'}>{data.tasks.total}</strong>{' '}
                {t('dashboard.openTasks', { count: data.tasks.total })}
                {overdue > 0 && <span className="overdue-label"> {t('dashboard.overdue', { count: overdue })}</span>}
              </AppLink>
            )}
            {can.operations && (
              <AppLink to="/operations?status=manual">
                <strong className={data.manual.total > 0 ? 'count attention' : 'count'}>{data.manual.total}</strong>{' '}
                {t('dashboard.waitingOperations', { count: data.manual.total })}
              </AppLink>
            )}
          </section>

          {can.modules && <Title order={2}>{t('dashboard.balances')}</Title>}
          {can.modules && data.modules.length === 0 && (
            <Text c="dimmed">
              {t('dashboard.noModules')} <AppLink to="/processing-modules/new">{t('dashboard.addOne')}</AppLink>
            </Text>
          )}
          <div className="module-cards">
            {data.modules.map((m) => (
              <Paper component="article" withBorder p="md" key={m.id} className={`module-card${attentionOf(m) ? ' needs-attention' : ''}`} aria-labelledby={`module-${m.id}`}>
                <header>
                  <Title order={3} id={`module-${m.id}`}>
                    <AppLink to={`/processing-modules/${m.id}`}>{m.displayName}</AppLink>
                  </Title>
                  <StatusBadge status={m.status} />
                </header>
                {m.moduleType === 'billmanager' ? (
                  <dl>
                    <dt>{t('modules.balance')}</dt>
                    <dd className="balance">
                      <Money amount={m.balance} currency={m.currency} />
                    </dd>
                    <dt>{t('modules.minimalBalance')}</dt>
                    <dd>
                      <Money amount={m.minimalBalance} currency={m.currency} />
                    </dd>
                    <dt>{t('dashboard.checked')}</dt>
                    <dd>
                      <Instant iso={m.balanceCheckedAt} />
                    </dd>
                  </dl>
                ) : (
                  <Text c="dimmed">{t('dashboard.manualModule')}</Text>
                )}
                {m.balanceBelowMinimal && <Text className="warning">{t('dashboard.belowMinimal')}</Text>}
                {m.status === 'error' && <Text className="warning">{t('dashboard.moduleError', { message: m.lastError?.message ?? t('dashboard.lastCallFailed') })}</Text>}
                {canEdit && m.moduleType === 'billmanager' && (
                  <Button size="xs" variant="light" disabled={act.isPending} aria-label={t('dashboard.checkBalanceOf', { name: m.displayName })} onClick={() => check(m)}>
                    {t('modules.checkBalance')}
                  </Button>
                )}
              </Paper>
            ))}
          </div>
        </>
      )}
    </>
  );
}

function attentionOf(m: ProcessingModule): boolean {
  return m.balanceBelowMinimal || m.status === 'error';
}
