// One tariff plan: its facts, enable/disable and sync, the prices per period (with the upstream cost and
// the margin beside each price, as typed), its names and the processing modules that serve it.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Paper, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError, client, unwrap } from '../api/client';
import { notifyDone, useAct } from '../api/queries';
import type { Localization } from '../api/types';
import { useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { cleanNames, ConfirmModal, fieldError, Instant, LocalizedNameInputs, Loading, Money, nameLocales, PageTitle, QueryError, StatusBadge } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { localizationsQuery } from './Localizations';
import { modulesQuery } from './ProcessingModules';
import { AMOUNT, Margin, providersQuery, SyncButton, usePeriodLabel, type Tariff } from './Tariffs';

/**
 * price − cost for two decimal strings, exactly (BigInt on the digits, never floats); null when either is
 * missing or not a number yet.
 */
export function subtractDecimals(price: string, cost: string | null): string | null {
  if (cost === null) return null;
  const parse = (s: string) => /^(-)?(\d+)(?:\.(\d+))?$/.exec(s.trim());
  const a = parse(price);
  const b = parse(cost);
  if (!a || !b) return null;
  const scale = Math.max(a[3]?.length ?? 0, b[3]?.length ?? 0, 2);
  const toMinor = (m: RegExpExecArray) => (m[1] ? -1n : 1n) * BigInt(m[2]! + (m[3] ?? '').padEnd(scale, '0'));
  const diff = toMinor(a) - toMinor(b);
  const negative = diff < 0n;
  const digits = (negative ? -diff : diff).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

export function TariffPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const canChange = useCan('tariffs.change');
  const path = { params: { path: { id: String(id) } } };
  const { data: tariff, error } = useQuery({ queryKey: ['tariffs', id], queryFn: () => unwrap(client.GET('/api/v1/tariffs/{id}', path)) });
  const providers = useQuery(providersQuery);
  const modules = useQuery(modulesQuery);
  const localizations = useQuery(localizationsQuery);
  const act = useAct();
  const [deleting, setDeleting] = useState(false);
  const provider = providers.data?.items.find((p) => p.id === tariff?.providerId);
  const moduleNames = new Map((modules.data?.items ?? []).map((m) => [m.id, m.displayName]));

  return (
    <>
      <Crumbs trail={[[t('menu.items.tariffs'), '/tariffs']]} />
      <PageTitle>{tariff ? tariff.displayName : t('tariffs.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!tariff && !error && <Loading />}
      {tariff && (
        <>
          <Paper withBorder p="md">
            <Facts
              items={[
                [t('common.status'), <StatusBadge key="s" status={tariff.status} />],
                [t('tariffs.upstreamTariff'), `${tariff.upstreamName} (${tariff.upstreamTariffId})`],
                [t('tariffs.provider'), provider ? provider.name : `#${tariff.providerId}`],
                [t('tariffs.currency'), tariff.currency],
                [t('tariffs.modules'), tariff.processingModuleIds.map((m) => moduleNames.get(m) ?? `#${m}`).join(', ')],
                [t('tariffs.lastSynced'), <Instant key="ls" iso={tariff.lastSyncedAt} />],
                [t('common.sort'), tariff.sort],
              ]}
            />
            {canChange && (
              <Group>
                <Button
                  variant={tariff.status === 'enabled' ? 'default' : 'filled'}
                  disabled={act.isPending}
                  onClick={() =>
                    act.mutate({
                      run: () => unwrap(tariff.status === 'enabled' ? client.POST('/api/v1/tariffs/{id}/disable', path) : client.POST('/api/v1/tariffs/{id}/enable', path)),
                      done: t(tariff.status === 'enabled' ? 'tariffs.disabledNotice' : 'tariffs.enabledNotice', { name: tariff.displayName }),
                    })
                  }
                >
                  {tariff.status === 'enabled' ? t('tariffs.disable') : t('tariffs.enable')}
                </Button>
                <SyncButton tariff={tariff} variant="full" />
                <Button variant="outline" color="red" disabled={act.isPending} onClick={() => setDeleting(true)}>
                  {t('common.delete')}
                </Button>
              </Group>
            )}
          </Paper>
          <PricesForm key={`${tariff.id}:${tariff.updatedAt}`} tariff={tariff} canChange={canChange} />
          {canChange && localizations.data && <NamesForm key={`names:${tariff.updatedAt}`} tariff={tariff} locales={nameLocales(localizations.data.items)} />}
          {canChange && <ModulesForm key={`modules:${tariff.updatedAt}`} tariff={tariff} />}
          <ConfirmModal
            opened={deleting}
            title={t('tariffs.deleteTitle')}
            confirmLabel={t('common.delete')}
            busy={act.isPending}
            onClose={() => setDeleting(false)}
            onConfirm={() =>
              act.mutate(
                { run: () => unwrap(client.DELETE('/api/v1/tariffs/{id}', path)), done: t('tariffs.deleted', { name: tariff.displayName }) },
                {
                  onSuccess: () => navigate('/tariffs'),
                  onSettled: () => setDeleting(false),
                },
              )
            }
          >
            {t('tariffs.deleteQuestion', { name: tariff.displayName })}
          </ConfirmModal>
        </>
      )}
    </>
  );
}

/** The prices per period, each with its upstream cost and the margin of what is typed; a loss shows at once. */
function PricesForm({ tariff, canChange }: { tariff: Tariff; canChange: boolean }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const label = usePeriodLabel();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        periods: z.array(z.object({ price: z.string().trim().regex(AMOUNT, t('tariffs.priceInvalid')), enabled: z.boolean() })),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { periods: tariff.periods.map((p) => ({ price: p.price, enabled: p.enabled })) };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const typed = useWatch({ control: form.control, name: 'periods' });
  const fields = tariff.periods.flatMap((_, i) => [`periods.${i}.price`, `periods.${i}.enabled`]);

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    const periods = values.periods
      .map((v, i) => ({ period: tariff.periods[i]!.period, price: v.price, enabled: v.enabled, was: tariff.periods[i]! }))
      .filter((p) => p.price !== p.was.price || p.enabled !== p.was.enabled)
      .map(({ period, price, enabled }) => ({ period, price, enabled }));
    if (!periods.length) return;
    try {
      await unwrap(client.PATCH('/api/v1/tariffs/{id}', { params: { path: { id: String(tariff.id) } }, body: { periods } }));
      notifyDone(t('tariffs.pricesSaved', { name: tariff.displayName }));
    } catch (error) {
      // The API names entries of the request; map them back to the rows of the table.
      const sent = periods.map((p) => tariff.periods.findIndex((x) => x.period === p.period));
      const mapped = remapField(error, sent);
      if (!showUnderField(form, mapped, fields, describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tariffs'] });
    }
  });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tariff-prices">
      <Title order={2} id="tariff-prices" mb="xs">
        {t('tariffs.pricesTitle')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('tariffs.pricesTitle')}>
        <Stack gap="sm">
          <div className="table-scroll">
            <Table className="data-table" aria-label={t('tariffs.pricesTitle')} verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('tariffs.period')}</Table.Th>
                  <Table.Th scope="col" className="money">
                    {t('tariffs.upstreamCost')}
                  </Table.Th>
                  <Table.Th scope="col">{t('tariffs.ourPriceIn', { currency: tariff.currency })}</Table.Th>
                  <Table.Th scope="col" className="money">
                    {t('tariffs.margin')}
                  </Table.Th>
                  <Table.Th scope="col">{t('tariffs.onSale')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tariff.periods.map((p, i) => {
                  const price = typed?.[i]?.price ?? p.price;
                  const margin = subtractDecimals(price, p.upstreamCost);
                  const negative = margin !== null && margin.startsWith('-');
                  const mapped = p.upstreamPeriod !== p.period ? t('tariffs.boughtAs', { period: label(p.upstreamPeriod) }) : null;
                  return (
                    <Table.Tr key={p.period} className={negative && (typed?.[i]?.enabled ?? p.enabled) ? 'loss-row' : undefined}>
                      <Table.Td>
                        {label(p.period)}
                        {mapped && <span className="sub">{mapped}</span>}
                      </Table.Td>
                      <Table.Td className="money">
                        <Money amount={p.upstreamCost} currency={tariff.currency} />
                      </Table.Td>
                      <Table.Td>
                        <TextInput
                          size="xs"
                          className="price-input"
                          aria-label={t('tariffs.priceFor', { period: label(p.period), currency: tariff.currency })}
                          inputMode="decimal"
                          readOnly={!canChange}
                          {...form.register(`periods.${i}.price`)}
                          {...fieldError(form.formState.errors.periods?.[i]?.price?.message)}
                        />
                      </Table.Td>
                      <Table.Td className="money">
                        {margin === null && p.upstreamCost !== null ? '—' : <Margin margin={margin} currency={tariff.currency} negative={negative} />}
                      </Table.Td>
                      <Table.Td>
                        <Checkbox
                          aria-label={t('tariffs.onSaleFor', { period: label(p.period) })}
                          disabled={!canChange}
                          {...form.register(`periods.${i}.enabled`)}
                          {...fieldError(form.formState.errors.periods?.[i]?.enabled?.message)}
                        />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          {canChange && (
            <Group>
              <Button type="submit" loading={form.formState.isSubmitting}>
                {t('tariffs.savePrices')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

/** An error naming `periods.<k>.x` of the request, renamed to the table row the k-th entry came from. */
function remapField(error: unknown, rows: number[]): unknown {
  if (!(error instanceof ApiError) || !error.field) return error;
  const m = /^periods\.(\d+)\.(\w+)$/.exec(error.field);
  const row = m ? rows[Number(m[1])] : undefined;
  if (!m || row === undefined) return error;
  return new ApiError(error.status, error.code, error.message, `periods.${row}.${m[2]}`, error.details);
}

function NamesForm({ tariff, locales }: { tariff: Tariff; locales: Localization[] }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const defaultCode = locales.find((l) => l.isDefault)?.code ?? locales[0]?.code ?? 'en';
  const schema = useMemo(
    () =>
      z.object({
        name: z.record(z.string(), z.string().trim().max(200, t('forms.tooLong', { max: 200 })).optional()).superRefine((names, ctx) => {
          if (!names[defaultCode]?.trim()) ctx.addIssue({ code: 'custom', path: [defaultCode], message: t('forms.nameRequired', { code: defaultCode }) });
        }),
      }),
    [t, defaultCode],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: Object.fromEntries(locales.map((l) => [l.code, tariff.name[l.code] ?? ''])) },
  });
  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    try {
      await unwrap(client.PATCH('/api/v1/tariffs/{id}', { params: { path: { id: String(tariff.id) } }, body: { name: cleanNames(values.name) } }));
      notifyDone(t('tariffs.namesSaved'));
    } catch (error) {
      if (!showUnderField(form, error, locales.map((l) => `name.${l.code}`), describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['tariffs'] });
    }
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tariff-names" className="add-form">
      <Title order={2} id="tariff-names" mb="xs">
        {t('tariffs.namesTitle')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('tariffs.namesTitle')}>
        <Stack gap="sm">
          <LocalizedNameInputs form={form} locales={locales} />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('tariffs.saveNames')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** The processing modules that may serve the tariff (at least one). */
function ModulesForm({ tariff }: { tariff: Tariff }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const modules = useQuery(modulesQuery);
  const [chosen, setChosen] = useState<number[]>(tariff.processingModuleIds);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setFailure(null);
    if (!chosen.length) {
      setFailure(t('tariffs.modulesRequired'));
      return;
    }
    setBusy(true);
    try {
      await unwrap(client.PUT('/api/v1/tariffs/{id}/modules', { params: { path: { id: String(tariff.id) } }, body: { processingModuleIds: chosen } }));
      notifyDone(t('tariffs.modulesSaved'));
    } catch (error) {
      setFailure(describe(error, { withCode: true }));
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: ['tariffs'] });
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tariff-modules" className="add-form">
      <Title order={2} id="tariff-modules" mb="xs">
        {t('tariffs.modulesTitle')}
      </Title>
      <Stack gap="xs">
        <QueryError error={modules.error} />
        <Checkbox.Group label={t('tariffs.modulesHint')} value={chosen.map(String)} onChange={(v) => setChosen(v.map(Number))}>
          <Stack gap={6} mt={4}>
            {(modules.data?.items ?? []).map((m) => (
              <Checkbox key={m.id} value={String(m.id)} label={m.displayName} />
            ))}
          </Stack>
        </Checkbox.Group>
        {failure && (
          <Alert color="red" variant="light" role="alert">
            {failure}
          </Alert>
        )}
        <Group>
          <Button onClick={save} loading={busy}>
            {t('tariffs.saveModules')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
