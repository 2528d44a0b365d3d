// Access rights in the UI: the gate in front of a page the user may not open, and the editor of a set of
// rights (an employee's or a department's): a grid of menu areas × read/change, and the money rights.
import { Alert, Checkbox, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { useCan } from '../auth';
import { PageTitle, QueryError } from './ui';

/** The page, or a plain "no access" page naming the right it needs. */
export function RightGate({ right, children }: { right: string | null; children: ReactNode }) {
  const allowed = useCan(right ?? '');
  if (right === null || allowed) return <>{children}</>;
  return <NoAccess right={right} />;
}

export function NoAccess({ right }: { right: string }) {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle>{t('rights.noAccess.title')}</PageTitle>
      <Alert color="yellow" variant="light" role="status">
        {t('rights.noAccess.text', { right })}
      </Alert>
    </>
  );
}

export const rightsQuery = {
  queryKey: ['rights-catalog'] as const,
  queryFn: () => unwrap(client.GET('/api/v1/rights')),
  staleTime: Infinity,
};

/**
 * Checkboxes for a set of rights. `inherited` are held through departments: shown checked and greyed
 * out. Checking "change" checks (and greys out) "read", as the server counts it.
 */
export function RightsEditor(props: {
  value: readonly string[];
  onChange: (rights: string[]) => void;
  inherited?: readonly string[];
  readOnly?: boolean;
  /** Names the whole editor for screen readers ("Access rights of …"). */
  label: string;
}) {
  const { t } = useTranslation();
  const { data, error } = useQuery(rightsQuery);
  const inherited = new Set(props.inherited ?? []);
  const held = new Set(props.value);
  const has = (name: string) => held.has(name) || inherited.has(name);
  const set = (name: string, on: boolean) => {
    const next = new Set(held);
    if (on) next.add(name);
    else next.delete(name);
    // A "read" right under a held "change" is implied: not stored twice.
    if (on && name.endsWith('.change')) next.delete(name.replace(/\.change$/, '.read'));
    props.onChange([...next].sort());
  };
  if (error) return <QueryError error={error} />;
  if (!data) return null;
  const areas = [...new Set(data.items.filter((r) => r.level !== 'money').map((r) => r.group))];
  const money = data.items.filter((r) => r.level === 'money');
  const areaName = (area: string) => t(`rights.areas.${area}` as never, { defaultValue: area });
  const box = (name: string, label: string, impliedBy?: string) => {
    const fromDepartment = inherited.has(name) || (impliedBy !== undefined && inherited.has(impliedBy));
    const implied = impliedBy !== undefined && has(impliedBy);
    return (
      <Checkbox
        aria-label={fromDepartment ? `${label} (${t('rights.fromDepartment')})` : label}
        checked={has(name) || implied}
        disabled={props.readOnly || fromDepartment || implied}
        onChange={(e) => set(name, e.currentTarget.checked)}
      />
    );
  };
  return (
    <Stack gap="xs" component="fieldset" className="rights-editor" aria-label={props.label}>
      <Title order={3}>{t('rights.title')}</Title>
      <Text size="sm" c="dimmed">
        {t('rights.changeIncludesRead')} {inherited.size > 0 && t('rights.inheritedNote')} {props.readOnly && t('rights.onlyAdmins')}
      </Text>
      <div className="table-scroll">
        <Table className="rights-grid" verticalSpacing={4} aria-label={t('rights.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('rights.area')}</Table.Th>
              <Table.Th scope="col">{t('rights.read')}</Table.Th>
              <Table.Th scope="col">{t('rights.change')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {areas.map((area) => (
              <Table.Tr key={area}>
                <Table.Th scope="row">{areaName(area)}</Table.Th>
                <Table.Td>{box(`${area}.read`, t('rights.readOf', { area: areaName(area) }), `${area}.change`)}</Table.Td>
                <Table.Td>{box(`${area}.change`, t('rights.changeOf', { area: areaName(area) }))}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      <Title order={4}>{t('rights.money')}</Title>
      <Stack gap={4}>
        {money.map((r) => {
          const label = t(`rights.moneyRights.${r.name}` as never, { defaultValue: r.description });
          const fromDepartment = inherited.has(r.name);
          return (
            <Checkbox
              key={r.name}
              label={fromDepartment ? `${label} (${t('rights.fromDepartment')})` : label}
              checked={has(r.name)}
              disabled={props.readOnly || fromDepartment}
              onChange={(e) => set(r.name, e.currentTarget.checked)}
            />
          );
        })}
      </Stack>
    </Stack>
  );
}
