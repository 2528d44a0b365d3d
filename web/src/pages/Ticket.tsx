// One ticket for staff: its facts (client, license, department, status, performer, due), the conversation
// (the client's and staff's messages; internal notes marked as such), a reply or internal note with files,
// and the actions Take, Move to another department and Close.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, NativeSelect, Paper, Stack, Text } from '@mantine/core';
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
import { Conversation, TicketReplyForm, useCloseTicket } from '../components/TicketParts';
import { AppLink, dash, fieldError, Instant, ItemDialog, Loading, PageTitle, QueryError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { useAllDepartments } from './Employees';
import { DueTime, Performer, TicketStatusBadge, TICKETS_POLL } from './Tickets';

export function TicketPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const me = useMe();
  const canChange = useCan('tickets.change');
  const act = useAct();
  const [moving, setMoving] = useState<Ticket | null>(null);
  const { data: ticket, error } = useQuery({
    queryKey: ['tickets', id],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: TICKETS_POLL,
  });

  const take = (x: Ticket) => act.mutate({ run: () => unwrap(client.POST('/api/v1/tickets/{id}/take', { params: { path: { id: String(x.id) } } })), done: t('tickets.taken', { id: x.id }) });
  const closing = useCloseTicket(ticket, 'staff', act);

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
                  <Button variant="outline" color="red" size="sm" disabled={act.isPending} onClick={closing.ask}>
                    {t('tickets.close')}
                  </Button>
                )}
              </Group>
            )}
          </Paper>
          <Conversation ticket={ticket} />
          {canChange && <TicketReplyForm ticket={ticket} side="staff" />}
          <ItemDialog item={moving} onClose={() => setMoving(null)} title={(x) => t('tickets.moveTitle', { id: x.id })}>
            {(x) => <MoveForm ticket={x} onClose={() => setMoving(null)} />}
          </ItemDialog>
          {closing.dialog}
        </Stack>
      )}
    </>
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
