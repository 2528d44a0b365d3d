// What the staff ticket pages and the client's support pages share: the conversation (messages in order,
// their files downloadable, internal notes marked), a file's size in words, and the file field of a message
// (each file uploaded as it is picked, the server's refusal — too big, a type it does not take — under the
// field in words).
import { Anchor, Button, Text, Title } from '@mantine/core';
import { useId, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import type { Attachment, Ticket, TicketMessage } from '../api/types';
import { useDescribeError } from '../errors';
import { useFormat } from '../format';
import { Instant } from './ui';

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
