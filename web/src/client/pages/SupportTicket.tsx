// One of the client's tickets: its facts (number, status in their words, department, license, opened), the
// conversation (theirs and support's answers; the API never gives a client an internal note) with the files
// to download, a reply with files, and "Close the ticket" behind a confirmation. A reply to a closed ticket
// opens it again (the API does that), which the form says. Someone else's ticket is the API's 404.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../../api/client';
import { notifyDone, useAct } from '../../api/queries';
import type { Ticket } from '../../api/types';
import { Crumbs, Facts } from '../../components/Details';
import { Conversation, FileField, MAX_BODY, useUploads } from '../../components/TicketParts';
import { AppLink, ConfirmModal, dash, fieldError, Instant, Loading, PageTitle, QueryError } from '../../components/ui';
import { showUnderField, useDescribeError } from '../../errors';
import { TICKETS_POLL } from '../../pages/Tickets';
import { z } from '../../zod';
import { ClientTicketStatus } from './Support';

export function SupportTicketPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const act = useAct();
  const [closing, setClosing] = useState(false);
  const { data: ticket, error } = useQuery({
    queryKey: ['tickets', id],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: TICKETS_POLL,
    retry: false,
  });
  const close = (x: Ticket) =>
    act.mutate(
      { run: () => unwrap(client.POST('/api/v1/tickets/{id}/close', { params: { path: { id: String(x.id) } } })), done: t('clientSupport.closed', { id: x.id }) },
      { onSettled: () => setClosing(false) },
    );
  const role = (kind: 'client' | 'employee') => (kind === 'client' ? t('clientSupport.you') : t('clientSupport.support'));

  return (
    <>
      <Crumbs trail={[[t('clientArea.menu.support'), '/support']]} />
      <PageTitle>{ticket ? ticket.subject : t('clientSupport.one', { id })}</PageTitle>
      <QueryError error={error} />
      {error && <AppLink to="/support">{t('clientSupport.backToList')}</AppLink>}
      {!ticket && !error && <Loading />}
      {ticket && (
        <Stack>
          <Paper withBorder p="md">
            <Facts
              items={[
                [t('clientSupport.number'), `#${ticket.id}`],
                [t('clientSupport.status'), <ClientTicketStatus key="s" status={ticket.status} />],
                [t('clientSupport.department'), ticket.departmentName || `#${ticket.departmentId}`],
                [t('clientSupport.license'), ticket.licenseId ? <AppLink key="l" to={`/licenses/${ticket.licenseId}`}>{ticket.licenseName || `#${ticket.licenseId}`}</AppLink> : dash],
                [t('clientSupport.opened_at'), <Instant key="o" iso={ticket.createdAt} />],
              ]}
            />
            {ticket.status !== 'closed' && (
              <Group gap="xs">
                <Button variant="outline" color="red" size="sm" disabled={act.isPending} onClick={() => setClosing(true)}>
                  {t('clientSupport.close')}
                </Button>
              </Group>
            )}
          </Paper>
          <Conversation ticket={ticket} role={role} />
          <ReplyForm ticket={ticket} />
          <ConfirmModal
            opened={closing}
            title={t('clientSupport.closeTitle', { id: ticket.id })}
            confirmLabel={t('clientSupport.closeConfirm')}
            busy={act.isPending}
            onClose={() => setClosing(false)}
            onConfirm={() => close(ticket)}
          >
            {t('clientSupport.closeQuestion', { subject: ticket.subject })}
          </ConfirmModal>
        </Stack>
      )}
    </>
  );
}

function ReplyForm({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const files = useUploads();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () => z.object({ body: z.string().trim().min(1, t('clientSupport.messageRequired')).max(MAX_BODY, t('clientSupport.messageTooLong', { max: MAX_BODY })) }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { body: '' } });
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      await unwrap(
        client.POST('/api/v1/tickets/{id}/messages', {
          params: { path: { id: String(ticket.id) } },
          body: { body: v.body, ...(files.ids.length ? { attachmentIds: files.ids } : {}) },
        }),
      );
      notifyDone(t('clientSupport.sent'));
      form.reset({ body: '' });
      files.reset();
    } catch (error) {
      if (!showUnderField(form, error, ['body'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    }
  });
  const closed = ticket.status === 'closed';
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="ticket-reply" className="reply-form">
      <Title order={2} id="ticket-reply" mb="xs">
        {t('clientSupport.replyTitle')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('clientSupport.replyTitle')}>
        <Stack gap="sm">
          {closed ? (
            <Alert color="blue" variant="light">
              {t('clientSupport.reopenNote')}
            </Alert>
          ) : (
            <Text size="sm" c="dimmed">
              {t('clientSupport.closedNote')}
            </Text>
          )}
          <Textarea label={`${t('clientSupport.message')} *`} autosize minRows={4} maxRows={16} {...form.register('body')} {...fieldError(form.formState.errors.body?.message)} />
          <FileField files={files} />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting} disabled={files.uploading}>
              {t('clientSupport.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
