// One processing module: its facts, and the administrator's actions: edit (name, connection with a new
// password that is never pre-filled and only sent when typed, minimal balance, limits, references,
// sort), enable/disable, check balance, move up/down, delete.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Code, Group, Modal, NativeSelect, Paper, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient, useAct } from '../api/queries';
import type { Localization, ProcessingModule } from '../api/types';
import { useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { cleanNames, ConfirmModal, dash, fieldError, Instant, LocalizedNameInputs, Loading, Money, nameLocales, PageTitle, QueryError, StatusBadge } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { localizationsQuery } from './Localizations';

export function ProcessingModulePage() {
  const { t } = useTranslation();
  const canEdit = useCan('processing-modules.change');
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const path = { params: { path: { id: String(id) } } };
  const { data: m, error } = useQuery({ queryKey: keys.module(id), queryFn: () => unwrap(client.GET('/api/v1/processing-modules/{id}', path)) });
  const act = useAct();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const move = (direction: 'up' | 'down') =>
    act.mutate({ run: () => unwrap(client.POST('/api/v1/processing-modules/{id}/move', { ...path, body: { direction } })), done: t('modulesEdit.moved', { name: m?.displayName }) });
  return (
    <>
      <Crumbs trail={[[t('menu.items.processing-modules'), '/processing-modules']]} />
      <PageTitle>{m ? m.displayName : t('modules.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!m && !error && <Loading />}
      {m && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('common.status'), <StatusBadge key="s" status={m.status} />],
              [t('modules.type'), t(`modules.types.${m.moduleType}` as never, { defaultValue: m.moduleType })],
              [t('wizard.fields.url'), m.connection ? <Code>{m.connection.url}</Code> : dash],
              [t('wizard.fields.username'), m.connection?.username ?? dash],
              [t('modules.balance'), <Money key="b" amount={m.balance} currency={m.currency} />],
              [t('modules.minimalBalance'), <Money key="mb" amount={m.minimalBalance} currency={m.currency} />],
              [t('dashboard.checked'), <Instant key="c" iso={m.balanceCheckedAt} />],
              [t('modules.lastError'), m.lastError ? `${m.lastError.message} [${m.lastError.code}]` : dash],
              [t('modules.datacenter'), m.datacenter?.displayName ?? dash],
              [t('modules.department'), m.department?.displayName ?? dash],
              [t('modulesEdit.operationLimit'), m.operationLimit ?? t('modulesEdit.noLimit')],
              [t('common.sort'), m.sort],
            ]}
          />
          {canEdit && (
            <Group mt="md" gap="xs">
              <Button variant="filled" onClick={() => setEditing(true)}>
                {t('modulesEdit.edit')}
              </Button>
              {m.moduleType === 'billmanager' && (
                <Button
                  variant="light"
                  loading={act.isPending}
                  onClick={() =>
                    act.mutate({
                      run: () => unwrap(client.POST('/api/v1/processing-modules/{id}/check-balance', path)),
                      done: t('dashboard.balanceChecked', { name: m.displayName }),
                    })
                  }
                >
                  {t('modules.checkBalance')}
                </Button>
              )}
              <Button
                variant="default"
                disabled={act.isPending}
                onClick={() =>
                  act.mutate({
                    run: () => unwrap(m.enabled ? client.POST('/api/v1/processing-modules/{id}/disable', path) : client.POST('/api/v1/processing-modules/{id}/enable', path)),
                    done: t(m.enabled ? 'modules.disabledNotice' : 'modules.enabledNotice', { name: m.displayName }),
                  })
                }
              >
                {m.enabled ? t('modules.disable') : t('modules.enable')}
              </Button>
              <Button variant="default" disabled={act.isPending} onClick={() => move('up')}>
                {t('common.moveUp')}
              </Button>
              <Button variant="default" disabled={act.isPending} onClick={() => move('down')}>
                {t('common.moveDown')}
              </Button>
              <Button variant="outline" color="red" disabled={act.isPending} onClick={() => setDeleting(true)}>
                {t('common.delete')}
              </Button>
            </Group>
          )}
        </Paper>
      )}
      <Modal size="lg" opened={editing && !!m} onClose={() => setEditing(false)} title={t('modulesEdit.editTitle')}>
        {editing && m && <EditModule module={m} onDone={() => setEditing(false)} />}
      </Modal>
      <ConfirmModal
        opened={deleting}
        title={t('modulesEdit.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          m &&
          act.mutate(
            { run: () => unwrap(client.DELETE('/api/v1/processing-modules/{id}', path)), done: t('modulesEdit.deleted', { name: m.displayName }) },
            {
              onSuccess: () => {
                queryClient.removeQueries({ queryKey: keys.module(id) });
                void navigate('/processing-modules');
              },
              onSettled: () => setDeleting(false),
            },
          )
        }
      >
        {m && t('modulesEdit.deleteQuestion', { name: m.displayName })}
      </ConfirmModal>
    </>
  );
}

function EditModule({ module, onDone }: { module: ProcessingModule; onDone: () => void }) {
  const datacenters = useQuery({
    queryKey: keys.allDatacenters,
    queryFn: () => unwrap(client.GET('/api/v1/datacenters', { params: { query: { perPage: 500 } } })),
  });
  const departments = useQuery({
    queryKey: keys.departments,
    queryFn: () => unwrap(client.GET('/api/v1/departments', { params: { query: { perPage: 500 } } })),
  });
  const locales = useQuery(localizationsQuery);
  const error = datacenters.error ?? departments.error ?? locales.error;
  if (error) return <QueryError error={error} />;
  if (!datacenters.data || !departments.data || !locales.data) return <Loading />;
  return <EditModuleForm module={module} datacenters={datacenters.data.items} departments={departments.data.items} locales={nameLocales(locales.data.items)} onDone={onDone} />;
}

interface Choice {
  id: number;
  displayName: string;
}

function EditModuleForm(props: { module: ProcessingModule; datacenters: Choice[]; departments: Choice[]; locales: Localization[]; onDone: () => void }) {
  const { module: m, datacenters, departments, locales, onDone } = props;
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const defaultCode = locales.find((l) => l.isDefault)?.code ?? locales[0]?.code ?? 'en';
  const hasConnection = m.moduleType === 'billmanager' && m.connection !== null;
  const schema = useMemo(
    () =>
      z.object({
        name: z.record(z.string(), z.string().trim().max(200, t('forms.tooLong', { max: 200 })).optional()).superRefine((names, ctx) => {
          if (!names[defaultCode]?.trim()) ctx.addIssue({ code: 'custom', path: [defaultCode], message: t('forms.nameRequired', { code: defaultCode }) });
        }),
        connection: z.object({
          url: z.string().trim().refine((v) => !hasConnection || /^https?:\/\/\S+$/i.test(v), t('wizard.urlInvalid')),
          username: z.string().trim().refine((v) => !hasConnection || v.length > 0, t('wizard.usernameRequired')),
          // Never pre-filled; sent only when typed.
          password: z.string(),
        }),
        minimalBalance: z.string().trim().regex(/^\d{1,12}(\.\d{1,3})?$/, t('wizard.amountInvalid')),
        operationLimit: z.string().trim().regex(/^$|^([1-9]\d{0,2}|1000)$/, t('modulesEdit.limitInvalid')),
        sort: z.string().trim().regex(/^[1-9]\d{0,6}$/, t('modulesEdit.sortInvalid')),
        datacenterId: z.string(),
        departmentId: z.string(),
      }),
    [t, defaultCode, hasConnection],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: Object.fromEntries(locales.map((l) => [l.code, m.name[l.code] ?? ''])),
      connection: { url: m.connection?.url ?? '', username: m.connection?.username ?? '', password: '' },
      minimalBalance: m.minimalBalance ?? '0',
      operationLimit: m.operationLimit === null ? '' : String(m.operationLimit),
      sort: String(m.sort),
      datacenterId: m.datacenterId === null ? '' : String(m.datacenterId),
      departmentId: m.departmentId === null ? '' : String(m.departmentId),
    },
  });
  const errors = form.formState.errors;
  const fields = ['name', ...locales.map((l) => `name.${l.code}`), 'connection.url', 'connection.username', 'connection.password', 'minimalBalance', 'operationLimit', 'sort', 'datacenterId', 'departmentId'];

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const connection: { url?: string; username?: string; password?: string } = {};
    if (hasConnection) {
      if (v.connection.url !== m.connection!.url) connection.url = v.connection.url;
      if (v.connection.username !== m.connection!.username) connection.username = v.connection.username;
      if (v.connection.password !== '') connection.password = v.connection.password;
    }
    const body = {
      name: cleanNames(v.name),
      ...(Object.keys(connection).length ? { connection } : {}),
      ...(v.minimalBalance !== (m.minimalBalance ?? '0') ? { minimalBalance: v.minimalBalance } : {}),
      operationLimit: v.operationLimit === '' ? null : Number(v.operationLimit),
      ...(Number(v.sort) !== m.sort ? { sort: Number(v.sort) } : {}),
      datacenterId: v.datacenterId === '' ? null : Number(v.datacenterId),
      departmentId: v.departmentId === '' ? null : Number(v.departmentId),
    };
    try {
      const saved = await unwrap(client.PATCH('/api/v1/processing-modules/{id}', { params: { path: { id: String(m.id) } }, body }));
      notifyDone(t('modulesEdit.saved', { name: saved.displayName }));
      onDone();
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.modules });
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('modulesEdit.editTitle')}>
      <Stack gap="sm">
        <LocalizedNameInputs form={form} locales={locales} />
        {hasConnection && (
          <>
            <TextInput label={t('wizard.fields.url')} description={t('wizard.hints.url')} {...form.register('connection.url')} {...fieldError(errors.connection?.url?.message)} />
            <TextInput label={t('wizard.fields.username')} autoComplete="off" {...form.register('connection.username')} {...fieldError(errors.connection?.username?.message)} />
            <PasswordInput
              label={t('modulesEdit.newPassword')}
              description={t('modulesEdit.newPasswordHint')}
              autoComplete="new-password"
              visibilityToggleButtonProps={{ 'aria-label': t('modulesEdit.showPassword') }}
              {...form.register('connection.password')}
              {...fieldError(errors.connection?.password?.message)}
            />
          </>
        )}
        <TextInput
          label={m.currency ? t('wizard.minimalBalanceIn', { currency: m.currency }) : t('modules.minimalBalance')}
          description={t('wizard.hints.minimalBalance')}
          inputMode="decimal"
          {...form.register('minimalBalance')}
          {...fieldError(errors.minimalBalance?.message)}
        />
        <TextInput label={t('modulesEdit.operationLimit')} description={t('modulesEdit.operationLimitHint')} inputMode="numeric" {...form.register('operationLimit')} {...fieldError(errors.operationLimit?.message)} />
        <NativeSelect
          label={t('modules.datacenter')}
          data={[{ value: '', label: t('common.none') }, ...datacenters.map((d) => ({ value: String(d.id), label: d.displayName }))]}
          {...form.register('datacenterId')}
          {...fieldError(errors.datacenterId?.message)}
        />
        <NativeSelect
          label={t('modules.department')}
          description={t('wizard.hints.department')}
          data={[{ value: '', label: t('common.none') }, ...departments.map((d) => ({ value: String(d.id), label: d.displayName }))]}
          {...form.register('departmentId')}
          {...fieldError(errors.departmentId?.message)}
        />
        <TextInput label={t('common.sort')} description={t('wizard.hints.sort')} inputMode="numeric" {...form.register('sort')} {...fieldError(errors.sort?.message)} />
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
            {t('modulesEdit.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
