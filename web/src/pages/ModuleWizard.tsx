// The "Add processing module" wizard, in the API's steps: product type → module type → integration
// settings → parameters. One form keeps every step's values; each step checks its own fields before the
// next. The upstream password is kept outside the form and never written into an input: coming back to
// the settings, the field is empty and says the password is kept.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, NativeSelect, Paper, Radio, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useForm, type Path } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { z } from '../zod';
import { ApiError, client, unwrap } from '../api/client';
import { keys, notifyDone, queryClient } from '../api/queries';
import type { ConnectionCheck, Localization, ModuleTypes } from '../api/types';
import { cleanNames, fieldError, LocalizedNameInputs, Loading, nameLocales, PageTitle, QueryError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { useFormat } from '../format';
import { localizationsQuery } from './Localizations';

type Step = 'product' | 'module' | 'connection' | 'parameters';

export function ModuleWizardPage() {
  const { t } = useTranslation();
  const types = useQuery({ queryKey: keys.moduleTypes, queryFn: () => unwrap(client.GET('/api/v1/processing-modules/types')), staleTime: Infinity });
  const datacenters = useQuery({
    queryKey: keys.allDatacenters,
    queryFn: () => unwrap(client.GET('/api/v1/datacenters', { params: { query: { perPage: 500 } } })),
  });
  const departments = useQuery({
    queryKey: keys.departments,
    queryFn: () => unwrap(client.GET('/api/v1/departments', { params: { query: { perPage: 500 } } })),
  });
  const locales = useQuery(localizationsQuery);
  const error = types.error ?? datacenters.error ?? departments.error ?? locales.error;
  const ready = types.data && datacenters.data && departments.data && locales.data;
  return (
    <>
      <PageTitle>{t('menu.items.processing-modules')}</PageTitle>
      <Paper component="section" withBorder p="md" className="wizard" aria-label={t('wizard.title')}>
        <Title order={2}>{t('wizard.title')}</Title>
        <QueryError error={error} />
        {!ready ? (
          !error && <Loading />
        ) : (
          <Wizard
            types={types.data}
            datacenters={datacenters.data.items}
            departments={departments.data.items}
            locales={nameLocales(locales.data.items)}
          />
        )}
      </Paper>
    </>
  );
}

interface Choice {
  id: number;
  displayName: string;
}

function Wizard({ types, datacenters, departments, locales }: { types: ModuleTypes; datacenters: Choice[]; departments: Choice[]; locales: Localization[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  const describe = useDescribeError();
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>('product');
  const [productType, setProductType] = useState(types.productTypes[0]?.id ?? 'licenses');
  const [moduleType, setModuleType] = useState('billmanager');
  const [password, setPassword] = useState('');
  const [checked, setChecked] = useState<ConnectionCheck | null>(null);
  /** Set once the upstream could not tell the account currency: the currencies it holds, if it listed several. */
  const [currencyChoice, setCurrencyChoice] = useState<string[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const checkRef = useRef<HTMLButtonElement>(null);
  const firstStep = useRef(true);

  // A new step replaces the fields the focus was on (and Next may now be disabled): the focus goes to the
  // step's first field (the chosen option of a choice), so a keyboard user goes on where the step begins
  // instead of from the top of the page.
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    const fields = formRef.current?.querySelectorAll<HTMLElement>('input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])');
    const first = [...(fields ?? [])].find((el) => !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked)) ?? fields?.[0];
    first?.focus();
  }, [step]);

  const product = types.productTypes.find((p) => p.id === productType);
  const module = product?.moduleTypes.find((m) => m.id === moduleType);
  const connectionFields = module?.connectionFields ?? [];
  const needsConnection = connectionFields.length > 0;
  const steps: Step[] = needsConnection ? ['product', 'module', 'connection', 'parameters'] : ['product', 'module', 'parameters'];
  const at = steps.indexOf(step);
  const defaultCode = locales[0]?.code ?? 'en';
  const defaultUrl = connectionFields.find((field) => field.name === 'url')?.default ?? '';

  const schema = useMemo(() => {
    const decimal = /^\d{1,12}(\.\d{1,3})?$/;
    return z.object({
      connection: z.object({
        url: z.string().trim().refine((v) => !needsConnection || /^https?:\/\/\S+$/.test(v), t('wizard.urlInvalid')),
        username: z.string().trim().refine((v) => !needsConnection || v.length > 0, t('wizard.usernameRequired')),
        currency: z
          .string()
          .trim()
          .refine((v) => !currencyChoice || /^[A-Za-z]{3}$/.test(v), t('wizard.currencyInvalid')),
      }),
      name: z.record(z.string(), z.string().trim().max(200, t('forms.tooLong', { max: 200 })).optional()).superRefine((names, ctx) => {
        if (!names[defaultCode]?.trim()) ctx.addIssue({ code: 'custom', path: [defaultCode], message: t('forms.nameRequired', { code: defaultCode }) });
      }),
      datacenterId: z.string(),
      departmentId: z.string(),
      sort: z.string().trim().refine((v) => v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1_000_000), t('wizard.sortInvalid')),
      minimalBalance: z.string().trim().refine((v) => v === '' || decimal.test(v), t('wizard.amountInvalid')),
    });
  }, [t, needsConnection, currencyChoice, defaultCode]);
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: {
      connection: { url: defaultUrl, username: '', currency: '' },
      name: Object.fromEntries(locales.map((l) => [l.code, ''])),
      datacenterId: '',
      departmentId: '',
      sort: '',
      minimalBalance: '0',
    },
  });
  const { errors } = form.formState;
  const [url, username] = form.watch(['connection.url', 'connection.username']);
  const changed = { onChange: () => setChecked(null) }; // a changed setting must be checked again

  const stepFields: Record<Step, Path<Values>[]> = {
    product: [],
    module: [],
    connection: ['connection.url', 'connection.username', 'connection.currency'],
    parameters: ['sort', 'minimalBalance', ...locales.map((l) => `name.${l.code}` as Path<Values>)],
  };
  const serverFields = ['connection.url', 'connection.username', 'connection.currency', 'sort', 'minimalBalance', ...locales.map((l) => `name.${l.code}`)];

  const go = (to: Step | undefined) => {
    setFailure(null);
    if (to) setStep(to);
  };

  /** What is sent: the currency only once it was asked for and given. */
  const connectionInput = (values: Values['connection']) => {
    const base = { url: values.url.trim(), username: values.username.trim(), password };
    const currency = values.currency.trim().toUpperCase();
    return currency ? { ...base, currency } : base;
  };

  const fail = (error: unknown) => {
    if (!showUnderField(form, error, serverFields, describe)) setFailure(describe(error, { withCode: true }));
  };

  const checkConnection = async () => {
    setFailure(null);
    if (!(await form.trigger(stepFields.connection))) return;
    setBusy(true);
    try {
      const answer = await unwrap(
        client.POST('/api/v1/processing-modules/check-connection', { body: { moduleType: 'billmanager', connection: connectionInput(form.getValues('connection')) } }),
      );
      // Keep the URL that answered (a path found for a bare address), so the module is saved with it.
      form.setValue('connection.url', answer.url);
      setChecked(answer);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'upstream_currency_unknown') {
        const candidates = error.details?.candidates;
        setCurrencyChoice(Array.isArray(candidates) ? candidates.map(String) : []);
      }
      fail(error);
    } finally {
      setBusy(false);
      refocusCheck.current = true;
    }
  };
  // The button was disabled while the check ran, which drops the focus: give it back once it is enabled
  // again (after the render that enables it; a focus() before that is ignored).
  const refocusCheck = useRef(false);
  useEffect(() => {
    if (busy || !refocusCheck.current) return;
    refocusCheck.current = false;
    if (!document.activeElement || document.activeElement === document.body) checkRef.current?.focus();
  }, [busy]);

  const next = async () => {
    if (step === 'connection' && !checked) return;
    if (await form.trigger(stepFields[step])) go(steps[at + 1]);
  };

  const finish = form.handleSubmit(async (values) => {
    setFailure(null);
    setBusy(true);
    try {
      const created = await unwrap(
        client.POST('/api/v1/processing-modules', {
          body: {
            productType: productType as 'licenses',
            moduleType: moduleType as 'billmanager' | 'manual',
            ...(needsConnection ? { connection: connectionInput(values.connection) } : {}),
            name: cleanNames(values.name),
            datacenterId: values.datacenterId ? Number(values.datacenterId) : null,
            departmentId: values.departmentId ? Number(values.departmentId) : null,
            ...(values.sort ? { sort: Number(values.sort) } : {}),
            minimalBalance: values.minimalBalance || '0',
          },
        }),
      );
      setPassword('');
      await queryClient.invalidateQueries({ queryKey: keys.modules });
      notifyDone(t('wizard.added', { name: created.displayName }));
      navigate('/processing-modules');
    } catch (error) {
      fail(error);
      // A field of an earlier step: go back to it.
      if (error instanceof ApiError && error.field?.startsWith('connection.') && needsConnection) setStep('connection');
    } finally {
      setBusy(false);
    }
  });

  const titles: Record<Step, string> = {
    product: t('wizard.steps.product'),
    module: t('wizard.steps.module'),
    connection: t('wizard.steps.connection'),
    parameters: t('wizard.steps.parameters'),
  };
  const hint = (name: string, fallback: string) => t(`wizard.hints.${name}` as never, { defaultValue: fallback });

  return (
    <>
      <ol className="steps">
        {steps.map((s, i) => (
          <li key={s} aria-current={s === step ? 'step' : undefined} className={i < at ? 'done' : undefined}>
            {titles[s]}
          </li>
        ))}
      </ol>
      <form
        ref={formRef}
        noValidate
        aria-label={titles[step]}
        onSubmit={(e) => {
          e.preventDefault();
          if (step === 'parameters') void finish(e);
          else void next();
        }}
      >
        <Stack gap="sm" maw={560}>
          {step === 'product' && (
            <Radio.Group label={t('wizard.productQuestion')} value={productType} onChange={setProductType}>
              <Stack gap="xs" mt="xs">
                {types.productTypes.map((p) => (
                  <Radio key={p.id} value={p.id} name="productType" label={t(`wizard.productTypes.${p.id}` as never, { defaultValue: p.name })} />
                ))}
              </Stack>
            </Radio.Group>
          )}

          {step === 'module' && product && (
            <Radio.Group
              label={t('wizard.moduleQuestion')}
              value={moduleType}
              onChange={(v) => {
                setModuleType(v);
                setChecked(null);
              }}
            >
              <Stack gap="xs" mt="xs">
                {product.moduleTypes.map((m) => (
                  <Radio
                    key={m.id}
                    value={m.id}
                    name="moduleType"
                    label={t(`wizard.moduleTypes.${m.id}.name` as never, { defaultValue: m.name })}
                    description={t(`wizard.moduleTypes.${m.id}.description` as never, { defaultValue: m.description })}
                  />
                ))}
              </Stack>
            </Radio.Group>
          )}

          {step === 'connection' && module && (
            <>
              {connectionFields.map((field) =>
                field.name === 'url' || field.name === 'username' ? (
                  <TextInput
                    key={field.name}
                    label={`${t(`wizard.fields.${field.name}`)}${field.required ? ' *' : ''}`}
                    description={hint(field.name, field.description)}
                    type={field.type === 'url' ? 'url' : 'text'}
                    autoComplete="off"
                    {...form.register(`connection.${field.name}`, changed)}
                    {...fieldError(errors.connection?.[field.name]?.message)}
                  />
                ) : field.name === 'password' ? (
                  // Uncontrolled and never given a value: the typed password is not put back into the page.
                  <TextInput
                    key={field.name}
                    label={`${t('wizard.fields.password')}${field.required ? ' *' : ''}`}
                    description={hint(field.name, field.description)}
                    type="password"
                    name="password"
                    autoComplete="new-password"
                    placeholder={password ? t('wizard.passwordKept') : undefined}
                    onChange={(e) => {
                      setPassword(e.currentTarget.value);
                      setChecked(null);
                    }}
                  />
                ) : null,
              )}
              {currencyChoice &&
                (currencyChoice.length > 1 ? (
                  <NativeSelect
                    label={`${t('wizard.fields.currency')} *`}
                    description={t('wizard.currencyHint')}
                    data={[{ value: '', label: t('common.choose') }, ...currencyChoice.map((c) => ({ value: c, label: c }))]}
                    {...form.register('connection.currency', changed)}
                    {...fieldError(errors.connection?.currency?.message)}
                  />
                ) : (
                  <TextInput
                    label={`${t('wizard.fields.currency')} *`}
                    description={t('wizard.currencyHint')}
                    maxLength={3}
                    placeholder="EUR"
                    autoComplete="off"
                    className="uppercase"
                    {...form.register('connection.currency', changed)}
                    {...fieldError(errors.connection?.currency?.message)}
                  />
                ))}
              <Group>
                <Button ref={checkRef} variant="light" loading={busy} disabled={!url || !username || !password} onClick={checkConnection}>
                  {t('wizard.checkConnection')}
                </Button>
              </Group>
              {checked && (
                <Alert color="green" variant="light" role="status">
                  {t('wizard.connectionWorks', { balance: f.money(checked.balance, checked.currency), account: checked.account })}
                </Alert>
              )}
            </>
          )}

          {step === 'parameters' && (
            <>
              <NativeSelect
                label={t('modules.datacenter')}
                data={[{ value: '', label: t('common.none') }, ...datacenters.map((d) => ({ value: String(d.id), label: d.displayName }))]}
                {...form.register('datacenterId')}
              />
              <LocalizedNameInputs form={form} locales={locales} />
              <NativeSelect
                label={t('modules.department')}
                description={t('wizard.hints.department')}
                data={[{ value: '', label: t('common.none') }, ...departments.map((d) => ({ value: String(d.id), label: d.displayName }))]}
                {...form.register('departmentId')}
              />
              <TextInput
                label={t('common.sort')}
                description={t('wizard.hints.sort')}
                type="number"
                min={1}
                placeholder={t('wizard.sortLast')}
                {...form.register('sort')}
                {...fieldError(errors.sort?.message)}
              />
              {needsConnection && (
                <TextInput
                  label={checked ? t('wizard.minimalBalanceIn', { currency: checked.currency }) : t('modules.minimalBalance')}
                  description={t('wizard.hints.minimalBalance')}
                  inputMode="decimal"
                  {...form.register('minimalBalance')}
                  {...fieldError(errors.minimalBalance?.message)}
                />
              )}
            </>
          )}

          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}

          <Group className="wizard-buttons">
            <Button variant="default" onClick={() => navigate('/processing-modules')}>
              {t('common.cancel')}
            </Button>
            {at > 0 && (
              <Button variant="default" disabled={busy} onClick={() => go(steps[at - 1])}>
                {t('common.back')}
              </Button>
            )}
            {step === 'parameters' ? (
              <Button type="submit" loading={busy}>
                {t('wizard.finish')}
              </Button>
            ) : (
              <Button
                type="submit"
                disabled={busy || (step === 'connection' && !checked)}
                title={step === 'connection' && !checked ? t('wizard.checkFirst') : undefined}
              >
                {t('common.next')}
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </>
  );
}
