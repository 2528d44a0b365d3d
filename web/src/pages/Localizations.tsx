// Settings → Localizations: the languages names and texts are kept in. Add one, enable or disable it,
// make it the default (the language every localized name must have), delete one nothing uses.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Code, Group, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient, useAct } from '../api/queries';
import type { Localization } from '../api/types';
import { useCan } from '../auth';
import { ConfirmModal, DataTable, fieldError, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';

export const localizationsQuery = {
  queryKey: keys.localizations,
  queryFn: () => unwrap(client.GET('/api/v1/localizations', { params: { query: { perPage: 500 } } })),
};

export function LocalizationsPage() {
  const { t } = useTranslation();
  const canChange = useCan('localizations.change');
  const { data, error } = useQuery(localizationsQuery);
  const act = useAct();
  const [deleting, setDeleting] = useState<Localization | null>(null);
  const rows = data?.items.map((l) => ({ ...l, id: l.code }));
  const path = (l: Localization) => ({ params: { path: { code: l.code } } });
  const patch = (l: Localization, body: { enabled?: boolean; isDefault?: true }, done: string) =>
    act.mutate({ run: () => unwrap(client.PATCH('/api/v1/localizations/{code}', { ...path(l), body })), done });

  const columns: Column<Localization & { id: string }>[] = [
    { key: 'code', title: t('localizations.code'), cell: (l) => <Code>{l.code}</Code> },
    { key: 'name', title: t('localizations.name'), cell: (l) => <span lang={l.code}>{l.name}</span> },
    { key: 'enabled', title: t('localizations.enabled'), cell: (l) => (l.enabled ? t('common.yes') : t('common.no')) },
    { key: 'default', title: t('localizations.default'), cell: (l) => (l.isDefault ? t('localizations.isDefault') : '') },
  ];
  if (canChange)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (l) => (
        <RowActions>
          {!l.isDefault && (
            <Button
              size="compact-sm"
              variant="default"
              disabled={act.isPending}
              aria-label={t(l.enabled ? 'localizationsEdit.disableNamed' : 'localizationsEdit.enableNamed', { name: l.name })}
              onClick={() => patch(l, { enabled: !l.enabled }, t(l.enabled ? 'localizationsEdit.disabled' : 'localizationsEdit.enabled', { name: l.name }))}
            >
              {l.enabled ? t('localizationsEdit.disable') : t('localizationsEdit.enable')}
            </Button>
          )}
          {!l.isDefault && l.enabled && (
            <Button
              size="compact-sm"
              variant="default"
              disabled={act.isPending}
              aria-label={t('localizationsEdit.makeDefaultNamed', { name: l.name })}
              onClick={() => patch(l, { isDefault: true }, t('localizationsEdit.madeDefault', { name: l.name }))}
            >
              {t('localizationsEdit.makeDefault')}
            </Button>
          )}
          {!l.isDefault && (
            <Button size="compact-sm" variant="outline" color="red" disabled={act.isPending} aria-label={t('common.deleteNamed', { name: l.name })} onClick={() => setDeleting(l)}>
              {t('common.delete')}
            </Button>
          )}
        </RowActions>
      ),
    });
  return (
    <>
      <PageTitle>{t('menu.items.localizations')}</PageTitle>
      <QueryError error={error} />
      <DataTable label={t('menu.items.localizations')} columns={columns} rows={error ? [] : rows} empty={t('localizations.empty')} />
      {canChange && <AddLocalization />}
      <ConfirmModal
        opened={deleting !== null}
        title={t('localizationsEdit.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          act.mutate(
            { run: () => unwrap(client.DELETE('/api/v1/localizations/{code}', path(deleting))), done: t('localizationsEdit.deleted', { name: deleting.name }) },
            { onSettled: () => setDeleting(null) },
          )
        }
      >
        {deleting && t('localizationsEdit.deleteQuestion', { name: deleting.name, code: deleting.code })}
      </ConfirmModal>
    </>
  );
}

function AddLocalization() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        code: z.string().trim().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, t('localizationsEdit.codeInvalid')),
        name: z.string().trim().min(1, t('localizationsEdit.nameRequired')).max(100, t('forms.tooLong', { max: 100 })),
        enabled: z.boolean(),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { code: '', name: '', enabled: true };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      await unwrap(client.POST('/api/v1/localizations', { body: v }));
      notifyDone(t('localizationsEdit.added', { name: v.name }));
      form.reset(defaults);
    } catch (error) {
      if (!showUnderField(form, error, ['code', 'name', 'enabled'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.localizations });
    }
  });
  return (
    <Paper withBorder p="md" className="add-form" component="section" aria-labelledby="add-localization">
      <Title order={2} id="add-localization">
        {t('localizationsEdit.addTitle')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('localizationsEdit.addTitle')}>
        <Stack gap="sm" maw={420}>
          <TextInput label={t('localizations.code')} description={t('localizationsEdit.codeHint')} placeholder="de" {...form.register('code')} {...fieldError(errors.code?.message)} />
          <TextInput label={t('localizations.name')} placeholder="Deutsch" {...form.register('name')} {...fieldError(errors.name?.message)} />
          <Checkbox label={t('localizations.enabled')} {...form.register('enabled')} />
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
    </Paper>
  );
}
