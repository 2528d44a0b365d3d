// The landing page: the upstream balance of every processing module and what needs a person.
import { api, type Operation, type Page, type ProcessingModule, type Task } from '../api';
import { formatDate, Link, Message, money, useAction, useLoad } from '../ui';

interface Attention {
  modules: ProcessingModule[];
  tasks: Page<Task>;
  manual: Page<Operation>;
}

async function loadAttention(): Promise<Attention> {
  const [list, tasks, manual] = await Promise.all([
    api.get<Page<ProcessingModule>>('/processing-modules?perPage=500'),
    api.get<Page<Task>>('/tasks?status=open&perPage=500'),
    api.get<Page<Operation>>('/operations?status=manual&perPage=1'),
  ]);
  // Modules that need attention first; otherwise the modules' own order.
  const modules = [...list.items].sort((a, b) => Number(attentionOf(b)) - Number(attentionOf(a)));
  return { modules, tasks, manual };
}

export function DashboardPage({ canEdit }: { canEdit: boolean }) {
  const { data, error, reload } = useLoad(loadAttention, 'dashboard');
  const action = useAction(reload);

  const check = (m: ProcessingModule) =>
    action.run(() => api.post(`/processing-modules/${m.id}/check-balance`), `Balance of "${m.displayName}" checked`);

  const overdue = data?.tasks.items.filter((t) => t.overdue).length ?? 0;

  return (
    <>
      <h1>What needs attention</h1>
      <Message error={error ?? action.error} notice={action.notice} onDismiss={() => action.setError(null)} />
      {!data && !error && <p className="muted">Loading…</p>}
      {data && (
        <>
          <section className="counters" aria-label="Work waiting">
            <Link to="tasks">
              <strong className={data.tasks.total > 0 ? 'count attention' : 'count'}>{data.tasks.total}</strong> open task
              {data.tasks.total === 1 ? '' : 's'}
              {overdue > 0 && <span className="overdue-label"> ({overdue} overdue)</span>}
            </Link>
            <Link to="operations">
              <strong className={data.manual.total > 0 ? 'count attention' : 'count'}>{data.manual.total}</strong> operation
              {data.manual.total === 1 ? '' : 's'} waiting for a person
            </Link>
          </section>

          <h2>Upstream balances</h2>
          {data.modules.length === 0 && (
            <p className="muted">
              No processing modules yet: <Link to="processing-modules">add one</Link> to sell licenses.
            </p>
          )}
          <div className="module-cards">
            {data.modules.map((m) => (
              <article key={m.id} className={`card module-card${attentionOf(m) ? ' needs-attention' : ''}`} aria-label={m.displayName}>
                <header>
                  <h3>{m.displayName}</h3>
                  <span className={`status status-${m.status}`}>{m.status}</span>
                </header>
                {m.moduleType === 'billmanager' ? (
                  <dl>
                    <dt>Balance</dt>
                    <dd className="balance">{money(m.balance, m.currency)}</dd>
                    <dt>Minimal balance</dt>
                    <dd>{money(m.minimalBalance, m.currency)}</dd>
                    <dt>Checked</dt>
                    <dd>{formatDate(m.balanceCheckedAt)}</dd>
                  </dl>
                ) : (
                  <p className="muted">Manual processing: no upstream balance.</p>
                )}
                {m.balanceBelowMinimal && (
                  <p className="warning">Balance is below the minimal balance: renewals through this module wait until it is topped up.</p>
                )}
                {m.status === 'error' && (
                  <p className="warning">Error: {m.lastError?.message ?? 'the last upstream call failed'}</p>
                )}
                {canEdit && m.moduleType === 'billmanager' && (
                  <button type="button" disabled={action.busy} aria-label={`Check balance of ${m.displayName}`} onClick={() => check(m)}>
                    Check balance
                  </button>
                )}
              </article>
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
