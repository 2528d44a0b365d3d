import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Paper, Pagination, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient, useAct } from '../api/queries';
import type { Datacenter, Localization } from '../api/types';
import { useCan } from '../auth';
import { cleanNames, ConfirmModal, dash, DataTable, fieldError, LocalizedNameInputs, nameLocales, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { localizationsQuery } from './Localizations';

const PER_PAGE = 50;

export function DatacentersPage() {
  const { t } = useTranslation();
  const canEdit = useCan('datacenters.change');
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const setPage = (p: number) => setParams(p > 1 ? { page: String(p) } : {});
  const { data: list, error } = useQuery({
    queryKey: keys.datacenters(page),
    queryFn: () => unwrap(client.GET('/api/v1/datacenters', { params: { query: { page, perPage: PER_PAGE } } })),
    placeholderData: keepPreviousData,
  });
  const act = useAct();
  const [deleting, setDeleting] = useState<Datacenter | null>(null);
  const lastPage = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;

  // A delete can leave the last page empty: step back to one that has rows.
  useEffect(() => {
    if (list && list.items.length === 0 && page > 1) setPage(lastPage);
  }, [list, page]);

  const offset = (page - 1) * PER_PAGE;
  const move = (dc: Datacenter, direction: 'up' | 'down') =>
    act.mutate({ run: () => unwrap(client.POST('/api/v1/datacenters/{id}/move', { params: { path: { id: String(dc.id) } }, body: { direction } })) });
  const remove = (dc: Datacenter) =>
    act.mutate(
      {
        run: () => unwrap(client.DELETE('/api/v1/datacenters/{id}', { params: { path: { id: String(dc.id) } } })),
        done: t('datacenters.deleted', { name: dc.displayName }),
      },
      { onSettled: () => setDeleting(null) },
    );

  const columns: Column<Datacenter>[] = [
    { key: 'sort', title: t('common.sort'), cell: (dc) => dc.sort, className: 'num' },
    { key: 'name', title: t('common.name'), cell: (dc) => dc.displayName },
    { key: 'externalId', title: t('datacenters.externalId'), cell: (dc) => dc.externalId ?? dash },
  ];
  if (canEdit)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (dc) => {
        const i = offset + (list?.items.indexOf(dc) ?? 0);
        return (
          <RowActions>
            <Button size="compact-sm" variant="default" title={t('common.moveUp')} aria-label={t('common.moveUpNamed', { name: dc.displayName })} disabled={act.isPending || i === 0} onClick={() => move(dc, 'up')}>
              ▲
            </Button>
            <Button
              size="compact-sm"
              variant="default"
              title={t('common.moveDown')}
              aria-label={t('common.moveDownNamed', { name: dc.displayName })}
              disabled={act.isPending || i === (list?.total ?? 0) - 1}
              onClick={() => move(dc, 'down')}
            >
              ▼
            </Button>
            <Button size="compact-sm" variant="outline" color="red" aria-label={t('common.deleteNamed', { name: dc.displayName })} disabled={act.isPending} onClick={() => setDeleting(dc)}>
              {t('common.delete')}
            </Button>
          </RowActions>
        );
      },
    });

  return (
    <>
      <PageTitle>{t('menu.items.datacenters')}</PageTitle>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.datacenters')}
        columns={columns}
        rows={list?.items ?? (error ? [] : undefined)}
        empty={canEdit ? t('datacenters.emptyAdmin') : t('datacenters.empty')}
      />
      {list && lastPage > 1 && (
        <Group className="pager" gap="sm">
          <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />
          <Text size="sm" c="dimmed">
            {t('datacenters.count', { count: list.total })}
          </Text>
        </Group>
      )}
      {canEdit && <AddDatacenter />}
      <ConfirmModal
        opened={deleting !== null}
        title={t('datacenters.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove(deleting)}
      >
        {deleting && t('datacenters.deleteQuestion', { name: deleting.displayName })}
      </ConfirmModal>
    </>
  );
}

function AddDatacenter() {
  const { t } = useTranslation();
  const { data: localizations, error: loadError } = useQuery(localizationsQuery);
  const locales = localizations ? nameLocales(localizations.items) : null;
  return (
    <Paper withBorder p="md" className="add-form" component="section" aria-labelledby="add-datacenter">
      <Title order={2} id="add-datacenter">
        {t('datacenters.addTitle')}
      </Title>
      <QueryError error={loadError} />
      {locales && <AddDatacenterForm locales={locales} />}
    </Paper>
  );
}

function AddDatacenterForm({ locales }: { locales: Localization[] }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const defaultCode = locales.find((l) => l.isDefault)?.code ?? locales[0]?.code ?? 'en';
  const schema = useMemo(
    () =>
      z.object({
        name: z.record(z.string(), z.string().trim().max(200, t('forms.tooLong', { max: 200 })).optional()).superRefine((names, ctx) => {
          if (!names[defaultCode]?.trim()) ctx.addIssue({ code: 'custom', path: [defaultCode], message: t('forms.nameRequired', { code: defaultCode }) });
        }),
        externalId: z.string().trim().max(100, t('forms.tooLong', { max: 100 })),
      }),
    [t, defaultCode],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { name: Object.fromEntries(locales.map((l) => [l.code, ''])), externalId: '' };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const fields = ['externalId', ...locales.map((l) => `name.${l.code}`)];

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    const name = cleanNames(values.name);
    try {
      await unwrap(client.POST('/api/v1/datacenters', { body: { name, externalId: values.externalId || null } }));
      notifyDone(t('datacenters.added', { name: name[defaultCode] ?? Object.values(name)[0] ?? '' }));
      form.reset(defaults);
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['datacenters'] });
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('datacenters.addTitle')}>
      <Stack gap="sm" maw={420}>
        <LocalizedNameInputs form={form} locales={locales} />
        <TextInput label={t('datacenters.externalId')} placeholder={t('datacenters.externalIdPlaceholder')} {...form.register('externalId')} {...fieldError(form.formState.errors.externalId?.message)} />
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={form.formState.isSubmitting}>
            {t('common.add')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
