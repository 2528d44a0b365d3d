// What staff record or are asked before ending a manual operation, on the operations page and from a task.
import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf, type Operation } from './api';
import { Field, useFocusReturn, words } from './ui';

type CompletionField = { name: 'upstreamId' | 'licenseKey' | 'expiresOn'; label: string; type: 'text' | 'date'; hint?: string };

/** What a person who did the operation by hand records, kind by kind (the API asks for the same); the other kinds take a note only. */
const COMPLETION_FIELDS: Record<string, CompletionField[]> = {
  open: [
    { name: 'upstreamId', label: 'Upstream license id', type: 'text', hint: 'The id the upstream panel shows for the license you bought' },
    { name: 'licenseKey', label: 'License key', type: 'text' },
    { name: 'expiresOn', label: 'Expiry date', type: 'date', hint: 'As the upstream panel shows it' },
  ],
  prolong: [{ name: 'expiresOn', label: 'New expiry date', type: 'date', hint: 'As the upstream panel shows it after the renewal' }],
  new_key: [{ name: 'licenseKey', label: 'New license key', type: 'text' }],
};

/**
 * One form for recording a manual operation as done by hand: the fields its kind needs and a note.
 * Errors from the API appear under their field; Escape or Cancel closes it, and focus goes back to
 * where it was.
 */
export function DoneByHandForm({
  operation,
  onCancel,
  onDone,
}: {
  operation: Pick<Operation, 'id' | 'kind'>;
  onCancel: () => void;
  /** After the API recorded it, with the sentence to show. */
  onDone: (notice: string) => void;
}) {
  const fields = COMPLETION_FIELDS[operation.kind] ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const title = `Operation #${operation.id} (${words(operation.kind)}) done by hand`;

  const returnFocus = useFocusReturn();
  const cancel = () => {
    returnFocus();
    onCancel();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    const body: Record<string, string> = {};
    for (const f of fields) body[f.name] = (values[f.name] ?? '').trim();
    if (note.trim()) body.note = note.trim();
    try {
      await completeOperation(operation.id, body);
    } catch (err) {
      // Under its field when the API names one of the form's; otherwise above the form.
      if (err instanceof ApiError && err.field && (err.field === 'note' || fields.some((f) => f.name === err.field))) setFieldErrors({ [err.field]: err.message });
      else setError(messageOf(err));
      setBusy(false);
      return;
    }
    returnFocus();
    onDone(`Operation #${operation.id} recorded as done by hand`);
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
      <h2>{title}</h2>
      <p className="hint">
        What was done in the upstream panel: the license changes as if billrelay had done it, and the task is done. Nothing is charged or refunded.
      </p>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {fields.map((f, i) => (
        <Field key={f.name} label={`${f.label} *`} hint={f.hint} error={fieldErrors[f.name]}>
          {(props) => (
            <input
              {...props}
              name={f.name}
              type={f.type}
              required
              autoFocus={i === 0}
              autoComplete="off"
              value={values[f.name] ?? ''}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <Field label="Note (optional)" hint="What was done, for the license history and the audit log" error={fieldErrors.note}>
        {(props) => <input {...props} name="note" maxLength={500} autoFocus={fields.length === 0} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <div className="form-buttons">
        <button type="button" className="secondary" onClick={cancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          {busy ? 'Recording…' : 'Record as done'}
        </button>
      </div>
    </form>
  );
}

/** Asks why the operation is given up, saying what happens to the money; null when they cancel. */
export function askAbandonReason(o: Pick<Operation, 'id' | 'kind'>): string | null {
  const consequence = o.kind === 'open' ? ' The order is cancelled: the client is refunded and the license deleted.' : ' What the client paid for it is refunded.';
  const reason = window.prompt(`Abandon operation #${o.id} (${words(o.kind)}) for good? Its task is closed.${consequence} Reason:`);
  return reason === null || !reason.trim() ? null : reason;
}

export const completeOperation = (id: number, body: Record<string, string>) => api.post(`/operations/${id}/complete`, body);
export const abandonOperation = (id: number, reason: string) => api.post(`/operations/${id}/abandon`, { reason });
