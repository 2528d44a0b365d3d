// Tools → Audit log: who changed what and when, newest first; filtered by entity (type and id) and by the
// person who did it, paged. The filters live in the URL, so a filtered log can be shared.
import { Button, Group, NativeSelect, Pagination, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import type { AuditEntry } from '../api/types';
import { AppLink, dash, DataTable, Instant, PageTitle, QueryError, type Column } from '../components/ui';
import { useUrlFilters } from '../components/useUrlFilters';

const PER_PAGE = 50;
export const ENTITIES = [
  'license',
  'client',
  'tariff',
  'processing_module',
  'datacenter',
  'operation',
  'task',
  'employee',
  'department',
  'provider',
  'business_hours',
  'localization',
  'api_token',
] as const;

/** Where an entity's own page is, for those that have one. */
function entityPath(entity: string, id: string): string | null {
  if (entity === 'license') return `/licenses/${id}`;
  if (entity === 'operation') return `/operations/${id}`;
  if (entity === 'processing_module') return `/processing-modules/${id}`;
  return null;
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** What changed, field by field: "ip: 203.0.113.5 → 203.0.113.9"; for a creation or deletion, the fields it had. */
function changesOf(e: AuditEntry): string[] {
  const before = (e.before && typeof e.before === 'object' ? e.before : null) as Record<string, unknown> | null;
  const after = (e.after && typeof e.after === 'object' ? e.after : null) as Record<string, unknown> | null;
  if (before && after) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) && k !== 'updatedAt' && k !== 'pendingOperations')
      .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
  }
  const one = after ?? before;
  if (one) return Object.entries(one).slice(0, 6).map(([k, v]) => `${k}: ${show(v)}`);
  return [];
}

export function AuditPage() {
  const { t } = useTranslation();
  const filters = useUrlFilters(['entity', 'entityId', 'actor'] as const);
  const { page, setPage } = filters;
  const { entity, entityId, actor } = filters.values;
  const [idText, setIdText] = useState(entityId);
  useEffect(() => setIdText(entityId), [entityId]);

  // A change of the entity or the person also takes the id as typed.
  const change = (values: Partial<typeof filters.values>) => filters.set({ entityId: idText.trim(), ...values });
  // actor: "employee:<id>", or a kind alone ("system", "client").
  const [actorKind, actorIdText] = actor.split(':');
  const actorId = Number(actorIdText) || undefined;
  const query = {
    page,
    perPage: PER_PAGE,
    ...(entity ? { entity } : {}),
    ...(entityId ? { entityId } : {}),
    ...(actorKind ? { actorKind } : {}),
    ...(actorId ? { actorId } : {}),
  };
  const { data, error } = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(client.GET('/api/v1/audit', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const employees = useQuery({
    queryKey: ['employees', 'all'],
    queryFn: () => unwrap(client.GET('/api/v1/employees', { params: { query: { perPage: 500 } } })),
    staleTime: 60_000,
  });
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;

  const columns: Column<AuditEntry>[] = [
    { key: 'at', title: t('audit.when'), cell: (e) => <Instant iso={e.at} /> },
    { key: 'who', title: t('audit.who'), cell: (e) => `${e.actor.label}` },
    { key: 'action', title: t('audit.action'), cell: (e) => <code>{e.action}</code> },
    {
      key: 'entity',
      title: t('audit.entity'),
      cell: (e) => {
        const label = `${t(`audit.entities.${e.entity}` as never, { defaultValue: e.entity })}${e.entityId ? ` #${e.entityId}` : ''}`;
        const to = e.entityId ? entityPath(e.entity, e.entityId) : null;
        return to ? <AppLink to={to}>{label}</AppLink> : label;
      },
    },
    {
      key: 'changes',
      title: t('audit.changes'),
      cell: (e) => {
        const lines = changesOf(e);
        return lines.length ? (
          <ul className="audit-changes">
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : (
          dash
        );
      },
    },
  ];

  const submitId = (e: FormEvent) => {
    e.preventDefault();
    change({ entityId: idText.trim() });
  };

  return (
    <>
      <PageTitle>{t('menu.items.audit')}</PageTitle>
      <form onSubmit={submitId} aria-label={t('audit.filters')}>
        <Group className="toolbar" gap="sm" mb="sm">
          <NativeSelect
            label={t('audit.entity')}
            className="filter"
            value={entity}
            data={[{ value: '', label: t('common.all') }, ...ENTITIES.map((x) => ({ value: x, label: t(`audit.entities.${x}`) }))]}
            onChange={(e) => change({ entity: e.currentTarget.value })}
          />
          <TextInput label={t('audit.entityId')} className="filter-narrow" value={idText} onChange={(e) => setIdText(e.currentTarget.value)} />
          <Button type="submit" variant="default">
            {t('audit.apply')}
          </Button>
          <NativeSelect
            label={t('audit.person')}
            className="filter"
            value={actor}
            data={[
              { value: '', label: t('audit.anyone') },
              { value: 'system', label: t('audit.system') },
              { value: 'client', label: t('audit.clients') },
              ...(employees.data?.items ?? []).map((x) => ({ value: `employee:${x.id}`, label: `${x.name} (${x.email})` })),
            ]}
            onChange={(e) => change({ actor: e.currentTarget.value })}
          />
        </Group>
      </form>
      <QueryError error={error} />
      <DataTable label={t('menu.items.audit')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('audit.empty')} />
      {data && (
        <Group className="pager" gap="sm">
          {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
          <Text size="sm" c="dimmed">
            {t('audit.count', { count: data.total })}
          </Text>
        </Group>
      )}
    </>
  );
}
