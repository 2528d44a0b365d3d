// One of the client's licenses: its status (read again every few seconds while something is under way, so
// "processing" becomes "active" without a reload), the key with a copy button, expiry, auto-renewal on or
// off, and what the client may do: renew now (period and price), change IP or name, a new key, another
// tariff (the price difference shown before confirming); then its history. The dialogs are the staff page's
// (components/LicenseForms.tsx), offered what the provider's catalog sells.
import { Button, Group, Modal, Paper, Switch, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../../api/client';
import { keys, POLL, useAct } from '../../api/queries';
import type { License } from '../../api/types';
import { Crumbs, Facts } from '../../components/Details';
import { HistoryChange, useHistoryWords } from '../../components/LicenseHistory';
import { ParamsForm, RenewForm, TariffForm } from '../../components/LicenseForms';
import { ConfirmModal, dash, DataTable, Day, Instant, Loading, Money, PageTitle, QueryError, type Column } from '../../components/ui';
import { useFormat } from '../../format';
import { LicenseKey, moving, usePeriodLabel } from '../../pages/Licenses';
import { useAccount, useCatalog } from '../account';
import { ClientLicenseStatus } from '../LicenseStatus';

type Dialog = 'renew' | 'params' | 'tariff' | 'newKey' | null;

interface HistoryItem {
  id: number;
  at: string;
  event: string;
  from: string | null;
  to: string | null;
  message: string | null;
  actor: { kind: string; label: string };
}

const WHO = ['client', 'employee', 'system'] as const;

export function ClientLicensePage() {
  const { t } = useTranslation();
  const f = useFormat();
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
  const catalog = useCatalog();
  const account = useAccount();
  const act = useAct();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  const tariff = l ? catalog.data?.items.find((x) => x.id === l.tariffId) : undefined;
  const periods = (tariff?.periods ?? []).filter((p) => p.period > 0);
  const choices = l ? catalog.data?.items.filter((x) => x.id !== l.tariffId && x.periods.some((p) => p.period === l.period)) : undefined;

  const setAutoRenew = (license: License, autoRenew: boolean) =>
    act.mutate({
      run: () => unwrap(client.PATCH('/api/v1/licenses/{id}', { params: path, body: { autoRenew } })),
      done: t(autoRenew ? 'clientArea.license.autoRenewOn' : 'clientArea.license.autoRenewOff', { name: license.licenseName }),
    });
  const newKey = (license: License) =>
    act.mutate({ run: () => unwrap(client.POST('/api/v1/licenses/{id}/new-key', { params: path })), done: t('licenses.newKeyAsked', { name: license.licenseName }) }, { onSettled: close });

  const historyWords = useHistoryWords(l?.currency ?? null, (tariffId) => catalog.data?.items.find((x) => x.id === tariffId)?.displayName);
  const historyColumns: Column<HistoryItem>[] = [
    { key: 'at', title: t('licenses.when'), cell: (h) => <Instant iso={h.at} /> },
    { key: 'event', title: t('licenses.event'), cell: (h) => historyWords(h).event },
    { key: 'change', title: t('licenses.change'), cell: (h) => <HistoryChange words={historyWords(h)} /> },
    { key: 'who', title: t('licenses.who'), cell: (h) => t(`clientArea.license.who.${WHO.find((w) => w === h.actor.kind) ?? 'system'}`) },
  ];

  const live = l && l.status !== 'deleted';
  const balance = account.data ? t('clientArea.license.balanceNow', { amount: f.money(account.data.balance, account.data.currency) }) : '';
  return (
    <>
      <Crumbs trail={[[t('clientArea.menu.licenses'), '/licenses']]} />
      <PageTitle>{l ? l.licenseName : t('licenses.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!l && !error && <Loading />}
      {l && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('common.status'), <ClientLicenseStatus key="s" license={l} />],
              [t('licenses.ip'), <code key="ip">{l.ip}</code>],
              [t('licenses.key'), l.licenseKey ? <LicenseKey key="k" value={l.licenseKey} /> : <Text key="k" span size="sm" c="dimmed">{t('clientArea.license.keyPending')}</Text>],
              [t('licenses.expires'), <Day key="e" day={l.expiresAt} />],
              [t('licenses.tariff'), tariff?.displayName ?? `#${l.tariffId}`],
              [t('licenses.period'), periodLabel(l.period)],
              [t('licenses.price'), <Money key="p" amount={l.price} currency={l.currency} />],
              [t('licenses.created'), <Instant key="c" iso={l.createdAt} />],
            ]}
          />
          {live && (
            <Switch
              label={t('clientArea.license.autoRenewLabel')}
              checked={l.autoRenew}
              disabled={act.isPending || l.isTrial}
              onChange={(e) => setAutoRenew(l, e.currentTarget.checked)}
            />
          )}
        </Paper>
      )}
      {l && live && (
        <section aria-label={t('licenses.actions')} className="license-actions">
          <Group gap="xs" mt="md">
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
          </Group>
          {l.isTrial && (
            <Text size="sm" c="dimmed" mt="xs">
              {t('clientArea.license.trialNoRenew')}
            </Text>
          )}
        </section>
      )}

      {l && (
        <>
          <Modal opened={dialog === 'renew'} onClose={close} title={t('licenses.renewTitle', { name: l.licenseName })}>
            {dialog === 'renew' && (
              <RenewForm
                license={l}
                periods={periods}
                intro={[t('clientArea.license.renewIntro', { date: l.expiresAt ? f.date(l.expiresAt) : '—' }), balance].filter(Boolean).join(' ')}
                onClose={close}
              />
            )}
          </Modal>
          <Modal opened={dialog === 'params'} onClose={close} title={t('licenses.paramsTitle', { name: l.licenseName })}>
            {dialog === 'params' && <ParamsForm license={l} onClose={close} />}
          </Modal>
          <Modal opened={dialog === 'tariff'} onClose={close} title={t('licenses.tariffTitle', { name: l.licenseName })}>
            {dialog === 'tariff' && <TariffForm license={l} choices={choices} onClose={close} />}
          </Modal>
          <ConfirmModal opened={dialog === 'newKey'} title={t('licenses.newKeyTitle')} confirmLabel={t('licenses.newKey')} busy={act.isPending} onClose={close} onConfirm={() => newKey(l)}>
            {t('licenses.newKeyQuestion', { name: l.licenseName })}
          </ConfirmModal>
        </>
      )}

      <Title order={2} mt="lg">
        {t('licenses.history')}
      </Title>
      <QueryError error={history.error} />
      <DataTable label={t('licenses.history')} columns={historyColumns} rows={history.data?.items ?? (history.error ? [] : undefined)} empty={t('licenses.noHistory')} />
    </>
  );
}
