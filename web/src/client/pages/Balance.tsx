// The client's money: the balance (and credit), a top-up through the gateways on offer, the payments with a
// downloadable receipt each, and the whole ledger (payments, charges, refunds, corrections) with the balance
// after each entry. While a payment started here is awaited, the page reads the balance again by itself.
// Back from a card gateway's payment page (?payment=REF), it says whether that payment has been booked yet.
import { Alert, Anchor, Group, Pagination, Paper, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { TFunction } from 'i18next';
import { client, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { DataTable, Instant, Money, PageTitle, QueryError, type Column } from '../../components/ui';
import { isPositive } from '../money';
import { useAccount } from '../account';
import { TopUpForm } from '../TopUp';

const PER_PAGE = 20;

type Entry = { id: number; kind: 'payment' | 'charge' | 'refund' | 'correction' | 'reversal'; amount: string; currency: string; balanceAfter: string; reference: string; method: string | null; comment: string | null; createdAt: string };

function useLedger(clientId: number, kind: 'payment' | undefined, page: number, poll: boolean) {
  return useQuery({
    queryKey: ['clients', clientId, 'ledger', kind ?? 'all', page],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}/ledger', { params: { path: { id: String(clientId) }, query: { page, perPage: PER_PAGE, ...(kind ? { kind } : {}) } } })),
    placeholderData: keepPreviousData,
    refetchInterval: poll ? 3_000 : false,
  });
}

/** The payment's own reference, without our prefixes ("gateway:manual:P7-AB12" → "P7-AB12"). */
const shownReference = (reference: string) => reference.replace(/^(gateway:[^:]+:|payment:)/, '');
export const receiptNumber = (id: number) => `R-${String(id).padStart(6, '0')}`;

/** The payment the client came back with from a gateway's page: pending until the gateway confirms it. */
function useReturnedPayment(clientId: number, reference: string | null) {
  return useQuery({
    queryKey: ['clients', clientId, 'payments', 'started', reference],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}/payments/started/{reference}', { params: { path: { id: String(clientId), reference: reference! } } })),
    enabled: reference !== null,
    refetchInterval: (query) => (query.state.data?.status === 'paid' ? false : 3_000),
  });
}

function ReturnedPayment({ clientId, reference, cancelled }: { clientId: number; reference: string; cancelled: boolean }) {
  const { t } = useTranslation();
  const payment = useReturnedPayment(clientId, reference);
  if (payment.error) return <QueryError error={payment.error} />;
  if (!payment.data) return null;
  const amount = <Money amount={payment.data.amount} currency={payment.data.currency} />;
  if (payment.data.status === 'paid')
    return (
      <Alert color="green" variant="light" role="status" title={t('payments.client.bookedTitle')} data-testid="returned-payment">
        {t('payments.client.booked', { reference })} {amount}
      </Alert>
    );
  return (
    <Alert color={cancelled ? 'gray' : 'blue'} variant="light" role="status" title={t(cancelled ? 'payments.client.cancelledTitle' : 'payments.client.pendingTitle')} data-testid="returned-payment">
      {t(cancelled ? 'payments.client.cancelled' : 'payments.client.pending', { reference })} {amount}
    </Alert>
  );
}

export function BalancePage() {
  const { t } = useTranslation();
  const me = useMe();
  const [params] = useSearchParams();
  const returned = params.get('payment');
  const [awaiting, setAwaiting] = useState(returned !== null && params.get('cancelled') === null);
  const [paymentsPage, setPaymentsPage] = useState(1);
  const [ledgerPage, setLedgerPage] = useState(1);
  const self = useAccount({ poll: awaiting });
  const payments = useLedger(me.id, 'payment', paymentsPage, awaiting);
  const ledger = useLedger(me.id, undefined, ledgerPage, awaiting);

  const paymentColumns: Column<Entry>[] = [
    { key: 'date', title: t('clientOrder.ledger.date'), cell: (e) => <Instant iso={e.createdAt} /> },
    { key: 'amount', title: t('clientOrder.ledger.amount'), cell: (e) => <Money amount={e.amount} currency={e.currency} />, className: 'num' },
    { key: 'method', title: t('clientOrder.ledger.method'), cell: (e) => (e.method ? t(`clientOrder.methods.${e.method}` as never, { defaultValue: e.method }) : '—') },
    { key: 'reference', title: t('clientOrder.ledger.reference'), cell: (e) => shownReference(e.reference) },
    {
      key: 'receipt',
      title: t('clientOrder.ledger.receipt'),
      cell: (e) => (
        <Anchor href={`/api/v1/clients/${me.id}/payments/${e.id}/receipt`} download={`receipt-${receiptNumber(e.id)}.html`}>
          {t('clientOrder.ledger.receiptLink', { number: receiptNumber(e.id) })}
        </Anchor>
      ),
    },
  ];
  const ledgerColumns: Column<Entry>[] = [
    { key: 'date', title: t('clientOrder.ledger.date'), cell: (e) => <Instant iso={e.createdAt} /> },
    { key: 'kind', title: t('clientOrder.ledger.kind'), cell: (e) => t(`clientOrder.kinds.${e.kind}`) },
    { key: 'amount', title: t('clientOrder.ledger.amount'), cell: (e) => <Money amount={e.amount} currency={e.currency} />, className: 'num' },
    { key: 'after', title: t('clientOrder.ledger.balanceAfter'), cell: (e) => <Money amount={e.balanceAfter} currency={e.currency} />, className: 'num' },
    { key: 'comment', title: t('clientOrder.ledger.comment'), cell: (e) => e.comment ?? describeReference(t, e.reference) },
  ];

  return (
    <>
      <PageTitle>{t('clientOrder.balancePage.title')}</PageTitle>
      <QueryError error={self.error} />
      <Stack gap="md">
        {returned && <ReturnedPayment clientId={me.id} reference={returned} cancelled={params.get('cancelled') !== null} />}
        <Paper withBorder p="md">
          <Title order={2}>{t('clientOrder.balancePage.current')}</Title>
          {self.data && (
            <dl className="client-summary">
              <dt>{t('clientOrder.balance')}</dt>
              <dd data-testid="balance">
                <Money amount={self.data.balance} currency={self.data.currency} />
              </dd>
              {isPositive(self.data.creditLimit) && (
                <>
                  <dt>{t('clientOrder.balancePage.credit')}</dt>
                  <dd>
                    <Money amount={self.data.creditLimit} currency={self.data.currency} />
                  </dd>
                </>
              )}
            </dl>
          )}
        </Paper>
        <Paper withBorder p="md">
          <Title order={2}>{t('clientOrder.topUp.title')}</Title>
          {self.data && <TopUpForm clientId={me.id} currency={self.data.currency} onStarted={() => setAwaiting(true)} />}
        </Paper>
        <Paper withBorder p="md">
          <Stack gap="sm">
            <Title order={2}>{t('clientOrder.balancePage.payments')}</Title>
            <QueryError error={payments.error} />
            <DataTable label={t('clientOrder.balancePage.payments')} columns={paymentColumns} rows={payments.data?.items} empty={t('clientOrder.balancePage.noPayments')} />
            <Pager total={payments.data?.total} page={paymentsPage} onChange={setPaymentsPage} />
          </Stack>
        </Paper>
        <Paper withBorder p="md">
          <Stack gap="sm">
            <Title order={2}>{t('clientOrder.balancePage.ledger')}</Title>
            <QueryError error={ledger.error} />
            <DataTable label={t('clientOrder.balancePage.ledger')} columns={ledgerColumns} rows={ledger.data?.items} empty={t('clientOrder.balancePage.noEntries')} />
            <Pager total={ledger.data?.total} page={ledgerPage} onChange={setLedgerPage} />
          </Stack>
        </Paper>
      </Stack>
    </>
  );
}

function Pager({ total, page, onChange }: { total: number | undefined; page: number; onChange: (page: number) => void }) {
  const { t } = useTranslation();
  if (total === undefined) return null;
  const lastPage = Math.max(1, Math.ceil(total / PER_PAGE));
  return (
    <Group className="pager" gap="sm">
      {lastPage > 1 && <Pagination total={lastPage} value={page} onChange={onChange} size="sm" aria-label={t('common.pages')} />}
      <Text size="sm" c="dimmed">
        {t('clientOrder.balancePage.count', { count: total })}
      </Text>
    </Group>
  );
}

/** What a ledger entry was for, from its reference ("order:12" → "Order of license 12"). */
function describeReference(t: TFunction, reference: string): string {
  const license = /^(order|renewal|change_tariff|refund:license):(\d+)/.exec(reference);
  if (!license) return shownReference(reference);
  const id = license[2];
  switch (license[1]) {
    case 'order':
      return t('clientOrder.ledger.for.order', { id });
    case 'renewal':
      return t('clientOrder.ledger.for.renewal', { id });
    case 'change_tariff':
      return t('clientOrder.ledger.for.change_tariff', { id });
    default:
      return t('clientOrder.ledger.for.refund', { id });
  }
}
