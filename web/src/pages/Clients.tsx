// Clients: the list with balances (search by name or e-mail in the URL, paging) and the form that adds one.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, NativeSelect, Pagination, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { client, unwrap } from '../api/client';
import { notifyDone } from '../api/queries';
import type { paths } from '../api/schema';
import { useCan } from '../auth';
import { AppLink, DataTable, fieldError, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { localizationsQuery } from './Localizations';
import { AMOUNT, providersQuery } from './Tariffs';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Client = Json<paths['/api/v1/clients/{id}']['get']['responses'][200]>;

const PER_PAGE = 50;
export const MIN_PASSWORD = 8;

export function ClientsPage() {
  const { t } = useTranslation();
  const canChange = useCan('clients.change');
  const filters = useUrlFilters(['search'] as const);
  const { page } = filters;
  const { search } = filters.values;
  const [typed, setTyped] = useState(search);
  const [debounced] = useDebouncedValue(typed, 300);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    if (debounced.trim() !== search) filters.set({ search: debounced.trim() });
  }, [debounced]);

  const query = { page, perPage: PER_PAGE, ...(search ? { search } : {}) };
  const { data: list, error } = useQuery({
    queryKey: ['clients', query],
    queryFn: () => unwrap(client.GET('/api/v1/clients', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const providers = useQuery(providersQuery);
  const providerName = new Map((providers.data?.items ?? []).map((p) => [p.id, p.name]));
  const lastPage = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;

  const columns: Column<Client>[] = [
    { key: 'id', title: 'ID', cell: (c) => c.id, className: 'num' },
    { key: 'name', title: t('common.name'), cell: (c) => <AppLink to={`/clients/${c.id}`}>{c.name}</AppLink> },
    { key: 'email', title: t('clients.email'), cell: (c) => c.email },
    { key: 'provider', title: t('clients.provider'), cell: (c) => providerName.get(c.providerId) ?? `#${c.providerId}` },
    {
      key: 'balance',
      title: t('clients.balance'),
      className: 'money',
      cell: (c) => (
        <span className={c.balance.startsWith('-') ? 'low' : undefined}>
          <Money amount={c.balance} currency={c.currency} />
        </span>
      ),
    },
    { key: 'status', title: t('common.status'), cell: (c) => <StatusBadge status={c.enabled ? 'enabled' : 'disabled'} /> },
  ];

  return (
    <>
      <PageTitle>{t('menu.items.clients')}</PageTitle>
      <Group className="toolbar" wrap="wrap">
        <TextInput className="filter" type="search" label={t('clients.search')} placeholder={t('clients.searchPlaceholder')} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} />
        {canChange && <Button onClick={() => setAdding(true)}>{t('clients.add')}</Button>}
      </Group>
      <QueryError error={error} />
      <DataTable label={t('menu.items.clients')} columns={columns} rows={list?.items ?? (error ? [] : undefined)} empty={search ? t('clients.noneFound') : t('clients.empty')} />
      {list && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && (
            <Pagination
              total={lastPage}
              value={page}
              onChange={filters.setPage}
              size="sm"
              aria-label={t('common.pages')}
            />
          )}
          <Text size="sm" c="dimmed">
            {t('clients.count', { count: list.total })}
          </Text>
        </Group>
      )}
      <Modal opened={adding} onClose={() => setAdding(false)} title={t('clients.addTitle')}>
        {adding && <AddClientForm onClose={() => setAdding(false)} />}
      </Modal>
    </>
  );
}

function AddClientForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const canCredit = useCan('client.credit_limit');
  const [failure, setFailure] = useState<string | null>(null);
  const providers = useQuery(providersQuery);
  const localizations = useQuery(localizationsQuery);
  const languages = (localizations.data?.items ?? []).filter((l) => l.enabled);
  const schema = useMemo(
    () =>
      z.object({
        name: z.string().trim().min(1, t('clients.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
        email: z.string().trim().email(t('login.emailInvalid')),
        password: z.string().min(MIN_PASSWORD, t('clients.passwordShort', { min: MIN_PASSWORD })),
        language: z.string().min(1),
        providerId: z.string().regex(/^\d+$/, t('tariffs.providerRequired')),
        creditLimit: z.string().trim().refine((v) => v === '' || AMOUNT.test(v), t('clients.amountInvalid')),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: '', email: '', password: '', language: 'en', providerId: '', creditLimit: '' },
  });
  useEffect(() => {
    const preferred = providers.data?.items.find((p) => p.isDefault) ?? providers.data?.items[0];
    if (preferred && !form.getValues('providerId')) form.setValue('providerId', String(preferred.id));
  }, [providers.data]);
  const fields = ['name', 'email', 'password', 'language', 'providerId', 'creditLimit'];
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const created = await unwrap(
        client.POST('/api/v1/clients', {
          body: { name: v.name, email: v.email, password: v.password, language: v.language, providerId: Number(v.providerId), ...(v.creditLimit ? { creditLimit: v.creditLimit } : {}) },
        }),
      );
      notifyDone(t('clients.added', { name: created.name }));
      onClose();
      navigate(`/clients/${created.id}`);
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t('clients.addTitle')}>
      <Stack gap="sm">
        <QueryError error={providers.error ?? localizations.error} />
        <TextInput label={`${t('common.name')} *`} data-autofocus {...form.register('name')} {...fieldError(form.formState.errors.name?.message)} />
        <TextInput label={`${t('clients.email')} *`} type="email" autoComplete="off" {...form.register('email')} {...fieldError(form.formState.errors.email?.message)} />
        <TextInput
          label={`${t('clients.password')} *`}
          description={t('clients.passwordHint', { min: MIN_PASSWORD })}
          type="password"
          autoComplete="new-password"
          {...form.register('password')}
          {...fieldError(form.formState.errors.password?.message)}
        />
        <NativeSelect
          label={t('clients.language')}
          data={languages.length ? languages.map((l) => ({ value: l.code, label: l.name })) : [{ value: 'en', label: 'English' }]}
          {...form.register('language')}
          {...fieldError(form.formState.errors.language?.message)}
        />
        <NativeSelect
          label={`${t('clients.provider')} *`}
          description={t('clients.providerHint')}
          data={[{ value: '', label: t('common.choose') }, ...(providers.data?.items ?? []).map((p) => ({ value: String(p.id), label: `${p.name} (${p.currency})` }))]}
          {...form.register('providerId')}
          {...fieldError(form.formState.errors.providerId?.message)}
        />
        {canCredit && (
          <TextInput label={t('clients.creditLimit')} description={t('clients.creditLimitHint')} inputMode="decimal" {...form.register('creditLimit')} {...fieldError(form.formState.errors.creditLimit?.message)} />
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
          <Button type="submit" loading={form.formState.isSubmitting}>
            {t('clients.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
