// The client's support center: their tickets (newest activity first) with the status in their words —
// "waiting for your answer" stands out — and "New ticket": a department offered to them (each with its
// ticket category's description), subject, message, the license it concerns if any, and files (uploaded as
// picked; a refusal — too big, a type not taken — under the field in words). Read again every little while:
// support answers by itself.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Badge, Button, Group, NativeSelect, Pagination, Paper, Radio, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { client, unwrap } from '../../api/client';
import { keys, notifyDone } from '../../api/queries';
import type { TicketStatus, TicketSummary } from '../../api/types';
import { FileField, MAX_BODY, useUploads } from '../../components/TicketParts';
import { AppLink, DataTable, fieldError, Instant, Loading, PageTitle, QueryError, type Column } from '../../components/ui';
import { showUnderField, useDescribeError } from '../../errors';
import { TICKETS_POLL } from '../../pages/Tickets';
import { z } from '../../zod';

const PER_PAGE = 50;
const MAX_SUBJECT = 200;
const COLORS: Record<TicketStatus, string> = { new: 'blue', answered: 'green', waiting_for_client: 'orange', closed: 'gray' };

/** A ticket's status as the client reads it ("waiting for your answer", not "waiting for client"). */
export function ClientTicketStatus({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Badge className="status" color={COLORS[status]} variant="light" tt="none" radius="sm">
      {t(`clientSupport.statuses.${status}`)}
    </Badge>
  );
}

export function SupportPage() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [writing, setWriting] = useState(false);
  const query = { page, perPage: PER_PAGE };
  const { data, error } = useQuery({
    queryKey: ['tickets', query],
    queryFn: () => unwrap(client.GET('/api/v1/tickets', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: TICKETS_POLL,
  });
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  const waiting = data?.items.filter((x) => x.status === 'waiting_for_client').length ?? 0;
  const columns: Column<TicketSummary>[] = [
    {
      key: 'subject',
      title: t('clientSupport.subject'),
      className: 'ticket-subject',
      cell: (x) => (
        <>
          <AppLink to={`/support/${x.id}`}>{x.subject}</AppLink>
          <span className="sub">#{x.id}</span>
        </>
      ),
    },
    { key: 'status', title: t('clientSupport.status'), cell: (x) => <ClientTicketStatus status={x.status} /> },
    { key: 'department', title: t('clientSupport.department'), cell: (x) => x.departmentName || `#${x.departmentId}` },
    {
      key: 'activity',
      title: t('clientSupport.lastActivity'),
      cell: (x) => (
        <>
          <Instant iso={x.lastMessageAt} />
          <span className="sub">{x.lastMessageBy === 'client' ? t('clientSupport.byYou') : t('clientSupport.bySupport')}</span>
        </>
      ),
    },
  ];

  return (
    <>
      <PageTitle>{t('clientArea.menu.support')}</PageTitle>
      {writing ? (
        <NewTicket onClose={() => setWriting(false)} />
      ) : (
        <Group>
          <Button size="sm" onClick={() => setWriting(true)}>
            {t('clientSupport.newTicket')}
          </Button>
        </Group>
      )}
      <Title order={2} mt="lg" mb="xs">
        {t('clientSupport.list')}
      </Title>
      {waiting > 0 && (
        <Text className="low" mb="xs">
          {t('clientSupport.waitingNote', { count: waiting })}
        </Text>
      )}
      <QueryError error={error} />
      <DataTable
        label={t('clientSupport.list')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('clientSupport.empty')}
        rowClass={(x) => (x.status === 'waiting_for_client' ? 'waiting-for-you' : undefined)}
      />
      {data && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('clientSupport.count', { count: data.total })}
          </Text>
        </Group>
      )}
    </>
  );
}

function NewTicket({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const files = useUploads();
  const [failure, setFailure] = useState<string | null>(null);
  const departments = useQuery({
    queryKey: ['tickets', 'departments'],
    queryFn: () => unwrap(client.GET('/api/v1/tickets/departments')),
  });
  const licenses = useQuery({
    queryKey: [...keys.licenses, { perPage: 500 }],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query: { perPage: 500 } } })),
  });
  const schema = useMemo(
    () =>
      z.object({
        departmentId: z.string().regex(/^\d+$/, t('clientSupport.departmentRequired')),
        subject: z.string().trim().min(1, t('clientSupport.subjectRequired')).max(MAX_SUBJECT, t('clientSupport.subjectTooLong', { max: MAX_SUBJECT })),
        body: z.string().trim().min(1, t('clientSupport.messageRequired')).max(MAX_BODY, t('clientSupport.messageTooLong', { max: MAX_BODY })),
        licenseId: z.string(),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { departmentId: '', subject: '', body: '', licenseId: '' },
  });
  const { errors } = form.formState;
  const offered = departments.data?.items ?? [];
  // One department: nothing to choose.
  const only = offered.length === 1 ? String(offered[0]!.id) : '';
  useEffect(() => {
    if (only) form.setValue('departmentId', only);
  }, [only]);
  const live = (licenses.data?.items ?? []).filter((l) => l.status !== 'deleted');

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const ticket = await unwrap(
        client.POST('/api/v1/tickets', {
          body: {
            departmentId: Number(v.departmentId),
            subject: v.subject,
            body: v.body,
            ...(v.licenseId ? { licenseId: Number(v.licenseId) } : {}),
            ...(files.ids.length ? { attachmentIds: files.ids } : {}),
          },
        }),
      );
      notifyDone(t('clientSupport.opened', { id: ticket.id }));
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
      navigate(`/support/${ticket.id}`);
    } catch (error) {
      if (!showUnderField(form, error, ['departmentId', 'subject', 'body', 'licenseId'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-ticket" className="reply-form">
      <Title order={2} id="new-ticket" mb="xs">
        {t('clientSupport.newTitle')}
      </Title>
      <QueryError error={departments.error} />
      {departments.isPending && <Loading />}
      {departments.data && offered.length === 0 && (
        <Alert color="orange" variant="light">
          {t('clientSupport.noDepartments')}
        </Alert>
      )}
      {offered.length > 0 && (
        <form onSubmit={submit} noValidate aria-label={t('clientSupport.newTitle')}>
          <Stack gap="sm">
            <Controller
              control={form.control}
              name="departmentId"
              render={({ field }) => (
                <Radio.Group label={`${t('clientSupport.departmentLabel')} *`} name={field.name} value={field.value} onChange={field.onChange} {...fieldError(errors.departmentId?.message)}>
                  <Stack gap="xs" mt={4}>
                    {offered.map((d) => (
                      <Radio key={d.id} value={String(d.id)} label={d.name} description={d.description ?? undefined} />
                    ))}
                  </Stack>
                </Radio.Group>
              )}
            />
            <TextInput label={`${t('clientSupport.subjectLabel')} *`} maxLength={MAX_SUBJECT} {...form.register('subject')} {...fieldError(errors.subject?.message)} />
            <Textarea label={`${t('clientSupport.message')} *`} autosize minRows={5} maxRows={16} {...form.register('body')} {...fieldError(errors.body?.message)} />
            {live.length > 0 && (
              <NativeSelect
                label={t('clientSupport.license')}
                className="filter"
                data={[{ value: '', label: t('clientSupport.noLicense') }, ...live.map((l) => ({ value: String(l.id), label: `${l.licenseName} (${l.ip})` }))]}
                {...form.register('licenseId')}
                {...fieldError(errors.licenseId?.message)}
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
                {t('clientSupport.submit')}
              </Button>
              <Button variant="default" onClick={onClose}>
                {t('clientSupport.cancel')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
