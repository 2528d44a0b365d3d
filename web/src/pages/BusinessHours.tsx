// Provider → Business hours: the schedules departments count due times in. The week editor sets, per
// weekday, the working hours and the breaks inside them (the day works in the intervals between), and
// the holidays: dates that are days off whatever the weekday.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useFieldArray, useForm, type FieldErrors, type UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from '../zod';
import { ApiError, client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient, useAct } from '../api/queries';
import type { BusinessHours } from '../api/types';
import { useCan } from '../auth';
import { ConfirmModal, DataTable, Day, fieldError, PageTitle, QueryError, RowActions, type Column } from '../components/ui';
import { useDescribeError } from '../errors';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const CLOSING = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/** Weekday names in the UI's language, Monday first (1 January 2024 was a Monday). */
function useWeekdays(style: 'long' | 'short'): string[] {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const f = new Intl.DateTimeFormat(i18n.language, { weekday: style, timeZone: 'UTC' });
    return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
  }, [i18n.language, style]);
}

export function BusinessHoursPage() {
  const { t } = useTranslation();
  const canChange = useCan('business-hours.change');
  const short = useWeekdays('short');
  const { data, error } = useQuery({
    queryKey: keys.businessHours,
    queryFn: () => unwrap(client.GET('/api/v1/business-hours', { params: { query: { perPage: 500 } } })),
  });
  const act = useAct();
  const [editing, setEditing] = useState<BusinessHours | 'new' | null>(null);
  const [deleting, setDeleting] = useState<BusinessHours | null>(null);

  const summary = (s: BusinessHours) =>
    s.days
      .map((d, i) => {
        if (!d.active) return null;
        if (d.allDay) return `${short[i]} ${t('businessHours.allDayShort')}`;
        const pauses = d.breaks.length ? ` (${d.breaks.map((b) => `${b.begin}–${b.end}`).join(', ')})` : '';
        return `${short[i]} ${d.begin}–${d.end}${pauses}`;
      })
      .filter(Boolean)
      .join('; ');

  const columns: Column<BusinessHours>[] = [
    { key: 'name', title: t('common.name'), cell: (s) => s.name },
    { key: 'timeZone', title: t('businessHours.timeZone'), cell: (s) => s.timeZone },
    { key: 'week', title: t('businessHours.week'), cell: (s) => summary(s) },
    {
      key: 'holidays',
      title: t('businessHours.holidays'),
      cell: (s) =>
        s.holidays.length === 0 ? (
          t('businessHours.noHolidays')
        ) : (
          <>
            {s.holidays.slice(0, 3).map((d, i) => (
              <span key={d}>
                {i > 0 && ', '}
                <Day day={d} />
              </span>
            ))}
            {s.holidays.length > 3 && ` ${t('businessHours.more', { count: s.holidays.length - 3 })}`}
          </>
        ),
    },
  ];
  if (canChange)
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (s) => (
        <RowActions>
          <Button size="compact-sm" variant="default" aria-label={t('businessHours.editNamed', { name: s.name })} onClick={() => setEditing(s)}>
            {t('businessHours.edit')}
          </Button>
          <Button size="compact-sm" variant="outline" color="red" aria-label={t('common.deleteNamed', { name: s.name })} disabled={act.isPending} onClick={() => setDeleting(s)}>
            {t('common.delete')}
          </Button>
        </RowActions>
      ),
    });

  return (
    <>
      <PageTitle>{t('menu.items.business-hours')}</PageTitle>
      {canChange && (
        <Group>
          <Button onClick={() => setEditing('new')}>{t('businessHours.add')}</Button>
        </Group>
      )}
      <QueryError error={error} />
      <DataTable label={t('menu.items.business-hours')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('businessHours.empty')} />
      <Modal size="xl" opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? t('businessHours.add') : t('businessHours.editTitle')}>
        {editing !== null && <ScheduleForm key={editing === 'new' ? 'new' : editing.id} schedule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('businessHours.deleteTitle')}
        confirmLabel={t('common.delete')}
        busy={act.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          act.mutate(
            {
              run: () => unwrap(client.DELETE('/api/v1/business-hours/{id}', { params: { path: { id: String(deleting.id) } } })),
              done: t('businessHours.deleted', { name: deleting.name }),
            },
            { onSettled: () => setDeleting(null) },
          )
        }
      >
        {deleting && t('businessHours.deleteQuestion', { name: deleting.name })}
      </ConfirmModal>
    </>
  );
}

function useSchema() {
  const { t } = useTranslation();
  const long = useWeekdays('long');
  return useMemo(() => {
    const period = z.object({ begin: z.string().trim(), end: z.string().trim() });
    const day = z.object({ active: z.boolean(), allDay: z.boolean(), begin: z.string().trim(), end: z.string().trim(), breaks: z.array(period) });
    return z
      .object({
        name: z.string().trim().min(1, t('businessHours.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
        timeZone: z.string().min(1, t('businessHours.timeZoneRequired')),
        days: z.array(day).length(7),
        holidays: z.array(z.object({ date: z.string().trim() })),
      })
      .superRefine((v, ctx) => {
        const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
        v.days.forEach((d, i) => {
          if (!TIME.test(d.begin)) issue(['days', i, 'begin'], t('businessHours.timeInvalid'));
          if (!CLOSING.test(d.end)) issue(['days', i, 'end'], t('businessHours.timeInvalid'));
          else if (d.active && !d.allDay && TIME.test(d.begin) && minutes(d.end) <= minutes(d.begin)) issue(['days', i, 'end'], t('businessHours.endBeforeBegin'));
          const opens = d.allDay ? 0 : minutes(d.begin);
          const closes = d.allDay ? 1440 : minutes(d.end);
          let previousEnd = -1;
          d.breaks.forEach((b, j) => {
            const at = ['days', i, 'breaks', j];
            if (!TIME.test(b.begin)) return issue([...at, 'begin'], t('businessHours.timeInvalid'));
            if (!CLOSING.test(b.end)) return issue([...at, 'end'], t('businessHours.timeInvalid'));
            if (minutes(b.end) <= minutes(b.begin)) return issue([...at, 'end'], t('businessHours.breakEndBeforeBegin'));
            if (!d.active) return;
            if (minutes(b.begin) < previousEnd) return issue([...at, 'begin'], t('businessHours.breakOverlaps'));
            if (minutes(b.begin) < opens || minutes(b.end) > closes) return issue([...at, 'begin'], t('businessHours.breakOutside'));
            previousEnd = minutes(b.end);
          });
        });
        if (!v.days.some((d) => d.active)) issue(['days', 'root'], t('businessHours.noWorkingDay'));
        const seen = new Set<string>();
        v.holidays.forEach((h, k) => {
          if (!isDate(h.date)) issue(['holidays', k, 'date'], t('businessHours.dateInvalid'));
          else if (seen.has(h.date)) issue(['holidays', k, 'date'], t('businessHours.dateTwice'));
          seen.add(h.date);
        });
      });
  }, [t, long]);
}

type Values = {
  name: string;
  timeZone: string;
  days: { active: boolean; allDay: boolean; begin: string; end: string; breaks: { begin: string; end: string }[] }[];
  holidays: { date: string }[];
};

const standardDay = (active: boolean) => ({ active, allDay: false, begin: '09:00', end: '18:00', breaks: [] });

/** The form's name for a field the server names ("holidays.2" is the date input of the third holiday). */
function formField(field: string): string {
  return /^holidays\.\d+$/.test(field) ? `${field}.date` : field;
}

function ScheduleForm({ schedule, onDone }: { schedule: BusinessHours | null; onDone: () => void }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const long = useWeekdays('long');
  const schema = useSchema();
  const [failure, setFailure] = useState<string | null>(null);
  const zones = useMemo(() => {
    const list = ['UTC', ...Intl.supportedValuesOf('timeZone')];
    if (schedule && !list.includes(schedule.timeZone)) list.push(schedule.timeZone);
    return list;
  }, [schedule]);
  const form = useForm<Values>({
    resolver: zodResolver(schema) as never,
    defaultValues: {
      name: schedule?.name ?? '',
      timeZone: schedule?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
      days: schedule?.days.map((d) => ({ ...d, breaks: d.breaks.map((b) => ({ ...b })) })) ?? [0, 1, 2, 3, 4, 5, 6].map((i) => standardDay(i < 5)),
      holidays: schedule?.holidays.map((date) => ({ date })) ?? [],
    },
  });
  const holidays = useFieldArray({ control: form.control, name: 'holidays' });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    const body = {
      name: v.name.trim(),
      timeZone: v.timeZone,
      days: v.days.map((d) => ({ active: d.active, allDay: d.allDay, begin: d.begin.trim(), end: d.end.trim(), breaks: d.breaks.map((b) => ({ begin: b.begin.trim(), end: b.end.trim() })) })),
      holidays: v.holidays.map((h) => h.date.trim()),
    };
    try {
      if (schedule) await unwrap(client.PATCH('/api/v1/business-hours/{id}', { params: { path: { id: String(schedule.id) } }, body }));
      else await unwrap(client.POST('/api/v1/business-hours', { body }));
      notifyDone(t(schedule ? 'businessHours.saved' : 'businessHours.added', { name: body.name }));
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.field && error.field !== 'days' && error.field !== 'id') {
        form.setError(formField(error.field) as never, { type: 'server', message: describe(error) }, { shouldFocus: true });
      } else setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.businessHours });
    }
  });

  const daysError = (errors.days as { root?: { message?: string } } | undefined)?.root?.message;
  return (
    <form onSubmit={submit} noValidate aria-label={schedule ? t('businessHours.editTitle') : t('businessHours.add')}>
      <Stack gap="sm">
        <TextInput label={t('common.name')} required {...form.register('name')} {...fieldError(errors.name?.message)} />
        <NativeSelect label={t('businessHours.timeZone')} data={zones} {...form.register('timeZone')} {...fieldError(errors.timeZone?.message)} />
        <Title order={3}>{t('businessHours.week')}</Title>
        {daysError && (
          <Alert color="red" variant="light" role="alert">
            {daysError}
          </Alert>
        )}
        {long.map((name, i) => (
          <DayEditor key={i} index={i} name={name} form={form} />
        ))}
        <fieldset className="week-day">
          <legend>{t('businessHours.holidays')}</legend>
          <Text size="sm" c="dimmed">
            {t('businessHours.holidaysHint')}
          </Text>
          <Stack gap="xs">
            {holidays.fields.map((h, k) => (
              <Group key={h.id} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  type="date"
                  className="date-input"
                  label={t('businessHours.holidayN', { n: k + 1 })}
                  {...form.register(`holidays.${k}.date`)}
                  {...fieldError(errors.holidays?.[k]?.date?.message)}
                />
                <Button variant="subtle" color="red" mt={24} aria-label={t('businessHours.removeHoliday', { n: k + 1 })} onClick={() => holidays.remove(k)}>
                  ✕
                </Button>
              </Group>
            ))}
            <Group>
              <Button variant="light" size="xs" onClick={() => holidays.append({ date: '' })}>
                {t('businessHours.addHoliday')}
              </Button>
            </Group>
          </Stack>
        </fieldset>
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
            {t('businessHours.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DayEditor({ index, name, form }: { index: number; name: string; form: UseFormReturn<Values> }) {
  const { t } = useTranslation();
  const breaks = useFieldArray({ control: form.control, name: `days.${index}.breaks` });
  const active = form.watch(`days.${index}.active`);
  const allDay = form.watch(`days.${index}.allDay`);
  const errors = (form.formState.errors as FieldErrors<Values>).days?.[index];
  return (
    <fieldset className="week-day">
      <legend>{name}</legend>
      <Group gap="md" wrap="wrap">
        <Checkbox label={t('businessHours.workingDay')} {...form.register(`days.${index}.active`)} />
        {active && <Checkbox label={t('businessHours.allDay')} {...form.register(`days.${index}.allDay`)} />}
      </Group>
      {active && !allDay && (
        <Group gap="xs" wrap="wrap" mt="xs" align="flex-start">
          <TextInput className="time-input" label={t('businessHours.opens')} aria-label={t('businessHours.opensOn', { day: name })} placeholder="09:00" {...form.register(`days.${index}.begin`)} {...fieldError(errors?.begin?.message)} />
          <TextInput className="time-input" label={t('businessHours.closes')} aria-label={t('businessHours.closesOn', { day: name })} placeholder="18:00" {...form.register(`days.${index}.end`)} {...fieldError(errors?.end?.message)} />
        </Group>
      )}
      {active && (
        <Stack gap={4} mt="xs">
          {breaks.fields.map((b, j) => (
            <Group key={b.id} gap="xs" wrap="wrap" align="flex-start">
              <TextInput
                className="time-input"
                label={t('businessHours.breakFrom')}
                aria-label={t('businessHours.breakFromOn', { day: name, n: j + 1 })}
                placeholder="13:00"
                {...form.register(`days.${index}.breaks.${j}.begin`)}
                {...fieldError(errors?.breaks?.[j]?.begin?.message)}
              />
              <TextInput
                className="time-input"
                label={t('businessHours.breakUntil')}
                aria-label={t('businessHours.breakUntilOn', { day: name, n: j + 1 })}
                placeholder="14:00"
                {...form.register(`days.${index}.breaks.${j}.end`)}
                {...fieldError(errors?.breaks?.[j]?.end?.message)}
              />
              <Button variant="subtle" color="red" mt={24} aria-label={t('businessHours.removeBreak', { day: name, n: j + 1 })} onClick={() => breaks.remove(j)}>
                ✕
              </Button>
            </Group>
          ))}
          <Group>
            <Button variant="light" size="xs" aria-label={t('businessHours.addBreakOn', { day: name })} onClick={() => breaks.append({ begin: '', end: '' })}>
              {t('businessHours.addBreak')}
            </Button>
          </Group>
        </Stack>
      )}
    </fieldset>
  );
}
