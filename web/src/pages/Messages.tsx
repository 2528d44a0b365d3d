// Tools → Messages: the e-mail outbox. Every e-mail billrelay writes (license active, renewed, a payment
// booked…) is here with its state; without SMTP configured they wait here, nothing is lost. A message
// shows its plain text, or its HTML in a sandboxed frame (no scripts, no same origin). A failed one can
// be sent again.
import { Alert, Button, Group, NativeSelect, Pagination, Paper, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { useAct } from '../api/queries';
import type { paths } from '../api/schema';
import { useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { AppLink, ConfirmModal, dash, DataTable, Instant, Loading, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';

type MessageList = paths['/api/v1/messages']['get']['responses'][200]['content']['application/json'];
type MessageSummary = MessageList['items'][number];
type MessageStatus = MessageSummary['status'];

const STATUSES: MessageStatus[] = ['failed', 'pending', 'sending', 'sent'];
const PER_PAGE = 50;
const POLL_MS = 10_000;

export function MessagesPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const asked = params.get('status') as MessageStatus | null;
  const status = asked && STATUSES.includes(asked) ? asked : undefined;
  const recipient = params.get('recipient') ?? '';
  const [recipientText, setRecipientText] = useState(recipient);
  useEffect(() => setRecipientText(recipient), [recipient]);
  const [retrying, setRetrying] = useState<MessageSummary | null>(null);
  const act = useAct();
  const mayRetry = useCan('messages.change');

  const setFilters = (next: { status?: string; recipient?: string; page?: number }) => {
    const values = { status: status ?? '', recipient, ...next };
    const out: Record<string, string> = {};
    if (values.status) out.status = values.status;
    if (values.recipient) out.recipient = values.recipient;
    if (next.page && next.page > 1) out.page = String(next.page);
    setParams(out);
  };
  const query = { page, perPage: PER_PAGE, ...(status ? { status } : {}), ...(recipient ? { recipient } : {}) };
  const { data, error } = useQuery({
    queryKey: ['messages', query],
    queryFn: () => unwrap(client.GET('/api/v1/messages', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;

  const columns: Column<MessageSummary>[] = [
    { key: 'id', title: t('messages.id'), cell: (m) => <AppLink to={`/messages/${m.id}`}>{m.id}</AppLink>, className: 'num' },
    { key: 'status', title: t('common.status'), cell: (m) => <StatusBadge status={m.status} title={m.lastError ?? undefined} /> },
    { key: 'recipient', title: t('messages.recipient'), cell: (m) => <span className="reference">{m.recipientAddress}</span> },
    { key: 'subject', title: t('messages.subject'), cell: (m) => <AppLink to={`/messages/${m.id}`}>{m.subject}</AppLink> },
    { key: 'event', title: t('messages.event'), cell: (m) => t(`messages.events.${m.event}` as never, { defaultValue: m.event }) },
    { key: 'created', title: t('messages.created'), cell: (m) => <Instant iso={m.createdAt} /> },
    { key: 'sent', title: t('messages.sentAt'), cell: (m) => (m.sentAt ? <Instant iso={m.sentAt} /> : dash) },
    {
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (m) =>
        m.status === 'failed' && mayRetry ? (
          <RowActions>
            <Button size="compact-sm" variant="default" aria-label={t('messages.retryNamed', { id: m.id })} disabled={act.isPending} onClick={() => setRetrying(m)}>
              {t('messages.retry')}
            </Button>
          </RowActions>
        ) : null,
    },
  ];

  return (
    <>
      <PageTitle>{t('menu.items.messages')}</PageTitle>
      {data && !data.smtpConfigured && (
        <Alert color="yellow" className="dialog-section">
          {t('messages.noSmtp')}
        </Alert>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ recipient: recipientText.trim() });
        }}
      >
        <Group className="toolbar" align="flex-end">
          <NativeSelect
            label={t('common.status')}
            className="filter"
            value={status ?? ''}
            data={[{ value: '', label: t('common.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}` as never, { defaultValue: s }) }))]}
            onChange={(e) => setFilters({ status: e.currentTarget.value })}
          />
          <TextInput label={t('messages.recipient')} className="filter" value={recipientText} onChange={(e) => setRecipientText(e.currentTarget.value)} />
          <Button type="submit" variant="default">
            {t('messages.apply')}
          </Button>
        </Group>
      </form>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.messages')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('messages.empty')}
        rowClass={(m) => (m.status === 'failed' ? 'attention-row' : undefined)}
      />
      {data && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={(p) => setFilters({ page: p })} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('messages.count', { count: data.total })}
          </Text>
        </Group>
      )}
      <RetryConfirm message={retrying} busy={act.isPending} onClose={() => setRetrying(null)} onRetry={(m) => act.mutate({ run: () => retry(m.id), done: t('messages.retried', { id: m.id }) }, { onSettled: () => setRetrying(null) })} />
    </>
  );
}

const retry = (id: number) => unwrap(client.POST('/api/v1/messages/{id}/retry', { params: { path: { id: String(id) } }, body: {} }));

/** Sending again may deliver twice when the last try's outcome is unknown: say so before doing it. */
function RetryConfirm({ message, busy, onClose, onRetry }: { message: Pick<MessageSummary, 'id' | 'recipientAddress' | 'lastError'> | null; busy: boolean; onClose: () => void; onRetry: (m: Pick<MessageSummary, 'id'>) => void }) {
  const { t } = useTranslation();
  return (
    <ConfirmModal opened={message !== null} title={t('messages.retryTitle')} confirmLabel={t('messages.retry')} busy={busy} onClose={onClose} onConfirm={() => message && onRetry(message)}>
      {message && (
        <>
          <Text>{t('messages.retryQuestion', { to: message.recipientAddress })}</Text>
          {message.lastError && (
            <Text size="sm" c="dimmed" className="dialog-section">
              {t('messages.lastError')}: {message.lastError}
            </Text>
          )}
        </>
      )}
    </ConfirmModal>
  );
}

export function MessagePage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const [view, setView] = useState<'text' | 'html'>('text');
  const [retrying, setRetrying] = useState(false);
  const act = useAct();
  const mayRetry = useCan('messages.change');
  const { data: m, error } = useQuery({
    queryKey: ['messages', id],
    queryFn: () => unwrap(client.GET('/api/v1/messages/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: POLL_MS,
  });
  return (
    <>
      <Crumbs trail={[[t('menu.items.messages'), '/messages']]} />
      <PageTitle>{m ? m.subject : t('messages.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!m && !error && <Loading />}
      {m && (
        <>
          <Paper withBorder p="md">
            <Facts
              items={[
                [t('common.status'), <StatusBadge key="s" status={m.status} />],
                [t('messages.recipient'), m.recipientName ? `${m.recipientName} <${m.recipientAddress}>` : m.recipientAddress],
                [t('messages.event'), t(`messages.events.${m.event}` as never, { defaultValue: m.event })],
                [t('messages.language'), m.locale],
                [t('messages.concerns'), <Concerns key="x" message={m} />],
                [t('messages.attempts'), m.attempts],
                [t('messages.nextAttempt'), m.status === 'pending' ? <Instant key="n" iso={m.nextAttemptAt} /> : dash],
                [t('messages.lastError'), m.lastError ?? dash],
                [t('messages.created'), <Instant key="c" iso={m.createdAt} />],
                [t('messages.sentAt'), m.sentAt ? <Instant key="t" iso={m.sentAt} /> : dash],
              ]}
            />
            {m.status === 'failed' && mayRetry && (
              <Group className="dialog-section">
                <Button variant="default" disabled={act.isPending} onClick={() => setRetrying(true)}>
                  {t('messages.retry')}
                </Button>
              </Group>
            )}
          </Paper>
          <Paper withBorder p="md" className="dialog-section">
            <Group gap="xs" role="group" aria-label={t('messages.show')}>
              <Button size="compact-sm" variant={view === 'text' ? 'filled' : 'default'} aria-pressed={view === 'text'} onClick={() => setView('text')}>
                {t('messages.textVersion')}
              </Button>
              <Button size="compact-sm" variant={view === 'html' ? 'filled' : 'default'} aria-pressed={view === 'html'} onClick={() => setView('html')}>
                {t('messages.htmlVersion')}
              </Button>
            </Group>
            {view === 'text' ? (
              <pre className="message-text">{m.text}</pre>
            ) : (
              // sandbox="" : no scripts, no forms, no same origin; the HTML was escaped when written, this is a second wall.
              <iframe className="message-html" title={t('messages.htmlVersion')} sandbox="" srcDoc={m.html} />
            )}
          </Paper>
          <RetryConfirm
            message={retrying ? m : null}
            busy={act.isPending}
            onClose={() => setRetrying(false)}
            onRetry={(x) => act.mutate({ run: () => retry(x.id), done: t('messages.retried', { id: x.id }) }, { onSettled: () => setRetrying(false) })}
          />
        </>
      )}
    </>
  );
}

function Concerns({ message: m }: { message: Pick<MessageSummary, 'clientId' | 'entityType' | 'entityId'> }) {
  const { t } = useTranslation();
  const parts = [];
  if (m.clientId) parts.push(<AppLink key="c" to={`/clients/${m.clientId}`}>{t('messages.client', { id: m.clientId })}</AppLink>);
  if (m.entityType === 'license' && m.entityId) parts.push(<AppLink key="l" to={`/licenses/${m.entityId}`}>{t('messages.license', { id: m.entityId })}</AppLink>);
  if (!parts.length) return dash;
  return <Group gap="xs">{parts}</Group>;
}
