// A license's status as its owner reads it: the badge, and what is under way in plain words (no operation
// numbers, which are staff's). The text is a live region: it changes by itself while the page polls.
import { useTranslation } from 'react-i18next';
import type { License } from '../api/types';
import { StatusBadge } from '../components/ui';

const KINDS = ['open', 'prolong', 'set_params', 'new_key', 'change_tariff'] as const;

export function ClientLicenseStatus({ license: l }: { license: Pick<License, 'status' | 'pendingOperations'> }) {
  const { t } = useTranslation();
  const waiting = l.pendingOperations.map((o) => {
    const kind = KINDS.find((k) => k === o.kind) ?? 'other';
    return o.status === 'manual' ? `${t(`clientArea.license.pending.${kind}`)} (${t('clientArea.license.pending.manual')})` : t(`clientArea.license.pending.${kind}`);
  });
  return (
    <span aria-live="polite">
      <StatusBadge status={l.status} />
      {waiting.length > 0 && <span className="muted"> {[...new Set(waiting)].join('; ')}</span>}
    </span>
  );
}
