// One license: its facts and key (copy), the staff actions the API offers (renew, change IP or name, new
// key, change tariff with the price difference shown before confirming, suspend, resume, delete, refund),
// its history and its operations. Read again every few seconds while something is under way.
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { z } from '../zod';
import { client, unwrap } from '../api/client';
import { keys, POLL, useAct } from '../api/queries';
import type { License, Operation } from '../api/types';
import { useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { HistoryChange, useHistoryWords } from '../components/LicenseHistory';
import { FormEnd, ParamsForm, RenewForm, TariffForm, useSubmit } from '../components/LicenseForms';
import { AppLink, ConfirmModal, dash, DataTable, Day, fieldError, Instant, Loading, Money, PageTitle, QueryError, RowActions, StatusBadge, type Column } from '../components/ui';
import { LicenseKey, moving, usePeriodLabel, useTariffs } from './Licenses';

type Dialog = 'renew' | 'params' | 'tariff' | 'refund' | 'newKey' | 'suspend' | 'resume' | 'delete' | null;

interface HistoryItem {
  id: number;
  at: string;
  event: string;
  from: string | null;
  to: string | null;
  message: string | null;
  operationId: number | null;
  actor: { kind: string; label: string };
}

export function LicensePage() {
  const { t } = useTranslation();
  const periodLabel = usePeriodLabel();
  const id = Number(useParams().id);
  const path = { path: { id: String(id) } };
  const { data: l, error } = useQuery({
    queryKey: keys.license(id),
    queryFn: () => unwrap(client.GET('/api/v1/licenses/{id}', { params: path })),
    refetchInterval: (q) => (q.state.data && moving(q.state.data) ? POLL.licenses : false),
  });
  const busy = l ? moving(l) : false;
  const history = useQuery({
    queryKey: [...keys.license(id), 'history'],
    queryFn: () => unwrap(client.GET('/api/v1/licenses/{id}/history', { params: path })),
    refetchInterval: busy ? POLL.licenses : false,
  });
  // The license's operations come from the operations area: shown to whoever may read it.
  const canReadOperations = useCan('operations.read');
  const operations = useQuery({
    enabled: canReadOperations,
    queryKey: [...keys.license(id), 'operations'],
    queryFn: () => unwrap(client.GET('/api/v1/operations', { params: { query: { licenseId: id, perPage: 100 } } })),
    refetchInterval: busy ? POLL.operations : false,
  });
  const tariffs = useTariffs();
  const tariff = l ? tariffs.data?.items.find((x) => x.id === l.tariffId) : undefined;
  const canChange = useCan('licenses.change');
  const canRefund = useCan('license.refund');
  const canAudit = useCan('audit.read');
  const act = useAct();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  const simple = (action: 'new-key' | 'suspend' | 'resume' | 'delete', done: string) =>
    act.mutate(
      {
        run: () =>
          action === 'new-key'
            ? unwrap(client.POST('/api/v1/licenses/{id}/new-key', { params: path }))
            : unwrap(client.POST(`/api/v1/licenses/{id}/${action}`, { params: path })),
        done,
      },
      { onSettled: close },
    );

  const opColumns: Column<Operation>[] = [
    { key: 'id', title: t('operations.id'), cell: (o) => <AppLink to={`/operations/${o.id}`}>{o.id}</AppLink>, className: 'num' },
    { key: 'kind', title: t('operations.kind'), cell: (o) => t(`kinds.${o.kind}` as never, { defaultValue: o.kind }) },
    { key: 'status', title: t('common.status'), cell: (o) => <StatusBadge status={o.status} /> },
    { key: 'updated', title: t('operations.updated'), cell: (o) => <Instant iso={o.updatedAt} /> },
    { key: 'error', title: t('operations.lastError'), cell: (o) => o.lastError ?? dash },
  ];
  const historyWords = useHistoryWords(l?.currency ?? null, (tariffId) => tariffs.data?.items.find((x) => x.id === tariffId)?.displayName);
  const historyColumns: Column<HistoryItem>[] = [
    { key: 'at', title: t('licenses.when'), cell: (h) => <Instant iso={h.at} /> },
    { key: 'event', title: t('licenses.event'), cell: (h) => historyWords(h).event },
    { key: 'change', title: t('licenses.change'), cell: (h) => <HistoryChange words={historyWords(h)} /> },
    { key: 'who', title: t('licenses.who'), cell: (h) => h.actor.label },
    { key: 'op', title: t('licenses.operation'), cell: (h) => (h.operationId ? <AppLink to={`/operations/${h.operationId}`}>#{h.operationId}</AppLink> : dash) },
  ];

  const live = l && l.status !== 'deleted';
  return (
    <>
      <Crumbs trail={[[t('menu.items.licenses'), '/licenses']]} />
      <PageTitle>{l ? l.licenseName : t('licenses.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!l && !error && <Loading />}
      {l && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('common.status'), <LicenseStatus key="s" license={l} />],
              [t('licenses.ip'), <code key="ip">{l.ip}</code>],
              [t('licenses.key'), <LicenseKey key="k" value={l.licenseKey} />],
              [t('licenses.expires'), <Day key="e" day={l.expiresAt} />],
              [t('licenses.tariff'), tariff?.displayName ?? `#${l.tariffId}`],
              [t('licenses.period'), periodLabel(l.period)],
              [t('licenses.price'), <Money key="p" amount={l.price} currency={l.currency} />],
              [t('licenses.autoRenew'), l.autoRenew ? t('common.yes') : t('common.no')],
              [t('licenses.client'), l.clientName || `#${l.clientId}`],
              [t('licenses.created'), <Instant key="c" iso={l.createdAt} />],
            ]}
          />
        </Paper>
      )}
      {l && live && (canChange || canRefund) && (
        <section aria-label={t('licenses.actions')} className="license-actions">
          <Group gap="xs" mt="md">
            {canChange && (
              <>
                <Button size="sm" onClick={() => setDialog('renew')} disabled={l.isTrial}>
                  {t('licenses.renew')}
                </Button>
                <Button size="sm" variant="default" onClick={() => setDialog('params')}>
                  {t('licenses.changeParams')}
                </Button>
                <Button size="sm" variant="default" onClick={() => setDialog('newKey')}>
                  {t('licenses.newKey')}
                </Button>
                <Button size="sm" variant="default" onClick={() => setDialog('tariff')}>
                  {t('licenses.changeTariff')}
                </Button>
                {l.status === 'suspended' ? (
                  <Button size="sm" variant="default" onClick={() => setDialog('resume')}>
                    {t('licenses.resume')}
                  </Button>
                ) : (
                  <Button size="sm" variant="default" onClick={() => setDialog('suspend')}>
                    {t('licenses.suspend')}
                  </Button>
                )}
              </>
            )}
            {canRefund && (
              <Button size="sm" variant="default" onClick={() => setDialog('refund')}>
                {t('licenses.refund')}
              </Button>
            )}
            {canChange && (
              <Button size="sm" variant="outline" color="red" onClick={() => setDialog('delete')}>
                {t('common.delete')}
              </Button>
            )}
          </Group>
        </section>
      )}

      {l && (
        <>
          <Modal opened={dialog === 'renew'} onClose={close} title={t('licenses.renewTitle', { name: l.licenseName })}>
            {dialog === 'renew' && <RenewForm license={l} periods={(tariff?.periods ?? []).filter((p) => p.period > 0 && p.enabled && !p.marginNegative)} onClose={close} />}
          </Modal>
          <Modal opened={dialog === 'params'} onClose={close} title={t('licenses.paramsTitle', { name: l.licenseName })}>
            {dialog === 'params' && <ParamsForm license={l} onClose={close} />}
          </Modal>
          <Modal opened={dialog === 'tariff'} onClose={close} title={t('licenses.tariffTitle', { name: l.licenseName })}>
            {dialog === 'tariff' && (
              <TariffForm
                license={l}
                choices={tariffs.data?.items.filter(
                  (x) => x.id !== l.tariffId && x.status === 'enabled' && (!tariff || x.providerId === tariff.providerId) && x.periods.some((p) => p.period === l.period && p.enabled && !p.marginNegative),
                )}
                onClose={close}
              />
            )}
          </Modal>
          <Modal opened={dialog === 'refund'} onClose={close} title={t('licenses.refundTitle', { name: l.licenseName })}>
            {dialog === 'refund' && <RefundForm license={l} onClose={close} />}
          </Modal>
          <ConfirmModal opened={dialog === 'newKey'} title={t('licenses.newKeyTitle')} confirmLabel={t('licenses.newKey')} busy={act.isPending} onClose={close} onConfirm={() => simple('new-key', t('licenses.newKeyAsked', { name: l.licenseName }))}>
            {t('licenses.newKeyQuestion', { name: l.licenseName })}
          </ConfirmModal>
          <ConfirmModal opened={dialog === 'suspend'} title={t('licenses.suspendTitle')} confirmLabel={t('licenses.suspend')} busy={act.isPending} onClose={close} onConfirm={() => simple('suspend', t('licenses.suspendAsked', { name: l.licenseName }))}>
            {t('licenses.suspendQuestion', { name: l.licenseName })}
          </ConfirmModal>
          <ConfirmModal opened={dialog === 'resume'} title={t('licenses.resumeTitle')} confirmLabel={t('licenses.resume')} busy={act.isPending} onClose={close} onConfirm={() => simple('resume', t('licenses.resumeAsked', { name: l.licenseName }))}>
            {t('licenses.resumeQuestion', { name: l.licenseName })}
          </ConfirmModal>
          <ConfirmModal opened={dialog === 'delete'} title={t('licenses.deleteTitle')} confirmLabel={t('common.delete')} busy={act.isPending} onClose={close} onConfirm={() => simple('delete', t('licenses.deleteAsked', { name: l.licenseName }))}>
            {t('licenses.deleteQuestion', { name: l.licenseName })}
          </ConfirmModal>
        </>
      )}

      <Group justify="space-between" align="flex-end" mt="lg">
        <Title order={2}>{t('licenses.history')}</Title>
        {canAudit && <AppLink to={`/audit?entity=license&entityId=${id}`}>{t('licenses.auditLink')}</AppLink>}
      </Group>
      <QueryError error={history.error} />
      <DataTable label={t('licenses.history')} columns={historyColumns} rows={history.data?.items ?? (history.error ? [] : undefined)} empty={t('licenses.noHistory')} />
      {canReadOperations && (
        <>
          <Title order={2} mt="lg">
            {t('licenses.operations')}
          </Title>
          <QueryError error={operations.error} />
          <DataTable label={t('licenses.operations')} columns={opColumns} rows={operations.data?.items ?? (operations.error ? [] : undefined)} empty={t('operations.empty')} />
        </>
      )}
    </>
  );
}

function LicenseStatus({ license: l }: { license: License }) {
  const { t } = useTranslation();
  return (
    <RowActions>
      <StatusBadge status={l.status} />
      {l.pendingOperations.map((o) => (
        <AppLink key={o.id} to={`/operations/${o.id}`}>
          {t('licenses.underWay', { kind: t(`kinds.${o.kind}` as never, { defaultValue: o.kind }), status: t(`status.${o.status}` as never, { defaultValue: o.status }) })}
        </AppLink>
      ))}
    </RowActions>
  );
}

function RefundForm({ license: l, onClose }: { license: License; onClose: () => void }) {
  const { t } = useTranslation();
  const schema = useMemo(
    () =>
      z.object({
        amount: z.string().trim().regex(/^\d+(\.\d{1,2})?$/, t('licenses.amountInvalid')).refine((v) => Number(v) > 0, t('licenses.amountInvalid')),
        comment: z.string().trim().min(1, t('licenses.commentRequired')).max(1000, t('forms.tooLong', { max: 1000 })),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { amount: '', comment: '' } });
  const { run, failure } = useSubmit(form, ['amount', 'comment'], onClose);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const submit = form.handleSubmit(({ amount, comment }) =>
    run(
      () => unwrap(client.POST('/api/v1/licenses/{id}/refund', { params: { path: { id: String(l.id) }, header: { 'idempotency-key': idempotencyKey } }, body: { amount, comment } })),
      t('licenses.refunded', { name: l.licenseName }),
    ),
  );
  return (
    <form onSubmit={submit} noValidate aria-label={t('licenses.refundForm')}>
      <Stack gap="sm">
        <Text size="sm">{t('licenses.refundIntro')}</Text>
        <TextInput label={`${t('licenses.amount')} (${l.currency}) *`} inputMode="decimal" autoComplete="off" data-autofocus {...form.register('amount')} {...fieldError(form.formState.errors.amount?.message)} />
        <Textarea label={`${t('licenses.comment')} *`} rows={2} {...form.register('comment')} {...fieldError(form.formState.errors.comment?.message)} />
        <FormEnd failure={failure} submitLabel={t('licenses.refund')} busy={form.formState.isSubmitting} onClose={onClose} />
      </Stack>
    </form>
  );
}
