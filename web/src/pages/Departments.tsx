// Provider → Departments: the list in its order (move up/down), a dialog to create or edit one with all
// the guide's fields (name, business hours, ticket answer times, support center, task language, providers,
// head, ticket category description) and the rights it gives its members; the members themselves (add, remove).
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { notifyDone, queryClient, useAct } from '../api/queries';
import type { Department, Localization } from '../api/types';
import { useCan, useMe } from '../auth';
import { RightsEditor } from '../components/Rights';
import { cleanNames, ConfirmModal, DataTable, fieldError, LocalizedNameInputs, nameLocales, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { useAllDepartments } from './Employees';
import { localizationsQuery } from './Localizations';

export function DepartmentsPage() {
  const { t } = useTranslation();
  const canChange = useCan('departments.change');
  const { data: list, error } = useAllDepartments();
  const act = useAct();
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Department | null>(null);
  const items = list?.items ?? [];
  // The dialog follows the list: after a save or a member change it shows what the server has now.
  const current = editing === 'new' || editing === null ? editing : (items.find((d) => d.id === editing.id) ?? editing);

  const move = (d: Department, direction: 'up' | 'down') =>
    act.mutate({ run: () => unwrap(client.POST('/api/v1/departments/{id}/move', { params: { path: { id: String(d.id) } }, body: { direction } })) });
  const remove = (d: Department) =>
    act.mutate(
      { run: () => unwrap(client.DELETE('/api/v1/departments/{id}', { params: { path: { id: String(d.id) } } })), done: t('departments.deleted', { name: d.displayName }) },
      { onSettled: () => setDeleting(null) },
    );

  const columns: Column<Department>[] = [
    { key: 'sort', title: t('common.sort'), cell: (d) => d.sort, className: 'num' },
    { key: 'name', title: t('common.name'), cell: (d) => d.displayName },
    { key: 'members', title: t('departments.membersCount'), cell: (d) => d.memberIds.length, className: 'num' },
    { key: 'support', title: t('departments.supportCenterShort'), cell: (d) => (d.showInSupportCenter ? t('common.yes') : t('common.no')) },
  ];
  columns.push({
    key: 'actions',
    title: t('common.actions'),
    className: 'actions',
    cell: (d) => {
      const i = items.indexOf(d);
      return (
        <RowActions>
          {canChange && (
            <>
              <Button size="compact-sm" variant="default" title={t('common.moveUp')} aria-label={t('common.moveUpNamed', { name: d.displayName })} disabled={act.isPending || i === 0} onClick={() => move(d, 'up')}>
                ▲
              </Button>
              <Button size="compact-sm" variant="default" title={t('common.moveDown')} aria-label={t('common.moveDownNamed', { name: d.displayName })} disabled={act.isPending || i === items.length - 1} onClick={() => move(d, 'down')}>
                ▼
              </Button>
            </>
          )}
          <Button size="compact-sm" variant="default" aria-label={t('departments.editNamed', { name: d.displayName })} onClick={() => setEditing(d)}>
            {t('departments.edit')}
          </Button>
          {canChange && (
            <Button size="compact-sm" variant="outline" color="red" aria-label={t('common.deleteNamed', { name: d.displayName })} disabled={act.isPending} onClick={() => setDeleting(d)}>
              {t('common.delete')}
            </Button>
          )}
        </RowActions>
      );
    },
  });

  return (
    <>
      <PageTitle>{t('menu.items.departments')}</PageTitle>
      {canChange && (
        <Group className="toolbar">
          <Button onClick={() => setEditing('new')}>{t('departments.add')}</Button>
        </Group>
      )}
      <QueryError error={error} />
      <DataTable label={t('menu.items.departments')} columns={columns} rows={list?.items ?? (error ? [] : undefined)} empty={t('departments.empty')} />
      {list && (
        <Text size="sm" c="dimmed" className="pager">
          {t('departments.count', { count: list.total })}
        </Text>
      )}
      <Modal
        opened={current !== null}
        onClose={() => setEditing(null)}
        title={current === 'new' ? t('departments.addTitle') : current ? t('departments.editTitle', { name: current.displayName }) : ''}
        size="lg"
      >
        {current !== null && <DepartmentDialogBody key={current === 'new' ? 'new' : current.id} department={current === 'new' ? null : current} onCreated={setEditing} onDone={() => setEditing(null)} />}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('departments.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove(deleting)}
      >
        {deleting && t('departments.deleteQuestion', { name: deleting.displayName })}
      </ConfirmModal>
    </>
  );
}

function DepartmentDialogBody(props: { department: Department | null; onCreated: (d: Department) => void; onDone: () => void }) {
  const { data: localizations, error } = useQuery(localizationsQuery);
  if (error) return <QueryError error={error} />;
  if (!localizations) return null;
  return (
    <>
      <DepartmentForm {...props} locales={nameLocales(localizations.items)} />
      {props.department && <Members department={props.department} />}
    </>
  );
}

function useOptional<T>(right: string, key: string, load: () => Promise<{ items: T[] }>) {
  const allowed = useCan(right);
  return useQuery({ queryKey: [key, 'all'], queryFn: load, enabled: allowed });
}

function DepartmentForm(props: { department: Department | null; locales: Localization[]; onCreated: (d: Department) => void; onDone: () => void }) {
  const { department, locales, onCreated, onDone } = props;
  const { t } = useTranslation();
  const me = useMe();
  const canChange = useCan('departments.change');
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const hours = useOptional('business-hours.read', 'business-hours', () => unwrap(client.GET('/api/v1/business-hours', { params: { query: { perPage: 500 } } })));
  const providers = useOptional('providers.read', 'providers', () => unwrap(client.GET('/api/v1/providers', { params: { query: { perPage: 500 } } })));
  const members = useQuery({
    queryKey: ['department-members', department?.id],
    queryFn: () => unwrap(client.GET('/api/v1/departments/{id}/members', { params: { path: { id: String(department!.id) } } })),
    enabled: department !== null,
  });
  const isNew = department === null;
  const defaultCode = locales.find((l) => l.isDefault)?.code ?? locales[0]?.code ?? 'en';
  // Working hours until a ticket's answer is due: a whole number from 1 to 720.
  const answerHours = useMemo(
    () =>
      z
        .string()
        .trim()
        .refine((v) => /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 720, t('tickets.hours.invalid')),
    [t],
  );
  const schema = useMemo(
    () =>
      z.object({
        name: z.record(z.string(), z.string().trim().max(200, t('forms.tooLong', { max: 200 })).optional()).superRefine((names, ctx) => {
          if (!names[defaultCode]?.trim()) ctx.addIssue({ code: 'custom', path: [defaultCode], message: t('forms.nameRequired', { code: defaultCode }) });
        }),
        ticketCategoryDescription: z.record(z.string(), z.string().trim().max(2000, t('forms.tooLong', { max: 2000 })).optional()),
        businessHoursId: z.string(),
        showInSupportCenter: z.boolean(),
        taskLocale: z.string(),
        providerIds: z.array(z.number()),
        headEmployeeId: z.string(),
        rights: z.array(z.string()),
        firstAnswerHours: answerHours,
        nextAnswerHours: answerHours,
      }),
    [t, defaultCode, answerHours],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: Object.fromEntries(locales.map((l) => [l.code, department?.name[l.code] ?? ''])),
      ticketCategoryDescription: Object.fromEntries(locales.map((l) => [l.code, department?.ticketCategoryDescription?.[l.code] ?? ''])),
      businessHoursId: department?.businessHoursId ? String(department.businessHoursId) : '',
      showInSupportCenter: department?.showInSupportCenter ?? false,
      taskLocale: department?.taskLocale ?? defaultCode,
      providerIds: department?.providerIds ?? [],
      headEmployeeId: department?.headEmployeeId ? String(department.headEmployeeId) : '',
      rights: department?.rights ?? [],
      firstAnswerHours: String(department?.firstAnswerHours ?? 4),
      nextAnswerHours: String(department?.nextAnswerHours ?? 8),
    },
  });
  const fields = ['businessHoursId', 'firstAnswerHours', 'nextAnswerHours', 'showInSupportCenter', 'taskLocale', 'providerIds', 'headEmployeeId', 'rights', ...locales.flatMap((l) => [`name.${l.code}`, `ticketCategoryDescription.${l.code}`])];
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const name = cleanNames(v.name);
    const description = cleanNames(v.ticketCategoryDescription);
    const body = {
      name,
      ticketCategoryDescription: Object.keys(description).length ? description : null,
      showInSupportCenter: v.showInSupportCenter,
      taskLocale: v.taskLocale,
      firstAnswerHours: Number(v.firstAnswerHours),
      nextAnswerHours: Number(v.nextAnswerHours),
      ...(hours.data ? { businessHoursId: v.businessHoursId ? Number(v.businessHoursId) : null } : {}),
      ...(providers.data ? { providerIds: v.providerIds } : {}),
      ...(!isNew ? { headEmployeeId: v.headEmployeeId ? Number(v.headEmployeeId) : null } : {}),
      ...(me.isAdmin ? { rights: v.rights } : {}),
    };
    const shown = name[defaultCode] ?? Object.values(name)[0] ?? '';
    try {
      if (isNew) {
        const created = await unwrap(client.POST('/api/v1/departments', { body }));
        notifyDone(t('departments.created', { name: shown }));
        await queryClient.invalidateQueries();
        onCreated(created); // on to its members
        return;
      }
      await unwrap(client.PATCH('/api/v1/departments/{id}', { params: { path: { id: String(department.id) } }, body }));
      notifyDone(t('departments.saved', { name: shown }));
      await queryClient.invalidateQueries();
      onDone();
    } catch (error) {
      if (!showUnderField(form, error, fields, describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  const descriptionErrors = errors.ticketCategoryDescription as Record<string, { message?: string }> | undefined;
  return (
    <form onSubmit={submit} noValidate aria-label={isNew ? t('departments.addTitle') : t('departments.editTitle', { name: department.displayName })}>
      <fieldset className="rights-editor" disabled={!canChange}>
        <Stack gap="sm">
          <LocalizedNameInputs form={form} locales={locales} />
          {hours.data && (
            <NativeSelect
              label={t('departments.businessHours')}
              data={[{ value: '', label: t('common.none') }, ...hours.data.items.map((h) => ({ value: String(h.id), label: h.name }))]}
              {...form.register('businessHoursId')}
              {...fieldError(errors.businessHoursId?.message)}
            />
          )}
          <Group gap="sm" align="flex-start" className="hours-pair">
            <TextInput
              label={t('tickets.hours.first')}
              description={t('tickets.hours.firstHint')}
              inputMode="numeric"
              {...form.register('firstAnswerHours')}
              {...fieldError(errors.firstAnswerHours?.message)}
            />
            <TextInput
              label={t('tickets.hours.next')}
              description={t('tickets.hours.nextHint')}
              inputMode="numeric"
              {...form.register('nextAnswerHours')}
              {...fieldError(errors.nextAnswerHours?.message)}
            />
          </Group>
          <Checkbox label={t('departments.supportCenter')} {...form.register('showInSupportCenter')} />
          <NativeSelect
            label={t('departments.taskLocale')}
            data={locales.map((l) => ({ value: l.code, label: l.name }))}
            {...form.register('taskLocale')}
            {...fieldError(errors.taskLocale?.message)}
          />
          {providers.data && (
            <Controller
              control={form.control}
              name="providerIds"
              render={({ field, fieldState }) => (
                <Checkbox.Group label={t('departments.providers')} value={field.value.map(String)} onChange={(ids) => field.onChange(ids.map(Number))} {...fieldError(fieldState.error?.message)}>
                  <Stack gap={4} mt={4}>
                    {providers.data.items.length === 0 && <Text size="sm" c="dimmed">{t('departments.noProviders')}</Text>}
                    {providers.data.items.map((p) => (
                      <Checkbox key={p.id} value={String(p.id)} label={p.name} />
                    ))}
                  </Stack>
                </Checkbox.Group>
              )}
            />
          )}
          {!isNew && (
            <NativeSelect
              label={t('departments.head')}
              description={t('departments.headHint')}
              data={[{ value: '', label: t('common.none') }, ...(members.data?.items ?? []).map((m) => ({ value: String(m.id), label: m.name }))]}
              {...form.register('headEmployeeId')}
              {...fieldError(errors.headEmployeeId?.message)}
            />
          )}
          {locales.map((l) => (
            <Textarea
              key={l.code}
              lang={l.code}
              label={t('departments.ticketCategoryDescription', { code: l.code })}
              autosize
              minRows={2}
              {...form.register(`ticketCategoryDescription.${l.code}`)}
              {...fieldError(descriptionErrors?.[l.code]?.message)}
            />
          ))}
          <Controller
            control={form.control}
            name="rights"
            render={({ field, fieldState }) => (
              <>
                <RightsEditor label={t('rights.title')} value={field.value} onChange={field.onChange} readOnly={!me.isAdmin} />
                {fieldState.error?.message && (
                  <Text c="red" size="sm" role="alert">
                    {fieldState.error.message}
                  </Text>
                )}
              </>
            )}
          />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          {canChange && (
            <Group justify="flex-end">
              <Button variant="default" onClick={onDone}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={form.formState.isSubmitting}>
                {isNew ? t('common.add') : t('departments.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </fieldset>
    </form>
  );
}

/** Who is in the department: remove one (not the head), add an employee. */
function Members({ department }: { department: Department }) {
  const { t } = useTranslation();
  const canChange = useCan('departments.change');
  const canReadEmployees = useCan('employees.read');
  const act = useAct();
  const [adding, setAdding] = useState('');
  const members = useQuery({
    queryKey: ['department-members', department.id],
    queryFn: () => unwrap(client.GET('/api/v1/departments/{id}/members', { params: { path: { id: String(department.id) } } })),
  });
  const employees = useQuery({
    queryKey: ['employees', 'all'],
    queryFn: () => unwrap(client.GET('/api/v1/employees', { params: { query: { perPage: 500 } } })),
    enabled: canChange && canReadEmployees,
  });
  const path = { id: String(department.id) };
  const candidates = (employees.data?.items ?? []).filter((e) => !department.memberIds.includes(e.id));

  const add = () => {
    const employee = candidates.find((e) => String(e.id) === adding);
    if (!employee) return;
    act.mutate(
      { run: () => unwrap(client.POST('/api/v1/departments/{id}/members', { params: { path }, body: { employeeId: employee.id } })), done: t('departments.memberAdded', { name: employee.name }) },
      { onSuccess: () => setAdding('') },
    );
  };
  const remove = (m: { id: number; name: string }) =>
    act.mutate({
      run: () => unwrap(client.DELETE('/api/v1/departments/{id}/members/{employeeId}', { params: { path: { ...path, employeeId: String(m.id) } } })),
      done: t('departments.memberRemoved', { name: m.name }),
    });

  return (
    <section className="dialog-section" aria-labelledby="department-members">
      <Title order={3} id="department-members">
        {t('departments.members')}
      </Title>
      <QueryError error={members.error} />
      {members.data && members.data.items.length === 0 && <Text c="dimmed">{t('departments.noMembers')}</Text>}
      <ul className="member-list">
        {members.data?.items.map((m) => (
          <li key={m.id}>
            <span>
              {m.name} <Text span c="dimmed" size="sm">({m.email}){m.isHead ? `, ${t('departments.isHead')}` : ''}</Text>
            </span>
            {canChange && !m.isHead && (
              <Button size="compact-sm" variant="outline" color="red" aria-label={t('departments.removeMemberNamed', { name: m.name })} disabled={act.isPending} onClick={() => remove(m)}>
                {t('departments.removeMember')}
              </Button>
            )}
          </li>
        ))}
      </ul>
      {canChange && canReadEmployees && (
        <Group gap="sm" align="flex-end">
          <NativeSelect
            label={t('departments.memberToAdd')}
            value={adding}
            onChange={(e) => setAdding(e.currentTarget.value)}
            data={[{ value: '', label: t('common.choose') }, ...candidates.map((e) => ({ value: String(e.id), label: `${e.name} (${e.email})` }))]}
          />
          <Button variant="default" disabled={!adding || act.isPending} onClick={add}>
            {t('departments.addMember')}
          </Button>
        </Group>
      )}
    </section>
  );
}
