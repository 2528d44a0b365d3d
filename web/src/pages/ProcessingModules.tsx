import { useState } from 'react';
import { api, type Page, type ProcessingModule } from '../api';
import { DataTable, dash, Message, money, useAction, useLoad, type Column } from '../ui';
import { ModuleWizard } from './ModuleWizard';

export function ProcessingModulesPage({ canEdit }: { canEdit: boolean }) {
  const { data, error, reload } = useLoad(() => api.get<Page<ProcessingModule>>('/processing-modules?perPage=500'), 'modules');
  const action = useAction(reload);
  const [adding, setAdding] = useState(false);
  const items = data?.items ?? null;

  const columns: Column<ProcessingModule>[] = [
    { title: 'Sort', cell: (m) => m.sort, className: 'num' },
    { title: 'Name', cell: (m) => m.displayName },
    { title: 'Type', cell: (m) => (m.moduleType === 'billmanager' ? 'BILLmanager' : 'Manual') },
    {
      title: 'Status',
      cell: (m) => (
        <span className={`status status-${m.status}`} title={m.lastError?.message}>
          {m.status}
        </span>
      ),
    },
    {
      title: 'Balance',
      cell: (m) => <span className={m.balanceBelowMinimal ? 'low' : undefined}>{money(m.balance, m.currency)}</span>,
      className: 'money',
    },
    { title: 'Minimal balance', cell: (m) => money(m.minimalBalance, m.currency), className: 'money' },
    { title: 'Data center', cell: (m) => m.datacenter?.displayName ?? dash },
    { title: 'Department', cell: (m) => m.department?.displayName ?? dash },
  ];
  if (canEdit) {
    columns.push({
      title: 'Actions',
      className: 'actions',
      cell: (m) => {
        const i = items?.indexOf(m) ?? 0;
        const move = (direction: 'up' | 'down') => action.run(() => api.post(`/processing-modules/${m.id}/move`, { direction }));
        return (
          <>
            <button type="button" title="Move up" aria-label={`Move ${m.displayName} up`} disabled={action.busy || i === 0} onClick={() => move('up')}>
              ▲
            </button>
            <button
              type="button"
              title="Move down"
              aria-label={`Move ${m.displayName} down`}
              disabled={action.busy || i === (items?.length ?? 0) - 1}
              onClick={() => move('down')}
            >
              ▼
            </button>
            <button
              type="button"
              aria-label={`${m.enabled ? 'Disable' : 'Enable'} ${m.displayName}`}
              disabled={action.busy}
              onClick={() =>
                action.run(
                  () => api.post(`/processing-modules/${m.id}/${m.enabled ? 'disable' : 'enable'}`),
                  `"${m.displayName}" ${m.enabled ? 'disabled' : 'enabled'}`,
                )
              }
            >
              {m.enabled ? 'Disable' : 'Enable'}
            </button>
          </>
        );
      },
    });
  }

  return (
    <>
      <h1>Processing modules</h1>
      <Message error={error ?? action.error} notice={action.notice} onDismiss={() => action.setError(null)} />
      <DataTable label="Processing modules" columns={columns} rows={items} empty="No processing modules yet." />
      {canEdit && !adding && (
        <button type="button" onClick={() => (setAdding(true), action.setNotice(null))}>
          Add
        </button>
      )}
      {adding && (
        <ModuleWizard
          onCancel={() => setAdding(false)}
          onCreated={(m) => {
            setAdding(false);
            action.setNotice(`Processing module "${m.displayName}" added`);
            void reload();
          }}
        />
      )}
    </>
  );
}
