// Provider → Employees: the list (search, pages), a dialog to create or edit one (name, e-mail, language,
// password, enabled, departments; administrators also the administrator flag and the rights), delete.
// The dialog says whether the employee confirmed the e-mail address, with "send the link again".
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Pagination, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { notifyDone, notifyError, queryClient, useAct } from '../api/queries';
import type { Department, Employee, Localization } from '../api/types';
import { useCan, useMe } from '../auth';
import { RightsEditor } from '../components/Rights';
import { ConfirmModal, DataTable, fieldError, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { localizationsQuery } from './Localizations';

const PER_PAGE = 50;
const MIN_PASSWORD = 8;

/** Every department (for names, memberships and the rights they give), when the user may read them. */
export function useAllDepartments() {
  const canRead = useCan('departments.read');
  return useQuery({
    queryKey: ['departments', 'all'],
    queryFn: () => unwrap(client.GET('/api/v1/departments', { params: { query: { perPage: 500 } } })),
    enabled: canRead,
  });
}

export function EmployeesPage() {
  const { t } = useTranslation();
  const canChange = useCan('employees.change');
  const filters = useUrlFilters(['search'] as const);
  const { page } = filters;
  const { search } = filters.values;
  const [typed, setTyped] = useState(search);
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    const timer = setTimeout(() => typed.trim() !== search && filters.set({ search: typed.trim() }), 300);
    return () => clearTimeout(timer);
  }, [typed]);

  const { data: list, error } = useQuery({
    queryKey: ['employees', page, search],
    queryFn: () => unwrap(client.GET('/api/v1/employees', { params: { query: { page, perPage: PER_PAGE, ...(search ? { search } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const departments = useAllDepartments();
  const departmentName = (id: number) => departments.data?.items.find((d) => d.id === id)?.displayName ?? `#${id}`;
  const act = useAct();
  const [editing, setEditing] = useState<Employee | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Employee | null>(null);
  const lastPage = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;

  const remove = (e: Employee) =>
    act.mutate(
      { run: () => unwrap(client.DELETE('/api/v1/employees/{id}', { params: { path: { id: String(e.id) } } })), done: t('employees.deleted', { name: e.name }) },
      { onSettled: () => setDeleting(null) },
    );

  const columns: Column<Employee>[] = [
    { key: 'name', title: t('employees.name'), cell: (e) => e.name },
    { key: 'email', title: t('employees.email'), cell: (e) => e.email },
    { key: 'role', title: t('employees.role'), cell: (e) => (e.isAdmin ? t('employees.roleAdmin') : t('employees.roleEmployee')) },
    { key: 'status', title: t('common.status'), cell: (e) => (e.enabled ? t('status.enabled') : t('status.disabled')) },
    { key: 'departments', title: t('employees.departments'), cell: (e) => e.departmentIds.map(departmentName).join(', ') },
  ];
  if (canChange)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (e) => (
        <RowActions>
          <Button size="compact-sm" variant="default" aria-label={t('employees.editNamed', { name: e.name })} onClick={() => setEditing(e)}>
            {t('employees.edit')}
          </Button>
          <Button size="compact-sm" variant="outline" color="red" aria-label={t('common.deleteNamed', { name: e.name })} disabled={act.isPending} onClick={() => setDeleting(e)}>
            {t('common.delete')}
          </Button>
        </RowActions>
      ),
    });

  return (
    <>
      <PageTitle>{t('menu.items.employees')}</PageTitle>
      <Group className="toolbar" gap="sm" align="flex-end">
        <TextInput label={t('employees.search')} placeholder={t('employees.searchPlaceholder')} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} type="search" />
        {canChange && <Button onClick={() => setEditing('new')}>{t('employees.add')}</Button>}
      </Group>
      <QueryError error={error} />
      <DataTable label={t('menu.items.employees')} columns={columns} rows={list?.items ?? (error ? [] : undefined)} empty={t('employees.empty')} />
      {list && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={filters.setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('employees.count', { count: list.total })}
          </Text>
        </Group>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? t('employees.addTitle') : editing ? t('employees.editTitle', { name: editing.name }) : ''}
        size="lg"
      >
        {editing !== null && <EmployeeDialogBody key={editing === 'new' ? 'new' : editing.id} employee={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('employees.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove(deleting)}
      >
        {deleting && t('employees.deleteQuestion', { name: deleting.name })}
      </ConfirmModal>
    </>
  );
}

function EmployeeDialogBody({ employee, onDone }: { employee: Employee | null; onDone: () => void }) {
  const { data: localizations, error } = useQuery(localizationsQuery);
  const departments = useAllDepartments();
  if (error) return <QueryError error={error} />;
  if (!localizations || departments.isLoading) return null;
  return <EmployeeForm employee={employee} locales={localizations.items.filter((l) => l.enabled)} departments={departments.data?.items ?? null} onDone={onDone} />;
}

function EmployeeForm(props: { employee: Employee | null; locales: Localization[]; departments: Department[] | null; onDone: () => void }) {
  const { employee, locales, departments, onDone } = props;
  const { t } = useTranslation();
  const me = useMe();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const isNew = employee === null;
  const schema = useMemo(
    () =>
      z.object({
        name: z.string().trim().min(1, t('employees.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
        email: z.string().trim().pipe(z.email(t('employees.emailInvalid'))),
        language: z.string(),
        password: isNew
          ? z.string().min(MIN_PASSWORD, t('employees.passwordShort', { min: MIN_PASSWORD }))
          : z.string().refine((p) => p === '' || p.length >= MIN_PASSWORD, t('employees.passwordShort', { min: MIN_PASSWORD })),
        enabled: z.boolean(),
        isAdmin: z.boolean(),
        departmentIds: z.array(z.number()),
        rights: z.array(z.string()),
      }),
    [t, isNew],
  );
  type Values = z.input<typeof schema>;
  const defaultLanguage = locales.find((l) => l.isDefault)?.code ?? locales[0]?.code ?? 'en';
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: employee?.name ?? '',
      email: employee?.email ?? '',
      language: employee?.language ?? defaultLanguage,
      password: '',
      enabled: employee?.enabled ?? true,
      isAdmin: employee?.isAdmin ?? false,
      departmentIds: employee?.departmentIds ?? [],
      rights: employee?.rights ?? [],
    },
  });
  const fields = ['name', 'email', 'language', 'password', 'enabled', 'isAdmin', 'departmentIds', 'rights'];
  const isAdmin = form.watch('isAdmin');
  const memberOf = form.watch('departmentIds');
  const inherited = [...new Set((departments ?? []).filter((d) => memberOf.includes(d.id)).flatMap((d) => d.rights))];

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    // Only administrators may send rights and the administrator flag; others leave them as they are.
    const adminPart = me.isAdmin ? { isAdmin: v.isAdmin, rights: v.rights } : {};
    const departmentPart = departments ? { departmentIds: v.departmentIds } : {};
    try {
      if (isNew) {
        await unwrap(client.POST('/api/v1/employees', { body: { name: v.name, email: v.email, language: v.language, password: v.password, enabled: v.enabled, ...adminPart, ...departmentPart } }));
        notifyDone(t('employees.created', { name: v.name }));
      } else {
        await unwrap(
          client.PATCH('/api/v1/employees/{id}', {
            params: { path: { id: String(employee.id) } },
            body: { name: v.name, email: v.email, language: v.language, enabled: v.enabled, ...(v.password ? { password: v.password } : {}), ...adminPart, ...departmentPart },
          }),
        );
        notifyDone(t('employees.saved', { name: v.name }));
      }
      await queryClient.invalidateQueries();
      onDone();
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  const errors = form.formState.errors;
  return (
    <form onSubmit={submit} noValidate aria-label={isNew ? t('employees.addTitle') : t('employees.editTitle', { name: employee.name })}>
      <Stack gap="sm">
        <TextInput label={t('employees.name')} required {...form.register('name')} {...fieldError(errors.name?.message)} />
        <TextInput
          label={t('employees.email')}
          type="email"
          required
          description={isNew ? undefined : t('employees.emailHint')}
          {...form.register('email')}
          {...fieldError(errors.email?.message)}
        />
        {!isNew && <EmailConfirmation employee={employee} />}
        <NativeSelect label={t('employees.language')} data={locales.map((l) => ({ value: l.code, label: l.name }))} {...form.register('language')} {...fieldError(errors.language?.message)} />
        <PasswordInput
          label={isNew ? t('employees.password') : t('employees.newPassword')}
          description={isNew ? undefined : t('employees.passwordHint')}
          required={isNew}
          autoComplete="new-password"
          {...form.register('password')}
          {...fieldError(errors.password?.message)}
        />
        <Checkbox label={t('employees.enabled')} {...form.register('enabled')} />
        {me.isAdmin && <Checkbox label={t('employees.admin')} {...form.register('isAdmin')} {...fieldError(errors.isAdmin?.message)} />}
        {departments && (
          <Controller
            control={form.control}
            name="departmentIds"
            render={({ field, fieldState }) => (
              <Checkbox.Group
                label={t('employees.departments')}
                value={field.value.map(String)}
                onChange={(ids) => field.onChange(ids.map(Number))}
                {...fieldError(fieldState.error?.message)}
              >
                <Stack gap={4} mt={4}>
                  {departments.length === 0 && <Text size="sm" c="dimmed">{t('employees.noDepartments')}</Text>}
                  {departments.map((d) => (
                    <Checkbox key={d.id} value={String(d.id)} label={d.displayName} />
                  ))}
                </Stack>
              </Checkbox.Group>
            )}
          />
        )}
        {me.isAdmin && !isAdmin && (
          <Controller
            control={form.control}
            name="rights"
            render={({ field, fieldState }) => (
              <>
                <RightsEditor label={t('rights.title')} value={field.value} onChange={field.onChange} inherited={inherited} />
                {fieldState.error?.message && (
                  <Text c="red" size="sm" role="alert">
                    {fieldState.error.message}
                  </Text>
                )}
              </>
            )}
          />
        )}
        {me.isAdmin && isAdmin && <Text size="sm" c="dimmed">{t('rights.adminHoldsAll')}</Text>}
        {!me.isAdmin && !isNew && employee.rights.length > 0 && (
          <>
            <Title order={3}>{t('rights.title')}</Title>
            <Text size="sm">{employee.rights.join(', ')}</Text>
            <Text size="sm" c="dimmed">{t('rights.onlyAdmins')}</Text>
          </>
        )}
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
            {isNew ? t('common.add') : t('employees.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** "E-mail confirmed", or "not confirmed" with a button mailing a new link (the server allows one every 5 minutes). */
function EmailConfirmation({ employee }: { employee: Employee }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [busy, setBusy] = useState(false);
  if (employee.emailConfirmed) return <Text size="sm">{t('employees.emailConfirmedYes')}</Text>;
  const send = async () => {
    setBusy(true);
    try {
      const sent = await unwrap(client.POST('/api/v1/employees/{id}/confirm-email/resend', { params: { path: { id: String(employee.id) } }, body: {} }));
      notifyDone(t('employees.confirmationSent', { email: sent.email }));
    } catch (error) {
      notifyError(describe(error, { withCode: true }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Group gap="xs">
      <Text size="sm" className="low">
        {t('employees.emailConfirmedNo')}
      </Text>
      <Button size="compact-sm" variant="default" loading={busy} onClick={() => void send()}>
        {t('employees.resendConfirmation')}
      </Button>
    </Group>
  );
}
