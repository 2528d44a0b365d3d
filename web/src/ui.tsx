// What the pages share: loading a resource, running one change at a time, messages, and a plain table.
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { messageOf, type Localization } from './api';
import { href, navigate } from './router';

/** Loads when `key` changes (the URL it reads, say); `reload` fetches again, e.g. after a change. */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => load().then((d) => (setData(d), setError(null)), (e) => setError(messageOf(e))), [key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** Runs one change at a time, keeps the API's message when it fails, and reloads afterwards either way. */
export function useAction(reload: () => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (what: () => Promise<unknown>, done?: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
      if (done) setNotice(done);
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    } finally {
      await reload();
      setBusy(false);
    }
  };
  return { busy, error, notice, run, setError, setNotice };
}

/**
 * For a form opened by a button: call what this returns as the form closes, and the focus goes back
 * to what had it when the form opened (read while rendering, before the form's own autofocus takes it).
 */
export function useFocusReturn(): () => void {
  const [back] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  return useCallback(() => {
    if (back?.isConnected) back.focus();
  }, [back]);
}

/** An error (role=alert, dismissible) or a confirmation (role=status). */
export function Message({ error, notice, onDismiss }: { error?: string | null; notice?: string | null; onDismiss?: () => void }) {
  return (
    <>
      {error && (
        <div className="error" role="alert">
          {error}
          {onDismiss && (
            <button type="button" className="link-button" aria-label="Dismiss" onClick={onDismiss}>
              ×
            </button>
          )}
        </div>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </>
  );
}

export interface Column<T> {
  title: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export function DataTable<T extends { id: number }>(props: {
  label: string;
  columns: Column<T>[];
  rows: T[] | null;
  empty: ReactNode;
  rowClass?: (row: T) => string | undefined;
}) {
  const { label, columns, rows, empty, rowClass } = props;
  if (rows === null) return <p className="muted">Loading…</p>;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.title} className={c.className}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        )}
        {rows.map((row) => (
          <tr key={row.id} data-id={row.id} className={rowClass?.(row)}>
            {columns.map((c) => (
              <td key={c.title} className={c.className}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A link inside the app (no page reload). */
export function Link({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a
      href={href(to)}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export const dash = <span className="muted">—</span>;

export function formatDate(iso: string | null): ReactNode {
  if (!iso) return dash;
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function money(amount: string | null, currency: string | null): ReactNode {
  return amount === null ? dash : `${amount} ${currency ?? ''}`.trim();
}

/** "in_progress" → "in progress". */
export function words(value: string): string {
  return value.replace(/_/g, ' ');
}

/**
 * A form field whose hint is a description, not part of its name: `<Field label="URL" hint="…">{(props) => <input {...props} />}</Field>`.
 * An `error` (the API's sentence about this field) shows under it and marks the input invalid.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true as const } : {}) })}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** One input per locale for a localized name; the default locale's is required. */
export function LocalizedNameInputs({
  locales,
  names,
  onChange,
  placeholder,
}: {
  locales: readonly Localization[];
  names: Record<string, string>;
  onChange: (names: Record<string, string>) => void;
  placeholder?: (locale: Localization) => string;
}) {
  return (
    <>
      {locales.map((l) => (
        <label key={l.code}>
          Name ({l.code}){l.isDefault ? ' *' : ''}
          <input
            name={`name.${l.code}`}
            lang={l.code}
            required={l.isDefault}
            placeholder={placeholder?.(l)}
            value={names[l.code] ?? ''}
            onChange={(e) => onChange({ ...names, [l.code]: e.target.value })}
          />
        </label>
      ))}
    </>
  );
}
