// What the staff ticket pages and the client's support pages share: the conversation (messages in order,
// their files downloadable, internal notes marked), a file's size in words, and the file field of a message
// (each file uploaded as it is picked, the server's refusal — too big, a type it does not take — under the
// field in words), the reply form (a client's reply; staff's reply or internal note with the status after it)
// and closing a ticket behind a confirmation.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, Checkbox, Group, NativeSelect, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type ChangeEvent, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { notifyDone, useAct } from '../api/queries';
import type { Attachment, Ticket, TicketMessage } from '../api/types';
import { showUnderField, useDescribeError } from '../errors';
import { useFormat } from '../format';
import { z } from '../zod';
import { ConfirmModal, fieldError, Instant } from './ui';

/** At most this many files per message (the API's limit). */
export const MAX_FILES = 10;
/** A message's longest body (the API's limit). */
export const MAX_BODY = 20_000;

/** A file's size in words: bytes, KB or MB. */
export function useFileSize() {
  const { t } = useTranslation();
  const f = useFormat();
  return (size: number) =>
    size < 1024
      ? t('tickets.size.b', { n: f.number(size) })
      : size < 1024 * 1024
        ? t('tickets.size.kb', { n: f.number(Math.round(size / 102.4) / 10) })
        : t('tickets.size.mb', { n: f.number(Math.round(size / (1024 * 102.4)) / 10) });
}

/** A message's files, each a download link with its size and type. */
export function TicketFiles({ files }: { files: TicketMessage['attachments'] }) {
  const { t } = useTranslation();
  const size = useFileSize();
  if (!files.length) return null;
  return (
    <ul className="ticket-files" aria-label={t('tickets.attachments')}>
      {files.map((a) => (
        <li key={a.id}>
          <Anchor href={`/api/v1/attachments/${a.id}`} download={a.fileName} aria-label={t('tickets.download', { name: a.fileName })}>
            {a.fileName}
          </Anchor>{' '}
          <span className="muted">
            ({size(a.size)}, {a.contentType})
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The ticket's messages, oldest first. `role` names who wrote one (staff: "Client" / "Staff"; the client:
 * "You" / "Support"); internal notes (staff only — the API never gives them to a client) are marked in words.
 */
export function Conversation({ ticket, role }: { ticket: Ticket; role?: (kind: TicketMessage['authorKind']) => string }) {
  const { t } = useTranslation();
  const roleOf = role ?? ((kind: TicketMessage['authorKind']) => (kind === 'client' ? t('tickets.authorClient') : t('tickets.authorStaff')));
  const messages = [...ticket.messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
  return (
    <section aria-labelledby="ticket-conversation">
      <Title order={2} id="ticket-conversation" mb="xs">
        {t('tickets.conversation')}
      </Title>
      {messages.length === 0 && <Text className="muted">{t('tickets.noMessages')}</Text>}
      <ol className="ticket-thread">
        {messages.map((m) => {
          const kind = m.internal ? 'internal' : m.authorKind === 'client' ? 'from-client' : 'from-staff';
          return (
            <li key={m.id} className={`ticket-message ${kind}`} data-id={m.id}>
              <article aria-label={m.internal ? t('tickets.internalNote') : `${m.authorName}, ${roleOf(m.authorKind)}`}>
                <header className="ticket-message-head">
                  <strong>{m.authorName || `#${m.authorId}`}</strong>
                  <span className="ticket-role">{roleOf(m.authorKind)}</span>
                  <Instant iso={m.createdAt} />
                </header>
                {m.internal && <p className="internal-label">{t('tickets.internalNote')}</p>}
                <div className="ticket-body">{m.body}</div>
                <TicketFiles files={m.attachments} />
              </article>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

interface Upload {
  key: string;
  name: string;
  attachment?: Attachment;
}

/** One file to the server as it is (its type in Content-Type, its name in ?name=). */
export function uploadFile(file: File): Promise<Attachment> {
  return unwrap(
    client.POST('/api/v1/attachments', {
      params: { query: { name: file.name } },
      body: file as never,
      bodySerializer: (body: unknown) => body as BodyInit,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    } as never),
  ) as Promise<Attachment>;
}

/** The files of a message being written: uploaded as picked; their ids go with the message. */
export function useUploads() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  return {
    uploads,
    setUploads,
    errors,
    setErrors,
    /** The uploaded files' ids, for attachmentIds. */
    ids: uploads.flatMap((u) => (u.attachment ? [u.attachment.id] : [])),
    /** A file is still on its way: the message waits for it. */
    uploading: uploads.some((u) => !u.attachment),
    reset() {
      setUploads([]);
      setErrors([]);
    },
  };
}

export type Uploads = ReturnType<typeof useUploads>;

/** "Attach files": a native file input, the files uploaded so far (each removable), and why any was refused. */
export function FileField({ files }: { files: Uploads }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const size = useFileSize();
  const fileInput = useId();
  const fileHint = useId();
  const { uploads, setUploads, setErrors } = files;

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const picked = [...(e.currentTarget.files ?? [])];
    e.currentTarget.value = '';
    const room = MAX_FILES - uploads.length;
    setErrors(picked.length > room ? [t('tickets.tooManyFiles', { max: MAX_FILES })] : []);
    await Promise.all(
      picked.slice(0, Math.max(0, room)).map(async (file) => {
        const key = crypto.randomUUID();
        setUploads((list) => [...list, { key, name: file.name }]);
        try {
          const attachment = await uploadFile(file);
          setUploads((list) => list.map((u) => (u.key === key ? { ...u, attachment } : u)));
        } catch (error) {
          setUploads((list) => list.filter((u) => u.key !== key));
          setErrors((list) => [...list, t('tickets.uploadFailed', { name: file.name, reason: describe(error) })]);
        }
      }),
    );
  };

  return (
    <div className="file-field">
      <label htmlFor={fileInput} className="file-label">
        {t('tickets.files')}
      </label>
      <input id={fileInput} type="file" multiple aria-describedby={fileHint} onChange={pick} disabled={uploads.length >= MAX_FILES} />
      <Text id={fileHint} size="xs" c="dimmed">
        {t('tickets.filesHint', { max: MAX_FILES })}
      </Text>
      {uploads.length > 0 && (
        <ul className="ticket-files">
          {uploads.map((u) => (
            <li key={u.key}>
              {u.attachment ? (
                <>
                  {u.attachment.fileName}{' '}
                  <span className="muted">
                    ({size(u.attachment.size)}, {u.attachment.contentType})
                  </span>{' '}
                  <Button size="compact-xs" variant="subtle" color="red" aria-label={t('tickets.removeFile', { name: u.name })} onClick={() => setUploads((list) => list.filter((x) => x.key !== u.key))}>
                    ✕
                  </Button>
                </>
              ) : (
                <span role="status">{t('tickets.uploading', { name: u.name })}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {files.errors.map((message) => (
        <Text key={message} c="red.9" size="sm" role="alert">
          {message}
        </Text>
      ))}
    </div>
  );
}

/** Who is looking at the ticket: the client (its support pages) or staff (Tools → Tickets). */
export type TicketSide = 'client' | 'staff';

/** The statuses staff may leave a ticket in with their reply. */
const AFTER = ['answered', 'waiting_for_client', 'closed'] as const;

/**
 * The reply form under the conversation. A client writes a reply (to a closed ticket: it opens it again,
 * which the form says). Staff write a reply with the status it leaves the ticket in, or an internal note
 * the client never sees.
 */
export function TicketReplyForm({ ticket, side }: { ticket: Ticket; side: TicketSide }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const files = useUploads();
  const [failure, setFailure] = useState<string | null>(null);
  const staff = side === 'staff';
  const schema = useMemo(
    () =>
      z.object({
        body: staff
          ? z.string().trim().min(1, t('tickets.bodyRequired')).max(MAX_BODY, t('tickets.bodyTooLong', { max: MAX_BODY }))
          : z.string().trim().min(1, t('clientSupport.messageRequired')).max(MAX_BODY, t('clientSupport.messageTooLong', { max: MAX_BODY })),
        internal: z.boolean(),
        status: z.enum(AFTER),
      }),
    [t, staff],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { body: '', internal: false, status: ticket.status === 'waiting_for_client' ? 'waiting_for_client' : 'answered' };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const internal = staff && form.watch('internal');
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const attachmentIds = files.ids;
    try {
      await unwrap(
        client.POST('/api/v1/tickets/{id}/messages', {
          params: { path: { id: String(ticket.id) } },
          body: {
            body: v.body,
            ...(staff ? { internal: v.internal, ...(v.internal ? {} : { status: v.status }) } : {}),
            ...(attachmentIds.length ? { attachmentIds } : {}),
          },
        }),
      );
      notifyDone(!staff ? t('clientSupport.sent') : v.internal ? t('tickets.noted') : t('tickets.sent'));
      form.reset({ ...defaults, status: v.status === 'closed' ? 'answered' : v.status });
      files.reset();
    } catch (error) {
      if (!showUnderField(form, error, staff ? ['body', 'status'] : ['body'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    }
  });

  const title = !staff ? t('clientSupport.replyTitle') : internal ? t('tickets.noteForm') : t('tickets.replyForm');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="ticket-reply" className={internal ? 'reply-form internal' : 'reply-form'}>
      <Title order={2} id="ticket-reply" mb="xs">
        {title}
      </Title>
      <form onSubmit={submit} noValidate aria-label={title}>
        <Stack gap="sm">
          {!staff &&
            (ticket.status === 'closed' ? (
              <Alert color="blue" variant="light">
                {t('clientSupport.reopenNote')}
              </Alert>
            ) : (
              <Text size="sm" c="dimmed">
                {t('clientSupport.closedNote')}
              </Text>
            ))}
          <Textarea
            label={`${staff ? t('tickets.body') : t('clientSupport.message')} *`}
            autosize
            minRows={4}
            maxRows={16}
            {...form.register('body')}
            {...fieldError(form.formState.errors.body?.message)}
          />
          {staff && <Checkbox label={t('tickets.internal')} {...form.register('internal')} />}
          {staff && !internal && (
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
              {!staff ? t('clientSupport.send') : internal ? t('tickets.addNote') : t('tickets.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * Closing a ticket behind a confirmation: `ask()` opens the dialog (render `dialog`), `busy` while it runs.
 * `act` is the page's, so its other buttons wait too.
 */
export function useCloseTicket(ticket: Ticket | undefined, side: TicketSide, act: ReturnType<typeof useAct>): { ask: () => void; dialog: ReactNode } {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const ns = side === 'staff' ? 'tickets' : 'clientSupport';
  const close = (x: Ticket) =>
    act.mutate(
      { run: () => unwrap(client.POST('/api/v1/tickets/{id}/close', { params: { path: { id: String(x.id) } } })), done: t(`${ns}.closed`, { id: x.id }) },
      { onSettled: () => setOpened(false) },
    );
  const dialog = ticket && (
    <ConfirmModal
      opened={opened}
      title={t(`${ns}.closeTitle`, { id: ticket.id })}
      confirmLabel={t(`${ns}.closeConfirm`)}
      busy={act.isPending}
      onClose={() => setOpened(false)}
      onConfirm={() => close(ticket)}
    >
      {t(`${ns}.closeQuestion`, { subject: ticket.subject })}
    </ConfirmModal>
  );
  return { ask: () => setOpened(true), dialog };
}
