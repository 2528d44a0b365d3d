// What the pages share: a title, status badges, a table that scrolls inside its card, dates and money
// for the locale, a confirmation dialog and the per-locale name inputs.
import { Alert, Anchor, Badge, Button, Group, Loader, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { Fragment, useEffect, type ReactNode } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router';
import type { Localization } from '../api/types';
import { useDescribeError } from '../errors';
import { useFormat } from '../format';

/** The page's heading, also the window's title. */
export function PageTitle({ children }: { children: string }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('app.title', { page: children });
  }, [children, t]);
  return (
    <Title order={1} className="page-title">
      {children}
    </Title>
  );
}

const STATUS_COLORS: Record<string, string> = {
  processing: 'blue',
  pending: 'blue',
  running: 'blue',
  new: 'blue',
  in_progress: 'cyan',
  active: 'green',
  enabled: 'green',
  succeeded: 'green',
  sent: 'green',
  sending: 'blue',
  suspended: 'orange',
  manual: 'orange',
  disabled: 'gray',
  deleted: 'gray',
  done: 'gray',
  failed: 'red',
  error: 'red',
};

/** One badge per status, the same color everywhere (processing blue, active green, suspended orange, failed red). */
export function StatusBadge({ status, title }: { status: string; title?: string }) {
  const { t } = useTranslation();
  return (
    <Badge className="status" color={STATUS_COLORS[status] ?? 'gray'} variant="light" tt="none" radius="sm" title={title}>
      {t(`status.${status}` as never, { defaultValue: status.replace(/_/g, ' ') })}
    </Badge>
  );
}

export const dash = (
  <Text span c="dimmed">
    —
  </Text>
);

/** A link inside the app. */
export function AppLink({ to, children, ...rest }: { to: string; children: ReactNode; 'aria-label'?: string }) {
  return (
    <Anchor component={RouterLink} to={to} {...rest}>
      {children}
    </Anchor>
  );
}

/** An instant in the user's time zone; the UTC instant on hover. */
export function Instant({ iso }: { iso: string | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!iso) return dash;
  return (
    <time dateTime={iso} title={t('common.utc', { instant: new Date(iso).toISOString().replace('T', ' ').slice(0, 16) })}>
      {f.dateTime(iso)}
    </time>
  );
}

/** A calendar date (YYYY-MM-DD) such as an expiry. */
export function Day({ day }: { day: string | null }) {
  const f = useFormat();
  if (!day) return dash;
  return <time dateTime={day}>{f.date(day)}</time>;
}

export function Money({ amount, currency }: { amount: string | null; currency: string | null }) {
  const f = useFormat();
  return amount === null ? dash : <>{f.money(amount, currency)}</>;
}

export interface Column<T> {
  key: string;
  title: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/** A list's table: scrolls inside its own box on a narrow screen, never the page. */
export function DataTable<T extends { id: number | string }>(props: {
  label: string;
  columns: Column<T>[];
  rows: readonly T[] | undefined;
  empty: ReactNode;
  rowClass?: (row: T) => string | undefined;
}) {
  const { label, columns, rows, empty, rowClass } = props;
  if (!rows) return <Loading />;
  return (
    <div className="table-scroll">
      <Table aria-label={label} striped highlightOnHover verticalSpacing={6} className="data-table">
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c.key} className={c.className} scope="col">
                {c.title}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={columns.length} className="muted">
                {empty}
              </Table.Td>
            </Table.Tr>
          )}
          {rows.map((row) => (
            <Table.Tr key={row.id} data-id={row.id} className={rowClass?.(row)}>
              {columns.map((c) => (
                <Table.Td key={c.key} className={c.className}>
                  {c.cell(row)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <Group gap="xs" className="muted" role="status">
      <Loader size="xs" />
      <span>{t('app.loading')}</span>
    </Group>
  );
}

/** A query that failed: the server's words (localized) and its code. */
export function QueryError({ error }: { error: unknown }) {
  const describe = useDescribeError();
  if (!error) return null;
  return (
    <Alert color="red" variant="light" className="page-error">
      {describe(error, { withCode: true })}
    </Alert>
  );
}

/** Asks before a dangerous action, saying what will happen; Escape or Cancel changes nothing. */
export function ConfirmModal(props: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} centered>
      <Stack>
        <div>{props.children}</div>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={props.busy} onClick={props.onConfirm} data-autofocus>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * A dialog about one item (an operation, a task): open while there is one, its form remounted per item
 * (keyed by its id) so nothing typed for one carries over to the next.
 */
export function ItemDialog<T extends { id: number }>(props: { item: T | null; title: (item: T) => string; onClose: () => void; children: (item: T) => ReactNode }) {
  const { item } = props;
  return (
    <Modal opened={item !== null} onClose={props.onClose} title={item ? props.title(item) : ''}>
      {item && <Fragment key={item.id}>{props.children(item)}</Fragment>}
    </Modal>
  );
}

/** Mantine's error slot, announced: the message sits under the field, in words. */
export function fieldError(message: string | undefined) {
  return { error: message, errorProps: { role: 'alert' } };
}

/** One input per locale for a localized name (form field `name.<code>`); the default locale's is required. */
export function LocalizedNameInputs<T extends FieldValues>({ form, locales }: { form: UseFormReturn<T>; locales: readonly Localization[] }) {
  const { t } = useTranslation();
  return (
    <>
      {locales.map((l) => {
        const path = `name.${l.code}` as Path<T>;
        const error = (form.formState.errors.name as Record<string, { message?: string }> | undefined)?.[l.code]?.message;
        return (
          <TextInput
            key={l.code}
            label={`${t('common.nameIn', { code: l.code })}${l.isDefault ? ' *' : ''}`}
            lang={l.code}
            placeholder={t('common.nameInPlaceholder', { language: l.name })}
            {...form.register(path)}
            {...fieldError(error)}
          />
        );
      })}
    </>
  );
}

/** Enabled locales, the default one first (it is the one the API requires). */
export function nameLocales(items: readonly Localization[]): Localization[] {
  return items.filter((l) => l.enabled).sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

/** The localized name as the API wants it: trimmed, empty ones left out. */
export function cleanNames(names: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(names)
      .map(([k, v]) => [k, (v ?? '').trim()] as const)
      .filter(([, v]) => v),
  );
}

/** A row's buttons, side by side (inline, so the row reads as one line). */
export function RowActions({ children }: { children: ReactNode }) {
  return <span className="row-actions">{children}</span>;
}
