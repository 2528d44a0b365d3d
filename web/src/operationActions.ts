// What staff are asked before ending a manual operation, on the operations page and from a task.
import { api, type Operation } from './api';
import { words } from './ui';

/** Asks for what a person who did the operation by hand saw, kind by kind; null when they cancel. */
export function askCompletion(o: Pick<Operation, 'id' | 'kind'>): Record<string, string> | null {
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
    if (value === null) return null;
    body[field] = value;
  }
  const note = window.prompt(`What was done for operation #${o.id} (${words(o.kind)})? (optional, for the history)`);
  if (note === null) return null;
  if (note.trim()) body.note = note;
  return body;
}

/** Asks why the operation is given up, saying what happens to the money; null when they cancel. */
export function askAbandonReason(o: Pick<Operation, 'id' | 'kind'>): string | null {
  const consequence = o.kind === 'open' ? ' The order is cancelled: the client is refunded and the license deleted.' : ' What the client paid for it is refunded.';
  const reason = window.prompt(`Abandon operation #${o.id} (${words(o.kind)}) for good? Its task is closed.${consequence} Reason:`);
  return reason === null || !reason.trim() ? null : reason;
}

export const completeOperation = (id: number, body: Record<string, string>) => api.post(`/operations/${id}/complete`, body);
export const abandonOperation = (id: number, reason: string) => api.post(`/operations/${id}/abandon`, { reason });
