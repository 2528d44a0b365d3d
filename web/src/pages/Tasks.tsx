import { useState } from 'react';
import { api, type Operation, type Page, type Task } from '../api';
import { abandonOperation, askAbandonReason, askCompletion, completeOperation } from '../operationActions';
import { DataTable, dash, formatDate, Message, useAction, useLoad, words, type Column } from '../ui';

const FILTERS = [
  { value: 'open', label: 'Open (new or in progress)' },
  { value: 'new', label: 'New' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
  { value: '', label: 'All' },
];

export function TasksPage() {
  const [status, setStatus] = useState('open');
  const url = `/tasks?perPage=500${status ? `&status=${status}` : ''}`;
  const { data, error, reload } = useLoad(() => api.get<Page<Task>>(url), url);
  const action = useAction(reload);

  const setTaskStatus = (t: Task, to: Task['status'], done: string) => action.run(() => api.patch(`/tasks/${t.id}`, { status: to }), done);
  const restart = (t: Task) => action.run(() => api.post(`/tasks/${t.id}/restart`), `Operation #${t.operationId} restarted`);
  /** The task's operation as it is now: only a manual one can be recorded as done or given up. */
  const manualOperation = async (t: Task): Promise<Operation> => {
    const o = await api.get<Operation>(`/operations/${t.operationId}`);
    if (o.status !== 'manual') throw new Error(`Operation #${o.id} is ${o.status}, not waiting for a person`);
    return o;
  };
  const completeByHand = (t: Task) =>
    action.run(async () => {
      const o = await manualOperation(t);
      const body = askCompletion(o);
      if (body === null) return;
      await completeOperation(o.id, body);
      action.setNotice(`Operation #${o.id} recorded as done by hand`);
    });
  const abandon = (t: Task) =>
    action.run(async () => {
      const o = await manualOperation(t);
      const reason = askAbandonReason(o);
      if (reason === null) return;
      await abandonOperation(o.id, reason);
      action.setNotice(`Operation #${o.id} abandoned`);
    });

  const columns: Column<Task>[] = [
    { title: 'Title', cell: (t) => <span title={t.text}>{t.title}</span> },
    { title: 'Type', cell: (t) => words(t.type) },
    { title: 'Status', cell: (t) => <span className={`status status-${t.status}`}>{words(t.status)}</span> },
    {
      title: 'Due',
      cell: (t) => (
        <>
          {formatDate(t.dueAt)}
          {t.overdue && <span className="overdue-label"> overdue</span>}
        </>
      ),
    },
    { title: 'Department', cell: (t) => t.department?.displayName ?? dash },
    { title: 'Performer', cell: (t) => t.performer?.displayName ?? dash },
    {
      title: 'Actions',
      className: 'actions',
      cell: (t) =>
        t.status !== 'done' && (
          <>
            {t.status === 'new' && (
              <button type="button" aria-label={`Take task ${t.id}`} disabled={action.busy} onClick={() => setTaskStatus(t, 'in_progress', `Task "${t.title}" taken`)}>
                Take
              </button>
            )}
            {t.operationId !== null && (
              <>
                <button type="button" aria-label={`Restart operation of task ${t.id}`} disabled={action.busy} onClick={() => restart(t)}>
                  Restart operation
                </button>
                <button type="button" aria-label={`Operation of task ${t.id} done by hand`} disabled={action.busy} onClick={() => completeByHand(t)}>
                  Done by hand
                </button>
                <button type="button" aria-label={`Abandon operation of task ${t.id}`} disabled={action.busy} onClick={() => abandon(t)}>
                  Abandon operation
                </button>
              </>
            )}
            <button type="button" aria-label={`Done task ${t.id}`} disabled={action.busy} onClick={() => setTaskStatus(t, 'done', `Task "${t.title}" done`)}>
              Done
            </button>
          </>
        ),
    },
  ];

  return (
    <>
      <h1>Tasks</h1>
      <label className="filter">
        Show
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <Message error={error ?? action.error} notice={action.notice} onDismiss={() => action.setError(null)} />
      <DataTable label="Tasks" columns={columns} rows={data?.items ?? null} empty="Nothing to do." rowClass={(t) => (t.overdue ? 'overdue' : undefined)} />
    </>
  );
}
