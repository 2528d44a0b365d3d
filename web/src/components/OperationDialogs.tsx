// What staff are asked before ending an operation that waits for a person, on the operations page, an
// operation's page and from a task: what they did by hand (kind by kind), or why it is given up and what
// that does to the money.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { notifyDone } from '../api/queries';
import type { Operation } from '../api/types';
import { showUnderField, useDescribeError } from '../errors';
import { fieldError, ItemDialog } from './ui';

export type OperationRef = Pick<Operation, 'id' | 'kind'>;

/** The kind's name in the reader's language (the code itself for a kind without a translation). */
function kindName(t: TFunction, op: OperationRef): string {
  return t(`kinds.${op.kind}` as never, { defaultValue: op.kind });
}

/** The fields a person fills in for each kind they did by hand. */
function completionFields(kind: string): ('upstreamId' | 'licenseKey' | 'expiresOn')[] {
  if (kind === 'open') return ['upstreamId', 'licenseKey', 'expiresOn'];
  if (kind === 'prolong') return ['expiresOn'];
  if (kind === 'new_key') return ['licenseKey'];
  return [];
}

export function CompleteDialog({ operation, onClose }: { operation: OperationRef | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ItemDialog item={operation} onClose={onClose} title={(op) => t('operations.completeTitle', { id: op.id, kind: kindName(t, op) })}>
      {(op) => <CompleteForm operation={op} onClose={onClose} />}
    </ItemDialog>
  );
}

function CompleteForm({ operation, onClose }: { operation: OperationRef; onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const wanted = completionFields(operation.kind);
  const schema = useMemo(() => {
    const need = (field: string, check: z.ZodString) => (wanted.includes(field as never) ? check : z.string());
    return z.object({
      upstreamId: need('upstreamId', z.string().trim().min(1, t('operations.upstreamIdRequired')).max(100, t('forms.tooLong', { max: 100 }))),
      licenseKey: need('licenseKey', z.string().trim().min(1, t('operations.licenseKeyRequired')).max(1000, t('forms.tooLong', { max: 1000 }))),
      expiresOn: need('expiresOn', z.string().regex(/^\d{4}-\d{2}-\d{2}$/, t('operations.expiresOnInvalid'))),
      note: z.string().trim().max(2000, t('forms.tooLong', { max: 2000 })),
    });
  }, [t, operation.kind]);
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { upstreamId: '', licenseKey: '', expiresOn: '', note: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    const body = {
      ...Object.fromEntries(wanted.map((f) => [f, values[f].trim()])),
      ...(values.note ? { note: values.note } : {}),
    };
    try {
      await unwrap(client.POST('/api/v1/operations/{id}/complete', { params: { path: { id: String(operation.id) } }, body }));
      notifyDone(t('operations.completed', { id: operation.id }));
      onClose();
    } catch (error) {
      if (!showUnderField(form, error, [...wanted, 'note'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries();
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('operations.completeForm')}>
      <Stack gap="sm">
        <Text size="sm">{t('operations.completeIntro')}</Text>
        {wanted.includes('upstreamId') && <TextInput label={`${t('operations.upstreamId')} *`} autoComplete="off" data-autofocus {...form.register('upstreamId')} {...fieldError(errors.upstreamId?.message)} />}
        {wanted.includes('licenseKey') && <TextInput label={`${t('operations.licenseKey')} *`} autoComplete="off" {...form.register('licenseKey')} {...fieldError(errors.licenseKey?.message)} />}
        {wanted.includes('expiresOn') && (
          <TextInput
            label={`${t(operation.kind === 'prolong' ? 'operations.newExpiresOn' : 'operations.expiresOn')} *`}
            type="date"
            {...form.register('expiresOn')}
            {...fieldError(errors.expiresOn?.message)}
          />
        )}
        <Textarea label={t('operations.note')} description={t('operations.noteHint')} autosize={false} rows={2} {...form.register('note')} {...fieldError(errors.note?.message)} />
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={form.formState.isSubmitting}>
            {t('operations.recordDone')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function AbandonDialog({ operation, onClose }: { operation: OperationRef | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ItemDialog item={operation} onClose={onClose} title={(op) => t('operations.abandonTitle', { id: op.id, kind: kindName(t, op) })}>
      {(op) => <AbandonForm operation={op} onClose={onClose} />}
    </ItemDialog>
  );
}

function AbandonForm({ operation, onClose }: { operation: OperationRef; onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(() => z.object({ reason: z.string().trim().min(1, t('operations.reasonRequired')).max(2000, t('forms.tooLong', { max: 2000 })) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { reason: '' } });
  const submit = form.handleSubmit(async ({ reason }) => {
    setFailure(null);
    try {
      await unwrap(client.POST('/api/v1/operations/{id}/abandon', { params: { path: { id: String(operation.id) } }, body: { reason } }));
      notifyDone(t('operations.abandoned', { id: operation.id }));
      onClose();
    } catch (error) {
      if (!showUnderField(form, error, ['reason'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries();
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('operations.abandonForm')}>
      <Stack gap="sm">
        <Text size="sm">{t('operations.abandonIntro')}</Text>
        <Text size="sm" fw={600}>
          {operation.kind === 'open' ? t('operations.abandonOpen') : t('operations.abandonOther')}
        </Text>
        <Textarea label={`${t('operations.reason')} *`} rows={2} data-autofocus {...form.register('reason')} {...fieldError(form.formState.errors.reason?.message)} />
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" color="red" loading={form.formState.isSubmitting}>
            {t('operations.abandon')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
