import { useState } from 'react';
import { api, type Operation, type Page } from '../api';
import { DataTable, dash, formatDate, Message, useAction, useLoad, words, type Column } from '../ui';

const STATUSES = ['', 'manual', 'failed', 'pending', 'running', 'succeeded'];

export function OperationsPage() {
  const [status, setStatus] = useState('');
  const url = `/operations?perPage=200${status ? `&status=${status}` : ''}`;
  const { data, error, reload } = useLoad(() => api.get<Page<Operation>>(url), url);
  const action = useAction(reload);

  const abandon = (o: Operation) => {
    const consequence = o.kind === 'open' ? ' The order is cancelled: the client is refunded and the license deleted.' : ' What the client paid for it is refunded.';
    const reason = window.prompt(`Abandon operation #${o.id} (${words(o.kind)}) for good? Its task is closed.${consequence} Reason:`);
    if (reason === null || !reason.trim()) return;
    void action.run(() => api.post(`/operations/${o.id}/abandon`, { reason }), `Operation #${o.id} abandoned`);
  };

  /** What a person who did the operation by hand must say, kind by kind (the API names anything missing). */
  const completeByHand = (o: Operation) => {
    const ask: [field: string, question: string][] =
      o.kind === 'open'
        ? [['upstreamId', 'Upstream license id'], ['licenseKey', 'License key'], ['expiresOn', 'Expiry date (YYYY-MM-DD)']]
        : o.kind === 'prolong'
          ? [['expiresOn', 'New expiry date (YYYY-MM-DD)']]
          : o.kind === 'new_key'
            ? [['licenseKey', 'New license key']]
            : [];
    const body: Record<string, string> = {};
    for (const [field, question] of ask) {
      const value = window.prompt(`Operation #${o.id} (${words(o.kind)}) done by hand. ${question}:`);
      if (value === null) return;
      body[field] = value;
    }
    const note = window.prompt(`What was done for operation #${o.id} (${words(o.kind)})? (optional, for the history)`);
    if (note === null) return;
    if (note.trim()) body.note = note;
    void action.run(() => api.post(`/operations/${o.id}/complete`, body), `Operation #${o.id} recorded as done by hand`);
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
      cell: (o) =>
        (o.status === 'manual' || o.status === 'failed') && (
          <>
            <button
              type="button"
              aria-label={`Restart operation ${o.id}`}
              disabled={action.busy}
              onClick={() => action.run(() => api.post(`/operations/${o.id}/restart`), `Operation #${o.id} restarted`)}
            >
              Restart
            </button>
            {o.status === 'manual' && (
              <>
                <button type="button" aria-label={`Operation ${o.id} done by hand`} disabled={action.busy} onClick={() => completeByHand(o)}>
                  Done by hand
                </button>
                <button type="button" aria-label={`Abandon operation ${o.id}`} disabled={action.busy} onClick={() => abandon(o)}>
                  Abandon
                </button>
              </>
            )}
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
