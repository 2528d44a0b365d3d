// The client's overview: the balance with a way to top it up, how many licenses and what is being set up,
// the open support tickets, and the licenses expiring soon with whether the balance covers their renewals (counted in expiry order,
// each renewal at the license's price for its period).
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { client, unwrap } from '../../api/client';
import { keys, POLL } from '../../api/queries';
import type { License } from '../../api/types';
import { AppLink, DataTable, Day, Loading, Money, PageTitle, QueryError, type Column } from '../../components/ui';
import { useFormat } from '../../format';
import { moving } from '../../pages/Licenses';
import { useAccount } from '../account';
import { isPositive, sum } from '../money';
import { ClientLicenseStatus } from '../LicenseStatus';

/** "Soon": the licenses expiring within this many days. */
const SOON_DAYS = 30;
const OPEN_TICKETS = ['new', 'answered', 'waiting_for_client'] as const;

interface Expiring {
  id: number;
  license: License;
  /** What is missing from the balance to pay this renewal after the earlier ones; null when it is covered. */
  shortfall: string | null;
}

/** The renewals of the licenses expiring soon, in expiry order, against the balance. Trials are not renewed. */
function coverage(licenses: readonly License[], balance: string): Expiring[] {
  let left = balance;
  return [...licenses]
    .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.id - b.id)
    .map((license) => {
      if (license.isTrial) return { id: license.id, license, shortfall: null };
      left = sum([1, left], [-1, license.price]);
      const missing = sum([-1, left]);
      return { id: license.id, license, shortfall: isPositive(missing) ? missing : null };
    });
}

export function ClientDashboardPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const account = useAccount();
  const all = useQuery({
    queryKey: [...keys.licenses, { perPage: 500 }],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query: { perPage: 500 } } })),
    refetchInterval: (q) => (q.state.data?.items.some(moving) ? POLL.licenses : false),
  });
  // Open tickets: not closed, whoever answered last.
  const tickets = useQuery({
    queryKey: ['tickets', 'open-count'],
    queryFn: async () => {
      const pages = await Promise.all(OPEN_TICKETS.map((status) => unwrap(client.GET('/api/v1/tickets', { params: { query: { status, perPage: 1 } } }))));
      return { open: pages.reduce((sum, p) => sum + p.total, 0), waitingForYou: pages[OPEN_TICKETS.indexOf('waiting_for_client')]!.total };
    },
  });
  const soon = useQuery({
    queryKey: [...keys.licenses, { expiringWithinDays: SOON_DAYS }],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query: { expiringWithinDays: SOON_DAYS, perPage: 500 } } })),
  });
  const a = account.data;
  const items = all.data?.items ?? [];
  const live = items.filter((l) => l.status !== 'deleted');
  const expiring = a && soon.data ? coverage(soon.data.items, a.balance) : undefined;

  const columns: Column<Expiring>[] = [
    { key: 'name', title: t('common.name'), cell: ({ license: l }) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'expires', title: t('licenses.expires'), cell: ({ license: l }) => <Day day={l.expiresAt} /> },
    { key: 'renewal', title: t('clientArea.dashboard.renewal'), cell: ({ license: l }) => (l.isTrial ? t('clientArea.dashboard.trialEnds') : <Money amount={l.price} currency={l.currency} />), className: 'money' },
    { key: 'autoRenew', title: t('licenses.autoRenew'), cell: ({ license: l }) => (l.autoRenew ? t('clientArea.licenses.autoRenewOn') : t('clientArea.licenses.autoRenewOff')) },
    {
      key: 'covered',
      title: t('clientArea.dashboard.coveredTitle'),
      cell: ({ license: l, shortfall }) =>
        l.isTrial ? null : shortfall === null ? (
          <span className="ok">{t('clientArea.dashboard.coveredYes')}</span>
        ) : (
          <span className="low">{t('clientArea.dashboard.coveredNo', { amount: f.money(shortfall, l.currency) })}</span>
        ),
    },
  ];

  return (
    <>
      <PageTitle>{t('clientArea.menu.dashboard')}</PageTitle>
      <QueryError error={account.error} />
      <div className="client-cards">
        <Paper withBorder p="md" component="section" aria-labelledby="balance-title">
          <Title order={2} id="balance-title">
            {t('clientArea.dashboard.balance')}
          </Title>
          {!a && !account.error && <Loading />}
          {a && (
            <Stack gap={4} mt="xs">
              <Text className={`count${a.balance.startsWith('-') ? ' low' : ''}`}>
                <Money amount={a.balance} currency={a.currency} />
              </Text>
              {isPositive(a.creditLimit) && (
                <Text size="sm" c="dimmed">
                  {t('clientArea.dashboard.creditLimit', { amount: f.money(a.creditLimit, a.currency) })}
                </Text>
              )}
              <Group mt="xs">
                <Button component={Link} to="/balance" size="sm">
                  {t('clientArea.dashboard.topUp')}
                </Button>
              </Group>
            </Stack>
          )}
        </Paper>
        <Paper withBorder p="md" component="section" aria-labelledby="licenses-title">
          <Title order={2} id="licenses-title">
            {t('clientArea.dashboard.licenses')}
          </Title>
          <QueryError error={all.error} />
          {!all.data && !all.error && <Loading />}
          {all.data && (
            <Stack gap={4} mt="xs">
              <Text className="count">
                <AppLink to="/licenses">{t('clientArea.dashboard.licenseCount', { count: live.length })}</AppLink>
              </Text>
              {live.length > 0 ? (
                <>
                  <Text size="sm" c="dimmed">
                    {[
                      t('clientArea.dashboard.activeCount', { count: live.filter((l) => l.status === 'active').length }),
                      ...(live.some(moving) ? [t('clientArea.dashboard.processingCount', { count: live.filter(moving).length })] : []),
                    ].join(' · ')}
                  </Text>
                  {live.some(moving) && (
                    <ul className="dash-lines">
                      {live.filter(moving).map((l) => (
                        <li key={l.id}>
                          <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> <ClientLicenseStatus license={l} />
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              ) : (
                <>
                  <Text size="sm">{t('clientArea.dashboard.noLicenses')}</Text>
                  <AppLink to="/order">{t('clientArea.dashboard.orderFirst')}</AppLink>
                </>
              )}
            </Stack>
          )}
        </Paper>
        <Paper withBorder p="md" component="section" aria-labelledby="support-title">
          <Title order={2} id="support-title">
            {t('clientArea.dashboard.support')}
          </Title>
          <QueryError error={tickets.error} />
          {!tickets.data && !tickets.error && <Loading />}
          {tickets.data && (
            <Stack gap={4} mt="xs">
              <Text className="count">
                <AppLink to="/support">{t('clientArea.dashboard.openTickets', { count: tickets.data.open })}</AppLink>
              </Text>
              {tickets.data.waitingForYou > 0 && (
                <Text size="sm" className="low">
                  {t('clientArea.dashboard.waitingForYou', { count: tickets.data.waitingForYou })}
                </Text>
              )}
            </Stack>
          )}
        </Paper>
      </div>
      <Title order={2} mt="lg">
        {t('clientArea.dashboard.expiring', { days: SOON_DAYS })}
      </Title>
      <QueryError error={soon.error} />
      <DataTable label={t('clientArea.dashboard.expiring', { days: SOON_DAYS })} columns={columns} rows={expiring ?? (soon.error ? [] : undefined)} empty={t('clientArea.dashboard.noneExpiring', { days: SOON_DAYS })} />
    </>
  );
}
