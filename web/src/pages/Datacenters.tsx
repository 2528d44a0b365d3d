import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, messageOf, type Datacenter, type Localization, type Page } from '../api';
import { LocalizedNameInputs, Message, useAction } from '../ui';

const PER_PAGE = 50;

export function DatacentersPage({ canEdit }: { canEdit: boolean }) {
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Page<Datacenter> | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const answer = await api.get<Page<Datacenter>>(`/datacenters?page=${page}&perPage=${PER_PAGE}`);
      // A delete can leave the last page empty: step back to one that has rows.
      if (answer.items.length === 0 && page > 1) setPage(Math.max(1, Math.ceil(answer.total / PER_PAGE)));
      else setList(answer);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, [page]);

  useEffect(() => {
    void load();
  }, [load]);

  // One change at a time; the API's message when it fails; the list reloaded either way.
  const { busy, error: actionError, notice, run: act, setError } = useAction(load);
  const error = actionError ?? loadError;

  const move = (dc: Datacenter, direction: 'up' | 'down') => act(() => api.post(`/datacenters/${dc.id}/move`, { direction }));
  const remove = (dc: Datacenter) => {
    if (!window.confirm(`Delete data center "${dc.displayName}"?`)) return;
    void act(() => api.delete(`/datacenters/${dc.id}`), `Data center "${dc.displayName}" deleted`);
  };

  const items = list?.items ?? [];
  const offset = (page - 1) * PER_PAGE;
  const lastPage = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;

  return (
    <>
      <h1>Data centers</h1>
      <Message
        error={error}
        notice={notice}
        onDismiss={() => {
          setError(null);
          setLoadError(null);
        }}
      />
      {list === null && !error && <p className="muted">Loading…</p>}
      {list && (
        <table aria-label="Data centers">
          <thead>
            <tr>
              <th className="num">Sort</th>
              <th>Name</th>
              <th>External id</th>
              {canEdit && <th className="actions">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr>
                <td colSpan={canEdit ? 4 : 3} className="muted">
                  No data centers yet{canEdit ? ': add the first one below.' : '.'}
                </td>
              </tr>
            )}
            {items.map((dc, i) => {
              const first = offset + i === 0;
              const last = offset + i === list.total - 1;
              return (
                <tr key={dc.id} data-id={dc.id}>
                  <td className="num">{dc.sort}</td>
                  <td>{dc.displayName}</td>
                  <td>{dc.externalId ?? <span className="muted">—</span>}</td>
                  {canEdit && (
                    <td className="actions">
                      <button type="button" title="Move up" aria-label={`Move ${dc.displayName} up`} disabled={busy || first} onClick={() => move(dc, 'up')}>
                        ▲
                      </button>
                      <button type="button" title="Move down" aria-label={`Move ${dc.displayName} down`} disabled={busy || last} onClick={() => move(dc, 'down')}>
                        ▼
                      </button>
                      <button type="button" className="danger" aria-label={`Delete ${dc.displayName}`} disabled={busy} onClick={() => remove(dc)}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list && lastPage > 1 && (
        <div className="pager">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ‹ Previous
          </button>
          <span>
            Page {page} of {lastPage} ({list.total} data centers)
          </span>
          <button type="button" disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
            Next ›
          </button>
        </div>
      )}
      {canEdit && <AddDatacenter disabled={busy} onAdd={(body, name) => act(() => api.post('/datacenters', body), `Data center "${name}" added`)} />}
    </>
  );
}

interface NewDatacenter {
  name: Record<string, string>;
  externalId: string | null;
}

function AddDatacenter({ disabled, onAdd }: { disabled: boolean; onAdd: (body: NewDatacenter, name: string) => Promise<boolean> }) {
  const [locales, setLocales] = useState<Localization[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [externalId, setExternalId] = useState('');

  useEffect(() => {
    api.get<{ items: Localization[] }>('/localizations').then(
      // The default locale first: it is the one the API requires.
      (answer) => setLocales(answer.items.filter((l) => l.enabled).sort((a, b) => Number(b.isDefault) - Number(a.isDefault))),
      (err) => setLoadError(messageOf(err)),
    );
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
    const shown = locales?.find((l) => l.isDefault)?.code;
    const ok = await onAdd({ name, externalId: externalId.trim() || null }, (shown && name[shown]) || Object.values(name)[0] || '');
    if (ok) {
      setNames({});
      setExternalId('');
    }
  };

  return (
    <form className="card add-form" onSubmit={submit} aria-label="Add data center">
      <h2>Add data center</h2>
      {loadError && <p className="error">{loadError}</p>}
      {locales && <LocalizedNameInputs locales={locales} names={names} onChange={setNames} placeholder={(l) => `Name in ${l.name}`} />}
      <label>
        External id
        <input name="externalId" placeholder="e.g. DC-EU-1" value={externalId} onChange={(e) => setExternalId(e.target.value)} />
      </label>
      <button type="submit" disabled={disabled || !locales}>
        Add
      </button>
    </form>
  );
}
