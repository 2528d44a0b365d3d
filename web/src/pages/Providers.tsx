// Provider → Providers: the companies that sell (each with its currency and addresses). Create and edit in
// one dialog; the default provider and providers something refers to cannot be deleted (the API says why).
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Badge, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient, useAct } from '../api/queries';
import type { Provider } from '../api/types';
import { useCan } from '../auth';
import { ConfirmModal, dash, DataTable, fieldError, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { ProviderGateways } from './ProviderGateways';

export function ProvidersPage() {
  const { t } = useTranslation();
  const canChange = useCan('providers.change');
  const { data, error } = useQuery({
    queryKey: keys.providers,
    queryFn: () => unwrap(client.GET('/api/v1/providers', { params: { query: { perPage: 500 } } })),
  });
  const act = useAct();
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [gateways, setGateways] = useState<Provider | null>(null);

  const columns: Column<Provider>[] = [
    {
      key: 'name',
      title: t('common.name'),
      cell: (p) => (
        <>
          {p.name}{' '}
          {p.isDefault && (
            <Badge variant="light" color="gray" tt="none" radius="sm">
              {t('providers.default')}
            </Badge>
          )}
        </>
      ),
    },
    { key: 'currency', title: t('providers.currency'), cell: (p) => p.currency },
    { key: 'notificationEmail', title: t('providers.notificationEmail'), cell: (p) => p.notificationEmail ?? dash },
    { key: 'supportEmail', title: t('providers.supportEmail'), cell: (p) => p.supportEmail ?? dash },
    { key: 'websiteUrl', title: t('providers.websiteUrl'), cell: (p) => p.websiteUrl ?? dash },
  ];
  columns.push({
    key: 'actions',
    title: t('common.actions'),
    className: 'actions',
    cell: (p) => (
      <RowActions>
        {canChange && (
          <Button size="compact-sm" variant="default" aria-label={t('providers.editNamed', { name: p.name })} onClick={() => setEditing(p)}>
            {t('providers.edit')}
          </Button>
        )}
        <Button size="compact-sm" variant="default" aria-label={t('payments.staff.openNamed', { name: p.name })} onClick={() => setGateways(p)}>
          {t('payments.staff.open')}
        </Button>
        {canChange && !p.isDefault && (
          <Button size="compact-sm" variant="outline" color="red" aria-label={t('common.deleteNamed', { name: p.name })} disabled={act.isPending} onClick={() => setDeleting(p)}>
            {t('common.delete')}
          </Button>
        )}
      </RowActions>
    ),
  });

  return (
    <>
      <PageTitle>{t('menu.items.providers')}</PageTitle>
      {canChange && (
        <Group>
          <Button onClick={() => setEditing('new')}>{t('providers.add')}</Button>
        </Group>
      )}
      <QueryError error={error} />
      <DataTable label={t('menu.items.providers')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('providers.empty')} />
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? t('providers.add') : t('providers.editTitle')}>
        {editing !== null && <ProviderForm key={editing === 'new' ? 'new' : editing.id} provider={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal opened={gateways !== null} onClose={() => setGateways(null)} title={gateways ? t('payments.staff.title', { name: gateways.name }) : ''} size="lg">
        {gateways !== null && <ProviderGateways providerId={gateways.id} onDone={() => setGateways(null)} />}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('providers.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          act.mutate(
            {
              run: () => unwrap(client.DELETE('/api/v1/providers/{id}', { params: { path: { id: String(deleting.id) } } })),
              done: t('providers.deleted', { name: deleting.name }),
            },
            { onSettled: () => setDeleting(null) },
          )
        }
      >
        {deleting && t('providers.deleteQuestion', { name: deleting.name })}
      </ConfirmModal>
    </>
  );
}

function ProviderForm({ provider, onDone }: { provider: Provider | null; onDone: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(() => {
    const email = z.string().trim().max(254, t('forms.tooLong', { max: 254 })).refine((v) => v === '' || z.email().safeParse(v).success, t('providers.emailInvalid'));
    return z.object({
      name: z.string().trim().min(1, t('providers.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
      currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, t('providers.currencyInvalid')),
      notificationEmail: email,
      supportEmail: email,
      websiteUrl: z
        .string()
        .trim()
        .max(2000, t('forms.tooLong', { max: 2000 }))
        .refine((v) => v === '' || /^https?:\/\/[^\s/]+/i.test(v), t('providers.urlInvalid')),
      mailFromName: z.string().trim().max(200, t('forms.tooLong', { max: 200 })),
      mailFromAddress: email,
    });
  }, [t]);
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: provider?.name ?? '',
      currency: provider?.currency ?? 'EUR',
      notificationEmail: provider?.notificationEmail ?? '',
      supportEmail: provider?.supportEmail ?? '',
      websiteUrl: provider?.websiteUrl ?? '',
      mailFromName: provider?.mailFromName ?? '',
      mailFromAddress: provider?.mailFromAddress ?? '',
    },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const body = {
      name: v.name,
      currency: v.currency,
      notificationEmail: v.notificationEmail || null,
      supportEmail: v.supportEmail || null,
      websiteUrl: v.websiteUrl || null,
      mailFromName: v.mailFromName || null,
      mailFromAddress: v.mailFromAddress || null,
    };
    try {
      if (provider) await unwrap(client.PATCH('/api/v1/providers/{id}', { params: { path: { id: String(provider.id) } }, body }));
      else await unwrap(client.POST('/api/v1/providers', { body }));
      notifyDone(t(provider ? 'providers.saved' : 'providers.added', { name: v.name }));
      onDone();
    } catch (error) {
      if (!showUnderField(form, error, Object.keys(body), describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.providers });
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={provider ? t('providers.editTitle') : t('providers.add')}>
      <Stack gap="sm">
        <TextInput label={t('common.name')} required {...form.register('name')} {...fieldError(errors.name?.message)} />
        <TextInput label={t('providers.currency')} description={t('providers.currencyHint')} className="uppercase" maxLength={3} {...form.register('currency')} {...fieldError(errors.currency?.message)} />
        <TextInput label={t('providers.notificationEmail')} type="email" {...form.register('notificationEmail')} {...fieldError(errors.notificationEmail?.message)} />
        <TextInput label={t('providers.supportEmail')} type="email" {...form.register('supportEmail')} {...fieldError(errors.supportEmail?.message)} />
        <TextInput label={t('providers.websiteUrl')} placeholder="https://" {...form.register('websiteUrl')} {...fieldError(errors.websiteUrl?.message)} />
        <TextInput label={t('providers.mailFromName')} description={t('providers.mailFromNameHint')} {...form.register('mailFromName')} {...fieldError(errors.mailFromName?.message)} />
        <TextInput label={t('providers.mailFromAddress')} description={t('providers.mailFromAddressHint')} type="email" {...form.register('mailFromAddress')} {...fieldError(errors.mailFromAddress?.message)} />
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={form.formState.isSubmitting}>
            {t('providers.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
