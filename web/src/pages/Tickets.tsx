// Tools → Tickets: the support center's tickets of the departments the employee works in (administrators:
// all), newest activity first. Filters (status, department, performer, overdue, subject) stay in the URL.
// Read again every little while: clients write in by themselves. Also the client page's tickets list.
import { Badge, Button, Checkbox, Group, NativeSelect, Pagination, Stack, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import type { TicketStatus, TicketSummary } from '../api/types';
import { useCan, useMe } from '../auth';
import { AppLink, dash, DataTable, Instant, PageTitle, QueryError, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';
import { useAllDepartments } from './Employees';

const PER_PAGE = 50;
export const TICKET_STATUSES = ['new', 'answered', 'waiting_for_client', 'closed'] as const;
const PERFORMERS = ['me', 'none'] as const;
/** Tickets change by themselves (clients write, the due time passes): read again this often (ms). */
export const TICKETS_POLL = 15_000;

const TICKET_COLORS: Record<string, string> = { new: 'blue', answered: 'green', waiting_for_client: 'orange', closed: 'gray' };

/** A ticket's status as a badge, the same everywhere. */
export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Badge className="status" color={TICKET_COLORS[status] ?? 'gray'} variant="light" tt="none" radius="sm">
      {t(`tickets.statuses.${status}`)}
    </Badge>
  );
}

/** The due time; when overdue, a word and a mark beside it (not colour alone). */
export function DueTime({ ticket }: { ticket: Pick<TicketSummary, 'dueAt' | 'overdue'> }) {
  const { t } = useTranslation();
  if (!ticket.dueAt) return dash;
  return (
    <span className={ticket.overdue ? 'ticket-due overdue-due' : 'ticket-due'}>
      <Instant iso={ticket.dueAt} />
      {ticket.overdue && <span className="overdue-label"> {t('tickets.overdue')}</span>}
    </span>
  );
}

/** Who works on it: the name, "you" beside one's own. */
export function Performer({ ticket }: { ticket: Pick<TicketSummary, 'performerId' | 'performerName'> }) {
  const { t } = useTranslation();
  const me = useMe();
  if (ticket.performerId === null) return dash;
  return (
    <>
      {ticket.performerName ?? `#${ticket.performerId}`}
      {ticket.performerId === me.id && <span className="muted"> ({t('tickets.yours')})</span>}
    </>
  );
}

function LastActivity({ ticket }: { ticket: TicketSummary }) {
  const { t } = useTranslation();
  return (
    <>
      <Instant iso={ticket.lastMessageAt} />
      <span className="sub">{ticket.lastMessageBy === 'client' ? t('tickets.byClient') : t('tickets.byStaff')}</span>
    </>
  );
}

function useColumns(withClient: boolean): Column<TicketSummary>[] {
  const { t } = useTranslation();
  const columns: Column<TicketSummary>[] = [
    {
      key: 'subject',
      title: t('tickets.subject'),
      className: 'ticket-subject',
      cell: (x) => (
        <>
          <AppLink to={`/tickets/${x.id}`}>{x.subject}</AppLink>
          <span className="sub">#{x.id}</span>
        </>
      ),
    },
    { key: 'client', title: t('tickets.client'), cell: (x) => <AppLink to={`/clients/${x.clientId}`}>{x.clientName || `#${x.clientId}`}</AppLink> },
    { key: 'department', title: t('tickets.department'), cell: (x) => x.departmentName || `#${x.departmentId}` },
    { key: 'status', title: t('common.status'), cell: (x) => <TicketStatusBadge status={x.status} /> },
    { key: 'performer', title: t('tickets.performer'), cell: (x) => <Performer ticket={x} /> },
    { key: 'due', title: t('tickets.due'), cell: (x) => <DueTime ticket={x} /> },
    { key: 'activity', title: t('tickets.lastActivity'), cell: (x) => <LastActivity ticket={x} /> },
  ];
  return withClient ? columns : columns.filter((c) => c.key !== 'client');
}

export function TicketsPage() {
  const { t } = useTranslation();
  const filters = useUrlFilters(['status', 'department', 'performer', 'overdue', 'q'] as const);
  const { page, setPage } = filters;
  const { q } = filters.values;
  const status = TICKET_STATUSES.find((s) => s === filters.values.status);
  const departmentId = Number(filters.values.department) || undefined;
  const performer = PERFORMERS.find((p) => p === filters.values.performer);
  const overdue = filters.values.overdue === 'true';
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const query = {
    page,
    perPage: PER_PAGE,
    ...(status ? { status } : {}),
    ...(departmentId ? { departmentId } : {}),
    ...(performer ? { performer } : {}),
    ...(overdue ? { overdue: 'true' as const } : {}),
    ...(q ? { q } : {}),
  };
  const { data, error } = useQuery({
    queryKey: ['tickets', query],
    queryFn: () => unwrap(client.GET('/api/v1/tickets', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: TICKETS_POLL,
  });
  const departments = useDepartmentOptions(data?.items ?? [], departmentId);
  const columns = useColumns(true);
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  const filtered = Boolean(status || departmentId || performer || overdue || q);

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    filters.set({ q: search.trim() });
  };

  return (
    <>
      <PageTitle>{t('menu.items.tickets')}</PageTitle>
      <form onSubmit={submitSearch} role="search" aria-label={t('tickets.filters.searchForm')}>
        <Group className="toolbar" gap="sm">
          <TextInput className="filter" label={t('tickets.filters.search')} placeholder={t('tickets.filters.searchHint')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
          <Button type="submit" variant="default">
            {t('tickets.filters.find')}
          </Button>
        </Group>
      </form>
      <Group className="toolbar" gap="sm" mt="xs" mb="sm">
        <NativeSelect
          label={t('tickets.filters.status')}
          className="filter"
          value={status ?? ''}
          data={[{ value: '', label: t('common.all') }, ...TICKET_STATUSES.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))]}
          onChange={(e) => filters.set({ status: e.currentTarget.value })}
        />
        <NativeSelect
          label={t('tickets.filters.department')}
          className="filter"
          value={departmentId ? String(departmentId) : ''}
          data={[{ value: '', label: t('common.all') }, ...departments]}
          onChange={(e) => filters.set({ department: e.currentTarget.value })}
        />
        <NativeSelect
          label={t('tickets.filters.performer')}
          className="filter"
          value={performer ?? ''}
          data={[
            { value: '', label: t('tickets.filters.anyone') },
            { value: 'me', label: t('tickets.filters.me') },
            { value: 'none', label: t('tickets.filters.nobody') },
          ]}
          onChange={(e) => filters.set({ performer: e.currentTarget.value })}
        />
        <Checkbox className="toolbar-check" label={t('tickets.filters.overdueOnly')} checked={overdue} onChange={(e) => filters.set({ overdue: e.currentTarget.checked ? 'true' : '' })} />
      </Group>
      <QueryError error={error} />
      <DataTable
        label={t('menu.items.tickets')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={filtered ? t('tickets.noneFound') : t('tickets.empty')}
        rowClass={(x) => (x.overdue ? 'overdue' : undefined)}
      />
      {data && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('tickets.count', { count: data.total })}
          </Text>
        </Group>
      )}
    </>
  );
}

/**
 * The department filter's choices: every department for whoever may read them; otherwise those of the
 * tickets on screen (and the one chosen), which are the ones this employee works in anyway.
 */
function useDepartmentOptions(items: readonly TicketSummary[], chosen: number | undefined) {
  const all = useAllDepartments();
  const [seen, setSeen] = useState<Map<number, string>>(new Map());
  useEffect(() => {
    const missing = items.filter((x) => seen.get(x.departmentId) !== x.departmentName);
    if (missing.length) setSeen((prev) => new Map([...prev, ...missing.map((x) => [x.departmentId, x.departmentName] as const)]));
  }, [items]);
  if (all.data) return all.data.items.map((d) => ({ value: String(d.id), label: d.displayName }));
  const options = [...seen].map(([id, name]) => ({ value: String(id), label: name || `#${id}` }));
  if (chosen && !seen.has(chosen)) options.push({ value: String(chosen), label: `#${chosen}` });
  return options.sort((a, b) => a.label.localeCompare(b.label));
}

/** The client page's tickets: all of this client's, newest activity first (only with tickets.read). */
export function ClientTickets({ clientId }: { clientId: number }) {
  const { t } = useTranslation();
  const canRead = useCan('tickets.read');
  const [page, setPage] = useState(1);
  const { data, error } = useQuery({
    queryKey: ['tickets', 'client', clientId, page],
    queryFn: () => unwrap(client.GET('/api/v1/tickets', { params: { query: { clientId, page, perPage: PER_PAGE } } })),
    placeholderData: keepPreviousData,
    enabled: canRead,
    refetchInterval: TICKETS_POLL,
  });
  const columns = useColumns(false);
  if (!canRead) return null;
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  return (
    <Stack gap="sm">
      <QueryError error={error} />
      <DataTable
        label={t('tickets.clientTickets')}
        columns={columns}
        rows={data?.items ?? (error ? [] : undefined)}
        empty={t('tickets.clientNoTickets')}
        rowClass={(x) => (x.overdue ? 'overdue' : undefined)}
      />
      {data && lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
    </Stack>
  );
}
