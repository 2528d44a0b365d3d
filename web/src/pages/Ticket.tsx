// One ticket for staff: its facts (client, license, department, status, performer, due), the conversation
// (the client's and staff's messages; internal notes marked as such), a reply or internal note with files,
// and the actions Take, Move to another department and Close.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, NativeSelect, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { notifyDone, useAct } from '../api/queries';
import type { Ticket } from '../api/types';
import { useCan, useMe } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { Conversation, FileField, MAX_BODY, useUploads } from '../components/TicketParts';
import { AppLink, ConfirmModal, dash, fieldError, Instant, ItemDialog, Loading, PageTitle, QueryError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { useAllDepartments } from './Employees';
import { DueTime, Performer, TicketStatusBadge, TICKETS_POLL } from './Tickets';

const AFTER = ['answered', 'waiting_for_client', 'closed'] as const;

export function TicketPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const me = useMe();
  const canChange = useCan('tickets.change');
  const act = useAct();
  const [moving, setMoving] = useState<Ticket | null>(null);
  const [closing, setClosing] = useState(false);
  const { data: ticket, error } = useQuery({
    queryKey: ['tickets', id],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: TICKETS_POLL,
  });

  const take = (x: Ticket) => act.mutate({ run: () => unwrap(client.POST('/api/v1/tickets/{id}/take', { params: { path: { id: String(x.id) } } })), done: t('tickets.taken', { id: x.id }) });
  const close = (x: Ticket) =>
    act.mutate(
      { run: () => unwrap(client.POST('/api/v1/tickets/{id}/close', { params: { path: { id: String(x.id) } } })), done: t('tickets.closed', { id: x.id }) },
      { onSettled: () => setClosing(false) },
    );

  return (
    <>
      <Crumbs trail={[[t('menu.items.tickets'), '/tickets']]} />
      <PageTitle>{ticket ? ticket.subject : t('tickets.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!ticket && !error && <Loading />}
      {ticket && (
        <Stack>
          <Paper withBorder p="md">
            <Facts
              items={[
                ['ID', ticket.id],
                [t('tickets.client'), <AppLink key="c" to={`/clients/${ticket.clientId}`}>{ticket.clientName || `#${ticket.clientId}`}</AppLink>],
                [t('tickets.license'), ticket.licenseId ? <AppLink key="l" to={`/licenses/${ticket.licenseId}`}>{ticket.licenseName || `#${ticket.licenseId}`}</AppLink> : dash],
                [t('tickets.department'), ticket.departmentName || `#${ticket.departmentId}`],
                [t('common.status'), <TicketStatusBadge key="s" status={ticket.status} />],
                [t('tickets.performer'), <Performer key="p" ticket={ticket} />],
                [t('tickets.due'), <DueTime key="d" ticket={ticket} />],
                [t('tickets.created'), <Instant key="o" iso={ticket.createdAt} />],
              ]}
            />
            {canChange && (
              <Group gap="xs" role="group" aria-label={t('tickets.actions')}>
                {ticket.performerId !== me.id && ticket.status !== 'closed' && (
                  <Button variant="default" size="sm" disabled={act.isPending} onClick={() => take(ticket)}>
                    {t('tickets.take')}
                  </Button>
                )}
                <Button variant="default" size="sm" disabled={act.isPending} onClick={() => setMoving(ticket)}>
                  {t('tickets.move')}
                </Button>
                {ticket.status !== 'closed' && (
                  <Button variant="outline" color="red" size="sm" disabled={act.isPending} onClick={() => setClosing(true)}>
                    {t('tickets.close')}
                  </Button>
                )}
              </Group>
            )}
          </Paper>
          <Conversation ticket={ticket} />
          {canChange && <ReplyForm ticket={ticket} />}
          <ItemDialog item={moving} onClose={() => setMoving(null)} title={(x) => t('tickets.moveTitle', { id: x.id })}>
            {(x) => <MoveForm ticket={x} onClose={() => setMoving(null)} />}
          </ItemDialog>
          <ConfirmModal
            opened={closing}
            title={t('tickets.closeTitle', { id: ticket.id })}
            confirmLabel={t('tickets.closeConfirm')}
            busy={act.isPending}
            onClose={() => setClosing(false)}
            onConfirm={() => close(ticket)}
          >
            {t('tickets.closeQuestion', { subject: ticket.subject })}
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
    () =>
      z.object({
        body: z.string().trim().min(1, t('tickets.bodyRequired')).max(MAX_BODY, t('tickets.bodyTooLong', { max: MAX_BODY })),
        internal: z.boolean(),
        status: z.enum(AFTER),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { body: '', internal: false, status: ticket.status === 'waiting_for_client' ? 'waiting_for_client' : 'answered' };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const internal = form.watch('internal');
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const attachmentIds = files.ids;
    try {
      await unwrap(
        client.POST('/api/v1/tickets/{id}/messages', {
          params: { path: { id: String(ticket.id) } },
          body: { body: v.body, internal: v.internal, ...(v.internal ? {} : { status: v.status }), ...(attachmentIds.length ? { attachmentIds } : {}) },
        }),
      );
      notifyDone(v.internal ? t('tickets.noted') : t('tickets.sent'));
      form.reset({ ...defaults, status: v.status === 'closed' ? 'answered' : v.status });
      files.reset();
    } catch (error) {
      if (!showUnderField(form, error, ['body', 'status'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    }
  });

  const title = internal ? t('tickets.noteForm') : t('tickets.replyForm');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="ticket-reply" className={internal ? 'reply-form internal' : 'reply-form'}>
      <Title order={2} id="ticket-reply" mb="xs">
        {title}
      </Title>
      <form onSubmit={submit} noValidate aria-label={title}>
        <Stack gap="sm">
          <Textarea label={`${t('tickets.body')} *`} autosize minRows={4} maxRows={16} {...form.register('body')} {...fieldError(form.formState.errors.body?.message)} />
          <Checkbox label={t('tickets.internal')} {...form.register('internal')} />
          {!internal && (
            <NativeSelect
              label={t('tickets.statusAfter')}
              className="filter"
              data={AFTER.map((s) => ({ value: s, label: t(`tickets.after.${s}`) }))}
              {...form.register('status')}
              {...fieldError(form.formState.errors.status?.message)}
            />
          )}
          <FileField files={files} />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting} disabled={files.uploading}>
              {internal ? t('tickets.addNote') : t('tickets.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * Gives the ticket to another department: any department for whoever may read them all, otherwise those of
 * the client's support center (which the tickets right lists).
 */
function MoveForm({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const canReadDepartments = useCan('departments.read');
  const all = useAllDepartments();
  const offered = useQuery({
    queryKey: ['tickets', 'departments', ticket.clientId],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/departments', { params: { query: { clientId: ticket.clientId } } })),
    enabled: !canReadDepartments,
  });
  const departments = canReadDepartments ? all : offered;
  const choices = canReadDepartments ? (all.data?.items ?? []).map((d) => ({ id: d.id, name: d.displayName })) : (offered.data?.items ?? []);
  const others = choices.filter((d) => d.id !== ticket.departmentId);
  const schema = useMemo(() => z.object({ departmentId: z.string().regex(/^\d+$/, t('tickets.moveRequired')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { departmentId: '' } });
  const submit = form.handleSubmit(async ({ departmentId }) => {
    setFailure(null);
    try {
      const moved = await unwrap(client.POST('/api/v1/tickets/{id}/move', { params: { path: { id: String(ticket.id) } }, body: { departmentId: Number(departmentId) } }));
      notifyDone(t('tickets.moved', { id: ticket.id, department: moved.departmentName }));
      onClose();
    } catch (error) {
      if (!showUnderField(form, error, ['departmentId'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('tickets.moveTitle', { id: ticket.id })}>
      <Stack gap="sm">
        <Text size="sm">{t('tickets.moveIntro')}</Text>
        <QueryError error={departments.error} />
        {departments.isPending && <Loading />}
        {departments.data && others.length === 0 && <Text size="sm">{t('tickets.noOtherDepartment')}</Text>}
        {others.length > 0 && (
          <NativeSelect
            label={`${t('tickets.moveTo')} *`}
            data-autofocus
            data={[{ value: '', label: t('common.choose') }, ...others.map((d) => ({ value: String(d.id), label: d.name }))]}
            {...form.register('departmentId')}
            {...fieldError(form.formState.errors.departmentId?.message)}
          />
        )}
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={others.length === 0} loading={form.formState.isSubmitting}>
            {t('tickets.moveSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
