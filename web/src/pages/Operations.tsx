import { useState } from 'react';
import { api, type Operation, type Page } from '../api';
import { abandonOperation, askAbandonReason, DoneByHandForm } from '../operationActions';
import { DataTable, dash, formatDate, Message, useAction, useLoad, words, type Column } from '../ui';

const STATUSES = ['', 'manual', 'failed', 'pending', 'running', 'succeeded'];

export function OperationsPage() {
  const [status, setStatus] = useState('');
  const url = `/operations?perPage=200${status ? `&status=${status}` : ''}`;
  const { data, error, reload } = useLoad(() => api.get<Page<Operation>>(url), url);
  const action = useAction(reload);
  /** The operation whose done-by-hand form is open. */
  const [completing, setCompleting] = useState<Operation | null>(null);

  const abandon = (o: Operation) => {
    const reason = askAbandonReason(o);
    if (reason !== null) void action.run(() => abandonOperation(o.id, reason), `Operation #${o.id} abandoned`);
  };

  const columns: Column<Operation>[] = [
    { title: 'ID', cell: (o) => o.id, className: 'num' },
    { title: 'Kind', cell: (o) => words(o.kind) },
    { title: 'Status', cell: (o) => <span className={`status status-${o.status}`}>{o.status}</span> },
    { title: 'License', cell: (o) => `#${o.licenseId}` },
    { title: 'Attempts', cell: (o) => o.attempts, className: 'num' },
    { title: 'Updated', cell: (o) => formatDate(o.updatedAt) },
    { title: 'Last error', cell: (o) => o.lastError ?? dash },
    {
      title: 'Actions',
      className: 'actions',
      // Only an operation waiting for a person is run again, recorded or given up; a failed one was ended for good.
      cell: (o) =>
        o.status === 'manual' && (
          <>
            <button
              type="button"
              aria-label={`Restart operation ${o.id}`}
              disabled={action.busy}
              onClick={() => action.run(() => api.post(`/operations/${o.id}/restart`), `Operation #${o.id} restarted`)}
            >
              Restart
            </button>
            <button
              type="button"
              aria-label={`Operation ${o.id} done by hand`}
              aria-expanded={completing?.id === o.id}
              disabled={action.busy}
              onClick={() => (action.setNotice(null), action.setError(null), setCompleting(o))}
            >
              Done by hand
            </button>
            <button type="button" aria-label={`Abandon operation ${o.id}`} disabled={action.busy} onClick={() => abandon(o)}>
              Abandon
            </button>
          </>
        ),
    },
  ];

  return (
    <>
      <h1>Running operations</h1>
      <label className="filter">
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'All'}
            </option>
          ))}
        </select>
      </label>
      <Message error={error ?? action.error} notice={action.notice} onDismiss={() => action.setError(null)} />
      {completing && (
        <DoneByHandForm
          key={completing.id}
          operation={completing}
          onCancel={() => setCompleting(null)}
          onDone={(notice) => {
            setCompleting(null);
            action.setNotice(notice);
            void reload();
          }}
        />
      )}
      <DataTable
        label="Running operations"
        columns={columns}
        rows={data?.items ?? null}
        empty="No operations."
        rowClass={(o) => (o.status === 'manual' ? 'attention-row' : undefined)}
      />
    </>
  );
}
