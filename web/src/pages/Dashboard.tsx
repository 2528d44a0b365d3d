// The landing page: what needs a person, the upstream balance of every processing module with the days it
// lasts at the current spending, licenses expiring soon, today's orders and revenue, and the margin of each
// tariff. Read again every few seconds and when the window regains focus.
import { Button, Paper, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { keys, POLL, useAct } from '../api/queries';
import type { Dashboard, Operation, ProcessingModule, Task } from '../api/types';
import { useCan } from '../auth';
import { useFormat } from '../format';
import { AppLink, DataTable, Day, Instant, Loading, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';

/** What the employee may read: the rest is neither asked nor shown (the server leaves it out too). */
interface Readable {
  modules: boolean;
  tasks: boolean;
  operations: boolean;
}

const nothing = <T,>() => Promise.resolve({ items: [] as T[], total: 0, page: 1, perPage: 1 });

async function loadAttention(can: Readable) {
  const [list, tasks, manual, numbers] = await Promise.all([
    can.modules ? unwrap(client.GET('/api/v1/processing-modules', { params: { query: { perPage: 500 } } })) : nothing<ProcessingModule>(),
    can.tasks ? unwrap(client.GET('/api/v1/tasks', { params: { query: { status: 'open', perPage: 500 } } })) : nothing<Task>(),
    can.operations ? unwrap(client.GET('/api/v1/operations', { params: { query: { status: 'manual', perPage: 1 } } })) : nothing<Operation>(),
    unwrap(client.GET('/api/v1/dashboard')),
  ]);
  // Modules that need attention first; otherwise the modules' own order.
  const modules = [...list.items].sort((a, b) => Number(attentionOf(b)) - Number(attentionOf(a)));
  return { modules, tasks, manual, numbers };
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
                    <Runway runway={data.numbers.modules.find((r) => r.moduleId === m.id)} windowDays={data.numbers.windowDays} />
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
          <Numbers numbers={data.numbers} />
        </>
      )}
    </>
  );
}

/** Days the balance lasts at the spending of the window, or that nothing was spent yet. */
function Runway({ runway, windowDays }: { runway: Dashboard['modules'][number] | undefined; windowDays: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!runway || runway.balance === null) return null;
  return (
    <>
      <dt>{t('dashboard.daysLeft')}</dt>
      <dd className="days-left">
        {runway.daysLeft === null ? (
          t('dashboard.noSpending')
        ) : (
          <>
            <strong className={runway.daysLeft < 14 ? 'low' : undefined}>{t('dashboard.days', { count: runway.daysLeft })}</strong>{' '}
            <Text span size="xs" c="dimmed">
              {t('dashboard.atSpending', { amount: f.money(runway.spent, runway.currency), days: windowDays })}
            </Text>
          </>
        )}
      </dd>
    </>
  );
}

function Numbers({ numbers }: { numbers: Dashboard }) {
  const { t } = useTranslation();
  const expiringColumns: Column<Dashboard['expiring'][number]>[] = [
    { key: 'name', title: t('common.name'), cell: (l) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'client', title: t('licenses.client'), cell: (l) => l.clientName },
    { key: 'status', title: t('common.status'), cell: (l) => <StatusBadge status={l.status} /> },
    { key: 'expires', title: t('licenses.expires'), cell: (l) => <Day day={l.expiresAt} /> },
    { key: 'autoRenew', title: t('licenses.autoRenew'), cell: (l) => (l.autoRenew ? t('common.yes') : t('common.no')) },
  ];
  type Margin = Dashboard['margins'][number] & { id: number };
  const marginColumns: Column<Margin>[] = [
    { key: 'tariff', title: t('licenses.tariff'), cell: (m) => m.displayName },
    { key: 'revenue', title: t('dashboard.revenue'), cell: (m) => <Money amount={m.revenue} currency={m.currency} />, className: 'money' },
    { key: 'cost', title: t('dashboard.upstreamCost'), cell: (m) => <Money amount={m.upstreamCost} currency={m.currency} />, className: 'money' },
    {
      key: 'margin',
      title: t('dashboard.margin'),
      cell: (m) => (
        <span className={m.margin.startsWith('-') ? 'low' : undefined}>
          <Money amount={m.margin} currency={m.currency} />
        </span>
      ),
      className: 'money',
    },
  ];
  return (
    <>
      <Title order={2} mt="lg">
        {t('dashboard.today')}
      </Title>
      {numbers.todayTotals.length === 0 ? (
        <Text c="dimmed">{t('dashboard.noOrdersToday')}</Text>
      ) : (
        <ul className="dash-lines today-totals">
          {numbers.todayTotals.map((line) => (
            <li key={line.currency}>
              {t('dashboard.orders', { count: line.orders })} · {t('dashboard.revenue')}: <strong><Money amount={line.revenue} currency={line.currency} /></strong>
            </li>
          ))}
        </ul>
      )}
      <Title order={2} mt="lg">
        {t('dashboard.expiring', { count: numbers.expiringDays })}
      </Title>
      <DataTable label={t('dashboard.expiring', { count: numbers.expiringDays })} columns={expiringColumns} rows={numbers.expiring} empty={t('dashboard.noneExpiring')} />
      <Title order={2} mt="lg">
        {t('dashboard.margins', { count: numbers.windowDays })}
      </Title>
      <DataTable
        label={t('dashboard.margins', { count: numbers.windowDays })}
        columns={marginColumns}
        rows={numbers.margins.map((m) => ({ ...m, id: m.tariffId }))}
        empty={t('dashboard.noMargins')}
      />
    </>
  );
}

function attentionOf(m: ProcessingModule): boolean {
  return m.balanceBelowMinimal || m.status === 'error';
}
