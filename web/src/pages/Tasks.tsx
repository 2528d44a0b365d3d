import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf, type DepartmentMember, type Me, type Page, type Task } from '../api';
import { abandonOperation, askAbandonReason, DoneByHandForm } from '../operationActions';
import { DataTable, dash, Field, formatDate, Message, useAction, useFocusReturn, useLoad, words, type Column } from '../ui';

const FILTERS = [
  { value: 'open', label: 'Open (new or in progress)' },
  { value: 'new', label: 'New' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
  { value: '', label: 'All' },
];

/** An operation in one of these has not ended: its task is done when it is (the API refuses Done before). */
const UNFINISHED = new Set(['pending', 'running', 'manual']);

/** What is open below the filter: a task's assignment or its operation's done-by-hand form. */
type Panel = { kind: 'assign'; task: Task } | { kind: 'complete'; task: Task };

export function TasksPage({ me }: { me: Me }) {
  const [status, setStatus] = useState('open');
  const url = `/tasks?perPage=500${status ? `&status=${status}` : ''}`;
  const { data, error, reload } = useLoad(() => api.get<Page<Task>>(url), url);
  const action = useAction(reload);
  const [panel, setPanel] = useState<Panel | null>(null);

  const open = (p: Panel) => {
    action.setNotice(null);
    action.setError(null);
    setPanel(p);
  };
  const closedWith = (notice: string) => {
    setPanel(null);
    action.setNotice(notice);
    void reload();
  };

  const take = (t: Task) => action.run(() => api.post(`/tasks/${t.id}/take`), `Task "${t.title}" taken`);
  const done = (t: Task) => action.run(() => api.patch(`/tasks/${t.id}`, { status: 'done' }), `Task "${t.title}" done`);
  const restart = (t: Task) => action.run(() => api.post(`/tasks/${t.id}/restart`), `Operation #${t.operationId} restarted`);
  const abandon = (t: Task) => {
    const o = t.operation!;
    const reason = askAbandonReason(o);
    if (reason !== null) void action.run(() => abandonOperation(o.id, reason), `Operation #${o.id} abandoned`);
  };

  const columns: Column<Task>[] = [
    {
      title: 'Task',
      className: 'task',
      cell: (t) => (
        <>
          <strong>{t.title}</strong>
          {t.text && <div className="task-text">{t.text}</div>}
        </>
      ),
    },
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
    {
      title: 'Performer',
      cell: (t) =>
        t.performer ? (
          <>
            {t.performer.displayName}
            {t.assignedBy && (
              <span className="sub">
                {t.assignedBy.id === t.performer.id ? 'took it' : `assigned by ${t.assignedBy.displayName}`}
                {t.assignedAt && <>, {formatDate(t.assignedAt)}</>}
              </span>
            )}
          </>
        ) : (
          dash
        ),
    },
    {
      title: 'Operation',
      cell: (t) =>
        t.operation ? (
          <>
            #{t.operation.id} {words(t.operation.kind)} <span className={`status status-${t.operation.status}`}>{t.operation.status}</span>
          </>
        ) : (
          dash
        ),
    },
    {
      title: 'Actions',
      className: 'actions stacked',
      cell: (t) => {
        if (t.status === 'done') return null;
        const waiting = t.operation?.status === 'manual';
        // While its operation has not ended, the operation's own actions end the task; Done would be refused.
        const closable = !t.operation || !UNFINISHED.has(t.operation.status);
        return (
          <>
            {(t.performerId !== me.id || t.status === 'new') && (
              <button type="button" aria-label={`Take task ${t.id}`} disabled={action.busy} onClick={() => take(t)}>
                Take
              </button>
            )}
            {t.departmentId !== null && (
              <button
                type="button"
                aria-label={`Assign task ${t.id}`}
                aria-expanded={panel?.kind === 'assign' && panel.task.id === t.id}
                disabled={action.busy}
                onClick={() => open({ kind: 'assign', task: t })}
              >
                Assign…
              </button>
            )}
            {waiting && (
              <>
                <button type="button" aria-label={`Restart operation of task ${t.id}`} disabled={action.busy} onClick={() => restart(t)}>
                  Restart operation
                </button>
                <button
                  type="button"
                  aria-label={`Operation of task ${t.id} done by hand`}
                  aria-expanded={panel?.kind === 'complete' && panel.task.id === t.id}
                  disabled={action.busy}
                  onClick={() => open({ kind: 'complete', task: t })}
                >
                  Done by hand
                </button>
                <button type="button" aria-label={`Abandon operation of task ${t.id}`} disabled={action.busy} onClick={() => abandon(t)}>
                  Abandon operation
                </button>
              </>
            )}
            {closable && (
              <button type="button" aria-label={`Done task ${t.id}`} disabled={action.busy} onClick={() => done(t)}>
                Done
              </button>
            )}
          </>
        );
      },
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
      {panel?.kind === 'complete' && panel.task.operation && (
        <DoneByHandForm key={`complete-${panel.task.id}`} operation={panel.task.operation} onCancel={() => setPanel(null)} onDone={closedWith} />
      )}
      {panel?.kind === 'assign' && <AssignForm key={`assign-${panel.task.id}`} task={panel.task} onCancel={() => setPanel(null)} onDone={closedWith} />}
      <DataTable label="Tasks" columns={columns} rows={data?.items ?? null} empty="Nothing to do." rowClass={(t) => (t.overdue ? 'overdue' : undefined)} />
    </>
  );
}

/** Gives a task to a member of its department (the API refuses anyone else). */
function AssignForm({ task, onCancel, onDone }: { task: Task; onCancel: () => void; onDone: (notice: string) => void }) {
  const [members, setMembers] = useState<DepartmentMember[] | null>(null);
  const [employeeId, setEmployeeId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const title = `Assign task ${task.id}`;

  const returnFocus = useFocusReturn();
  const cancel = () => {
    returnFocus();
    onCancel();
  };
  useEffect(() => {
    api.get<{ items: DepartmentMember[] }>(`/departments/${task.departmentId}/members`).then(
      (answer) => {
        const enabled = answer.items.filter((m) => m.enabled);
        setMembers(enabled);
        setEmployeeId(String(enabled.find((m) => m.id !== task.performerId)?.id ?? enabled[0]?.id ?? ''));
      },
      (err) => setError(messageOf(err)),
    );
  }, [task.id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      const assigned = await api.post<Task>(`/tasks/${task.id}/assign`, { employeeId: Number(employeeId) });
      returnFocus();
      onDone(`Task "${task.title}" assigned to ${assigned.performer?.displayName ?? `employee ${employeeId}`}`);
    } catch (err) {
      if (err instanceof ApiError && err.field === 'employeeId') setFieldError(err.message);
      else setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <form
      className="card action-form"
      aria-label={title}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') cancel();
      }}
    >
      <h2>
        {title}: {task.title}
      </h2>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {members === null && !error && <p className="muted">Loading…</p>}
      {members && members.length === 0 && <p className="muted">The department {task.department?.displayName ?? ''} has no enabled members: add some under Provider → Departments.</p>}
      {members && members.length > 0 && (
        <Field label="Performer *" hint={`A member of ${task.department?.displayName ?? 'the task’s department'}`} error={fieldError}>
          {(props) => (
            <select {...props} name="employeeId" required autoFocus value={employeeId} onChange={(e) => setEmployeeId(e.target.value)}>
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} ({m.email})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <div className="form-buttons">
        <button type="button" className="secondary" onClick={cancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy || !members?.length}>
          {busy ? 'Assigning…' : 'Assign'}
        </button>
      </div>
    </form>
  );
}
