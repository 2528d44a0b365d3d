// One client: profile (edit, enable/disable, credit limit, password, log in as the client), licenses, and the
// balance ledger with payments and corrections. Money stays decimal strings from the API to the screen.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, NativeSelect, Pagination, Paper, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { client, setCsrf, unwrap } from '../api/client';
import { keys, notifyDone, notifyError } from '../api/queries';
import type { paths } from '../api/schema';
import type { License } from '../api/types';
import { IMPERSONATED_KEY, useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { OrderLicenseButton } from '../components/OrderLicenseDialog';
import { AppLink, ConfirmModal, DataTable, Day, dash, fieldError, Instant, Loading, Money, PageTitle, QueryError, StatusBadge, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';
import { MIN_PASSWORD, type Client } from './Clients';
import { localizationsQuery } from './Localizations';
import { AMOUNT, providersQuery } from './Tariffs';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type LedgerPage = Json<paths['/api/v1/clients/{id}/ledger']['get']['responses'][200]>;
type LedgerEntry = LedgerPage['items'][number];

const TABS = ['profile', 'licenses', 'ledger'] as const;
type Tab = (typeof TABS)[number];
const LEDGER_PER_PAGE = 50;
const PAYMENT_METHODS = ['manual', 'bank_transfer', 'cash', 'card', 'other'] as const;
const SIGNED_AMOUNT = /^-?\d{1,12}(\.\d{1,3})?$/;

export function ClientPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab') as Tab | null;
  // The licenses tab lists from the licenses area: only for whoever may read it.
  const canReadLicenses = useCan('licenses.read');
  const tab: Tab = asked && TABS.includes(asked) && (asked !== 'licenses' || canReadLicenses) ? asked : 'profile';
  const { data: c, error } = useQuery({
    queryKey: ['clients', id],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}', { params: { path: { id: String(id) } } })),
  });
  return (
    <>
      <Crumbs trail={[[t('menu.items.clients'), '/clients']]} />
      <PageTitle>{c ? c.name : t('clients.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!c && !error && <Loading />}
      {c && (
        <Tabs value={tab} onChange={(v) => setParams(v && v !== 'profile' ? { tab: v } : {})} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="profile">{t('clients.tabs.profile')}</Tabs.Tab>
            {canReadLicenses && <Tabs.Tab value="licenses">{t('clients.tabs.licenses')}</Tabs.Tab>}
            <Tabs.Tab value="ledger">{t('clients.tabs.ledger')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="profile" pt="md">
            <Profile c={c} />
          </Tabs.Panel>
          {canReadLicenses && (
            <Tabs.Panel value="licenses" pt="md">
              <Licenses c={c} />
            </Tabs.Panel>
          )}
          <Tabs.Panel value="ledger" pt="md">
            <Ledger c={c} />
          </Tabs.Panel>
        </Tabs>
      )}
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id} className="add-form">
      <Title order={2} id={id} mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function Failure({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {message}
    </Alert>
  );
}

function BalanceFacts({ c }: { c: Client }) {
  const { t } = useTranslation();
  return (
    <Facts
      items={[
        [
          t('clients.balance'),
          <span key="b" className={c.balance.startsWith('-') ? 'low' : 'balance'}>
            <Money amount={c.balance} currency={c.currency} />
          </span>,
        ],
        [t('clients.creditLimit'), <Money key="cl" amount={c.creditLimit} currency={c.currency} />],
        [t('clients.currency'), c.currency],
      ]}
    />
  );
}

function Profile({ c }: { c: Client }) {
  const { t } = useTranslation();
  const providers = useQuery(providersQuery);
  const provider = providers.data?.items.find((p) => p.id === c.providerId);
  const canChange = useCan('clients.change');
  const canCredit = useCan('client.credit_limit');
  const canPassword = useCan('client.password');
  const canImpersonate = useCan('client.impersonate');
  return (
    <Stack>
      <Paper withBorder p="md">
        <Facts
          items={[
            ['ID', c.id],
            [t('clients.email'), c.email],
            [t('clients.provider'), provider?.name ?? `#${c.providerId}`],
            [t('clients.language'), c.language],
            [t('common.status'), <StatusBadge key="s" status={c.enabled ? 'enabled' : 'disabled'} />],
            [t('clients.balance'), <Money key="b" amount={c.balance} currency={c.currency} />],
            [t('clients.creditLimit'), <Money key="cl" amount={c.creditLimit} currency={c.currency} />],
            [t('clients.created'), <Instant key="cr" iso={c.createdAt} />],
          ]}
        />
        {canImpersonate && <ImpersonateButton c={c} />}
      </Paper>
      {canChange && <ProfileForm key={c.updatedAt} c={c} />}
      {canCredit && <CreditLimitForm key={`cl:${c.updatedAt}`} c={c} />}
      {canPassword && <PasswordForm c={c} />}
    </Stack>
  );
}

function ProfileForm({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const localizations = useQuery(localizationsQuery);
  const languages = (localizations.data?.items ?? []).filter((l) => l.enabled || l.code === c.language);
  const schema = useMemo(
    () =>
      z.object({
        name: z.string().trim().min(1, t('clients.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
        email: z.string().trim().email(t('login.emailInvalid')),
        language: z.string().min(1),
        enabled: z.boolean(),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: c.name, email: c.email, language: c.language, enabled: c.enabled },
  });
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(c.id) } }, body: v }));
      notifyDone(t('clients.saved', { name: v.name }));
    } catch (error) {
      if (!showUnderField(form, error, ['name', 'email', 'language', 'enabled'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
    }
  });
  return (
    <Section id="client-profile" title={t('clients.profileTitle')}>
      <form onSubmit={submit} noValidate aria-label={t('clients.profileTitle')}>
        <Stack gap="sm">
          <TextInput label={`${t('common.name')} *`} {...form.register('name')} {...fieldError(form.formState.errors.name?.message)} />
          <TextInput label={`${t('clients.email')} *`} type="email" {...form.register('email')} {...fieldError(form.formState.errors.email?.message)} />
          <NativeSelect label={t('clients.language')} data={languages.map((l) => ({ value: l.code, label: l.name }))} {...form.register('language')} {...fieldError(form.formState.errors.language?.message)} />
          <Checkbox label={t('clients.enabled')} description={t('clients.enabledHint')} {...form.register('enabled')} />
          <Text size="xs" c="dimmed">
            {t('clients.providerFixed')}
          </Text>
          <Failure message={failure} />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clients.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function CreditLimitForm({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(() => z.object({ creditLimit: z.string().trim().regex(AMOUNT, t('clients.amountInvalid')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { creditLimit: c.creditLimit } });
  const submit = form.handleSubmit(async ({ creditLimit }) => {
    setFailure(null);
    try {
      const saved = await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(c.id) } }, body: { creditLimit } }));
      notifyDone(t('clients.creditLimitSaved', { name: c.name, amount: `${saved.creditLimit} ${saved.currency}` }));
    } catch (error) {
      if (!showUnderField(form, error, ['creditLimit'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
    }
  });
  return (
    <Section id="client-credit" title={t('clients.creditLimit')}>
      <form onSubmit={submit} noValidate aria-label={t('clients.creditLimit')}>
        <Stack gap="sm">
          <TextInput
            label={t('clients.creditLimitIn', { currency: c.currency })}
            description={t('clients.creditLimitHint')}
            inputMode="decimal"
            {...form.register('creditLimit')}
            {...fieldError(form.formState.errors.creditLimit?.message)}
          />
          <Failure message={failure} />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clients.setCreditLimit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function PasswordForm({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(() => z.object({ password: z.string().min(MIN_PASSWORD, t('clients.passwordShort', { min: MIN_PASSWORD })) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { password: '' } });
  const submit = form.handleSubmit(async ({ password }) => {
    setFailure(null);
    try {
      await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(c.id) } }, body: { password } }));
      notifyDone(t('clients.passwordSet', { name: c.name }));
      form.reset({ password: '' });
    } catch (error) {
      if (!showUnderField(form, error, ['password'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });
  return (
    <Section id="client-password" title={t('clients.setPassword')}>
      <form onSubmit={submit} noValidate aria-label={t('clients.setPassword')}>
        <Stack gap="sm">
          <TextInput
            label={t('clients.newPassword')}
            description={t('clients.newPasswordHint')}
            type="password"
            autoComplete="new-password"
            {...form.register('password')}
            {...fieldError(form.formState.errors.password?.message)}
          />
          <Failure message={failure} />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clients.setPassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

/**
 * "Log in as client" replaces this browser's session with one as the client (audited by the API). The SPA then
 * shows what a client sees; its top bar leads back here (POST /auth/impersonation/end).
 */
function ImpersonateButton({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      const answer = await unwrap(client.POST('/api/v1/clients/{id}/impersonate', { params: { path: { id: String(c.id) } } }));
      setCsrf(answer.csrfToken);
      sessionStorage.setItem(IMPERSONATED_KEY, String(c.id));
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      // The client area opens at the client's overview (this page's URL is a staff one, not found there)
      // and stays until "Back to the staff panel".
      await navigate('/dashboard');
      queryClient.setQueryData(keys.me, answer.user);
    } catch (error) {
      notifyError(describe(error, { withCode: true }));
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <>
      <Group>
        <Button variant="default" disabled={!c.enabled} onClick={() => setAsking(true)} title={c.enabled ? undefined : t('clients.disabledCannotLogin')}>
          {t('clients.impersonate')}
        </Button>
      </Group>
      <ConfirmModal opened={asking} title={t('clients.impersonateTitle', { name: c.name })} confirmLabel={t('clients.impersonate')} busy={busy} onClose={() => setAsking(false)} onConfirm={go}>
        {t('clients.impersonateQuestion', { name: c.name })}
      </ConfirmModal>
    </>
  );
}

function Licenses({ c }: { c: Client }) {
  const { t } = useTranslation();
  const canOrder = useCan('licenses.change');
  const { data, error } = useQuery({
    queryKey: ['licenses', 'client', c.id],
    queryFn: () => unwrap(client.GET('/api/v1/licenses', { params: { query: { clientId: c.id, perPage: 500 } } })),
  });
  const columns: Column<License>[] = [
    { key: 'name', title: t('common.name'), cell: (l) => <AppLink to={`/licenses/${l.id}`}>{l.licenseName}</AppLink> },
    { key: 'ip', title: t('licenses.ip'), cell: (l) => <code>{l.ip}</code> },
    { key: 'status', title: t('common.status'), cell: (l) => <StatusBadge status={l.status} /> },
    { key: 'period', title: t('licenses.period'), cell: (l) => t('licenses.months', { count: l.period }) },
    { key: 'expires', title: t('licenses.expires'), cell: (l) => <Day day={l.expiresAt} /> },
    { key: 'price', title: t('licenses.price'), cell: (l) => <Money amount={l.price} currency={l.currency} />, className: 'money' },
  ];
  return (
    <Stack gap="sm">
      {canOrder && c.enabled && <OrderLicenseButton customer={c} />}
      <QueryError error={error} />
      <DataTable label={t('clients.tabs.licenses')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('clients.noLicenses')} />
    </Stack>
  );
}

function Ledger({ c }: { c: Client }) {
  const { t } = useTranslation();
  const canPay = useCan('client.payment');
  const canCorrect = useCan('client.correction');
  const [page, setPage] = useState(1);
  const { data, error } = useQuery({
    queryKey: ['clients', c.id, 'ledger', page],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}/ledger', { params: { path: { id: String(c.id) }, query: { page, perPage: LEDGER_PER_PAGE } } })),
    placeholderData: keepPreviousData,
  });
  const lastPage = data ? Math.max(1, Math.ceil(data.total / LEDGER_PER_PAGE)) : 1;
  const columns: Column<LedgerEntry>[] = [
    { key: 'date', title: t('clients.ledger.date'), cell: (e) => <Instant iso={e.createdAt} /> },
    { key: 'kind', title: t('clients.ledger.kind'), cell: (e) => t(`clients.kinds.${e.kind}`) },
    {
      key: 'amount',
      title: t('clients.ledger.amount'),
      className: 'money',
      cell: (e) => (
        <span className={e.amount.startsWith('-') ? 'debit' : 'credit'}>
          <Money amount={e.amount} currency={e.currency} />
        </span>
      ),
    },
    { key: 'balance', title: t('clients.ledger.balanceAfter'), className: 'money', cell: (e) => <Money amount={e.balanceAfter} currency={e.currency} /> },
    { key: 'method', title: t('clients.ledger.method'), cell: (e) => (e.method ? t(`clients.methods.${e.method}` as never, { defaultValue: e.method }) : dash) },
    { key: 'comment', title: t('clients.ledger.comment'), cell: (e) => e.comment ?? dash },
    { key: 'reference', title: t('clients.ledger.reference'), cell: (e) => <span className="reference">{e.reference}</span> },
    { key: 'by', title: t('clients.ledger.by'), cell: (e) => (e.actor.kind === 'system' ? t('clients.ledger.system') : `${t(`clients.actors.${e.actor.kind}` as never, { defaultValue: e.actor.kind })}${e.actor.id ? ` #${e.actor.id}` : ''}`) },
  ];
  return (
    <Stack>
      <Paper withBorder p="md">
        <BalanceFacts c={c} />
      </Paper>
      {(canPay || canCorrect) && (
        <div className="side-by-side">
          {canPay && <PaymentForm c={c} />}
          {canCorrect && <CorrectionForm c={c} />}
        </div>
      )}
      <Title order={2}>{t('clients.ledgerTitle')}</Title>
      <QueryError error={error} />
      <DataTable label={t('clients.ledgerTitle')} columns={columns} rows={data?.items ?? (error ? [] : undefined)} empty={t('clients.ledger.empty')} />
      {data && lastPage > 1 && <Pagination total={lastPage} value={page} onChange={setPage} size="sm" aria-label={t('common.pages')} />}
    </Stack>
  );
}

/** A fresh key per form showing: a double click or a retry after a lost answer records the payment once. */
function newKey(): string {
  return crypto.randomUUID();
}

function PaymentForm({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);
  const schema = useMemo(
    () =>
      z.object({
        amount: z.string().trim().regex(AMOUNT, t('clients.amountInvalid')).refine((v) => !/^0+(\.0+)?$/.test(v), t('clients.amountPositive')),
        method: z.enum(PAYMENT_METHODS),
        reference: z.string().trim().max(200, t('forms.tooLong', { max: 200 })),
        comment: z.string().trim().max(1000, t('forms.tooLong', { max: 1000 })),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { amount: '', method: 'bank_transfer', reference: '', comment: '' };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const posted = await unwrap(
        client.POST('/api/v1/clients/{id}/payments', {
          params: { path: { id: String(c.id) }, header: { 'idempotency-key': key } },
          body: { amount: v.amount, method: v.method, ...(v.reference ? { reference: v.reference } : {}), ...(v.comment ? { comment: v.comment } : {}) },
        }),
      );
      notifyDone(posted.created ? t('clients.paymentRecorded', { amount: `${posted.entry.amount} ${posted.entry.currency}`, balance: `${posted.balance} ${posted.entry.currency}` }) : t('clients.paymentKnown'));
      form.reset(defaults);
      setKey(newKey());
    } catch (error) {
      if (!showUnderField(form, error, ['amount', 'method', 'reference', 'comment'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
    }
  });
  return (
    <Section id="client-payment" title={t('clients.paymentTitle')}>
      <form onSubmit={submit} noValidate aria-label={t('clients.paymentTitle')}>
        <Stack gap="sm">
          <TextInput label={`${t('clients.amountIn', { currency: c.currency })} *`} inputMode="decimal" {...form.register('amount')} {...fieldError(form.formState.errors.amount?.message)} />
          <NativeSelect label={t('clients.ledger.method')} data={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`clients.methods.${m}`) }))} {...form.register('method')} />
          <TextInput label={t('clients.paymentReference')} description={t('clients.paymentReferenceHint')} {...form.register('reference')} {...fieldError(form.formState.errors.reference?.message)} />
          <TextInput label={t('clients.ledger.comment')} {...form.register('comment')} {...fieldError(form.formState.errors.comment?.message)} />
          <Failure message={failure} />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clients.recordPayment')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function CorrectionForm({ c }: { c: Client }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);
  const schema = useMemo(
    () =>
      z.object({
        amount: z.string().trim().regex(SIGNED_AMOUNT, t('clients.signedAmountInvalid')).refine((v) => !/^-?0+(\.0+)?$/.test(v), t('clients.amountNotZero')),
        comment: z.string().trim().min(1, t('clients.reasonRequired')).max(1000, t('forms.tooLong', { max: 1000 })),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const defaults: Values = { amount: '', comment: '' };
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: defaults });
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const posted = await unwrap(
        client.POST('/api/v1/clients/{id}/corrections', { params: { path: { id: String(c.id) }, header: { 'idempotency-key': key } }, body: { amount: v.amount, comment: v.comment } }),
      );
      notifyDone(t('clients.correctionRecorded', { amount: `${posted.entry.amount} ${posted.entry.currency}`, balance: `${posted.balance} ${posted.entry.currency}` }));
      form.reset(defaults);
      setKey(newKey());
    } catch (error) {
      if (!showUnderField(form, error, ['amount', 'comment'], describe)) setFailure(describe(error, { withCode: true }));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
    }
  });
  return (
    <Section id="client-correction" title={t('clients.correctionTitle')}>
      <form onSubmit={submit} noValidate aria-label={t('clients.correctionTitle')}>
        <Stack gap="sm">
          <TextInput
            label={`${t('clients.amountIn', { currency: c.currency })} *`}
            description={t('clients.correctionHint')}
            inputMode="decimal"
            {...form.register('amount')}
            {...fieldError(form.formState.errors.amount?.message)}
          />
          <TextInput label={`${t('clients.reason')} *`} description={t('clients.reasonHint')} {...form.register('comment')} {...fieldError(form.formState.errors.comment?.message)} />
          <Failure message={failure} />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clients.recordCorrection')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
