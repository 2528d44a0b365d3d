// One of the client's tickets: its facts (number, status in their words, department, license, opened), the
// conversation (theirs and support's answers; the API never gives a client an internal note) with the files
// to download, a reply with files, and "Close the ticket" behind a confirmation. A reply to a closed ticket
// opens it again (the API does that), which the form says. Someone else's ticket is the API's 404.
import { Button, Group, Paper, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../../api/client';
import { useAct } from '../../api/queries';
import { Crumbs, Facts } from '../../components/Details';
import { Conversation, TicketReplyForm, useCloseTicket } from '../../components/TicketParts';
import { AppLink, dash, Instant, Loading, PageTitle, QueryError } from '../../components/ui';
import { TICKETS_POLL } from '../../pages/Tickets';
import { ClientTicketStatus } from './Support';

export function SupportTicketPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const act = useAct();
  const { data: ticket, error } = useQuery({
    queryKey: ['tickets', id],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/{id}', { params: { path: { id: String(id) } } })),
    refetchInterval: TICKETS_POLL,
    retry: false,
  });
  const closing = useCloseTicket(ticket, 'client', act);
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
                <Button variant="outline" color="red" size="sm" disabled={act.isPending} onClick={closing.ask}>
                  {t('clientSupport.close')}
                </Button>
              </Group>
            )}
          </Paper>
          <Conversation ticket={ticket} role={role} />
          <TicketReplyForm ticket={ticket} side="client" />
          {closing.dialog}
        </Stack>
      )}
    </>
  );
}
