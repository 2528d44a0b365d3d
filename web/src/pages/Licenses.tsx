import { api, type License, type Page } from '../api';
import { DataTable, dash, Message, money, useLoad, type Column } from '../ui';

const columns: Column<License>[] = [
  {
    title: 'Status',
    cell: (l) => (
      <>
        <span className={`status status-${l.status}`}>{l.status}</span>
        {l.pendingOperations.length > 0 && (
          <span className="muted" title={l.pendingOperations.map((o) => `#${o.id} ${o.kind}: ${o.status}`).join('\n')}>
            {' '}
            ({l.pendingOperations.length} pending)
          </span>
        )}
      </>
    ),
  },
  { title: 'Name', cell: (l) => l.licenseName },
  { title: 'IP', cell: (l) => <code>{l.ip}</code> },
  { title: 'Key', cell: (l) => (l.licenseKey ? <code>{l.licenseKey}</code> : dash) },
  { title: 'Expires', cell: (l) => l.expiresAt ?? dash },
  { title: 'Auto-renew', cell: (l) => (l.autoRenew ? 'yes' : 'no') },
  { title: 'Price', cell: (l) => money(l.price, l.currency), className: 'money' },
];

export function LicensesPage() {
  const { data, error } = useLoad(() => api.get<Page<License>>('/licenses?perPage=500'), 'licenses');
  return (
    <>
      <h1>Licenses</h1>
      <Message error={error} />
      <DataTable label="Licenses" columns={columns} rows={data?.items ?? null} empty="No licenses yet." />
    </>
  );
}
