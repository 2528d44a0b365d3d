import { useEffect, useState } from 'react';
import { api, messageOf, type Localization } from '../api';

export function LocalizationsPage() {
  const [items, setItems] = useState<Localization[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.get<{ items: Localization[] }>('/localizations').then(
      (answer) => setItems(answer.items),
      (err) => setError(messageOf(err)),
    );
  }, []);

  return (
    <>
      <h1>Localizations</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p className="muted">Loading…</p>}
      {items && (
        <table>
          <thead>
            <tr>
              <th>Code</th>
              <th>Name</th>
              <th>Enabled</th>
              <th>Default</th>
            </tr>
          </thead>
          <tbody>
            {items.map((l) => (
              <tr key={l.code}>
                <td>
                  <code>{l.code}</code>
                </td>
                <td>{l.name}</td>
                <td>{l.enabled ? 'yes' : 'no'}</td>
                <td>{l.isDefault ? 'default' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
