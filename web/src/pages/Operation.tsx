import { Paper } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { keys, POLL, useAct } from '../api/queries';
import { Crumbs, Facts } from '../components/Details';
import { AbandonDialog, CompleteDialog, type OperationRef } from '../components/OperationDialogs';
import { AppLink, dash, Instant, Loading, PageTitle, QueryError, StatusBadge } from '../components/ui';
import { OperationActions } from './Operations';

export function OperationPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const path = { params: { path: { id: String(id) } } };
  const { data: o, error } = useQuery({
    queryKey: keys.operation(id),
    queryFn: () => unwrap(client.GET('/api/v1/operations/{id}', path)),
    refetchInterval: POLL.operations,
  });
  const act = useAct();
  const [completing, setCompleting] = useState<OperationRef | null>(null);
  const [abandoning, setAbandoning] = useState<OperationRef | null>(null);
  return (
    <>
      <Crumbs trail={[[t('menu.items.operations'), '/operations']]} />
      <PageTitle>{t('operations.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!o && !error && <Loading />}
      {o && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('operations.kind'), t(`kinds.${o.kind}` as never, { defaultValue: o.kind })],
              [t('common.status'), <StatusBadge key="s" status={o.status} />],
              [t('operations.license'), <AppLink key="l" to={`/licenses/${o.licenseId}`}>#{o.licenseId}</AppLink>],
              [t('operations.attempts'), o.attempts],
              [t('operations.nextAttempt'), o.status === 'pending' ? <Instant key="n" iso={o.nextAttemptAt} /> : dash],
              [t('operations.lastError'), o.lastError ? `${o.lastError}${o.lastErrorCode ? ` [${o.lastErrorCode}]` : ''}` : dash],
              [t('operations.created'), <Instant key="c" iso={o.createdAt} />],
              [t('operations.updated'), <Instant key="u" iso={o.updatedAt} />],
            ]}
          />
          <OperationActions
            operation={o}
            busy={act.isPending}
            onRestart={() =>
              act.mutate({ run: () => unwrap(client.POST('/api/v1/operations/{id}/restart', { ...path, body: {} })), done: t('operations.restarted', { id: o.id }) })
            }
            onComplete={() => setCompleting(o)}
            onAbandon={() => setAbandoning(o)}
          />
        </Paper>
      )}
      <CompleteDialog operation={completing} onClose={() => setCompleting(null)} />
      <AbandonDialog operation={abandoning} onClose={() => setAbandoning(null)} />
    </>
  );
}
