// A new client registers (public, linked from the login page): name, e-mail, password, country and language,
// with the provider whose site this is (its name above the form; the default provider elsewhere). The answer is the same whether or not the address was taken, so the page says the
// same either way: check the mail to confirm the address, then log in.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api/client';
import { browserCountry, countries } from '../client/countries';
import { AppLink, fieldError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { chooseLanguage, intlLocale, LANGUAGES, supported, type Language } from '../i18n';
import { useSiteName } from '../site';
import { z } from '../zod';

const FIELDS = ['name', 'email', 'password', 'passwordConfirmation', 'country', 'language'] as const;

export function RegisterPage() {
  const { t, i18n } = useTranslation();
  const describe = useDescribeError();
  const siteName = useSiteName();
  const [failure, setFailure] = useState<string | null>(null);
  const register = useMutation({
    mutationFn: (body: { name: string; email: string; password: string; passwordConfirmation: string; country: string; language: string }) =>
      unwrap(client.POST('/api/v1/auth/register', { body })),
  });
  useEffect(() => {
    document.title = t('app.title', { page: t('clientOrder.register.title') });
  }, [t]);
  const schema = useMemo(
    () =>
      z
        .object({
          name: z.string().trim().min(1, t('clientOrder.profile.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
          email: z.string().trim().pipe(z.email(t('login.emailInvalid'))),
          password: z.string().min(1, t('passwordReset.passwordRequired')),
          passwordConfirmation: z.string(),
          country: z.string().regex(/^[A-Z]{2}$/, t('clientOrder.register.countryRequired')),
          language: z.string().min(1),
        })
        .refine((v) => v.password === v.passwordConfirmation, { message: t('passwordReset.passwordsDiffer'), path: ['passwordConfirmation'] }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: '', email: '', password: '', passwordConfirmation: '', country: browserCountry(), language: supported(i18n.language) ?? 'en' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (body) => {
    setFailure(null);
    try {
      await register.mutateAsync(body);
    } catch (error) {
      if (!showUnderField(form, error, FIELDS, describe)) setFailure(describe(error, { withCode: true }));
    }
  });

  return (
    <main className="login">
      <Paper className="login-card" withBorder shadow="sm" p="lg">
        <Stack gap="sm">
          <Text size="sm" className="login-site">
            {siteName}
          </Text>
          <Title order={1}>{t('clientOrder.register.title')}</Title>
          {register.isSuccess ? (
            <Alert color="green" variant="light" role="status" title={t('clientOrder.register.checkMailTitle')}>
              {t('clientOrder.register.checkMail', { email: form.getValues('email') })}
            </Alert>
          ) : (
            <form onSubmit={submit} noValidate aria-label={t('clientOrder.register.title')}>
              <Stack gap="sm">
                <TextInput label={`${t('clientOrder.profile.name')} *`} autoComplete="name" {...form.register('name')} {...fieldError(errors.name?.message)} />
                <TextInput label={`${t('login.email')} *`} type="email" autoComplete="email" {...form.register('email')} {...fieldError(errors.email?.message)} />
                <PasswordInput label={`${t('login.password')} *`} autoComplete="new-password" {...form.register('password')} {...fieldError(errors.password?.message)} />
                <PasswordInput
                  label={`${t('clientOrder.register.repeatPassword')} *`}
                  autoComplete="new-password"
                  {...form.register('passwordConfirmation')}
                  {...fieldError(errors.passwordConfirmation?.message)}
                />
                <NativeSelect
                  label={`${t('clientOrder.profile.country')} *`}
                  autoComplete="country"
                  data={[{ value: '', label: t('common.choose') }, ...countries(intlLocale(i18n.language))]}
                  {...form.register('country')}
                  {...fieldError(errors.country?.message)}
                />
                <NativeSelect
                  label={t('clientOrder.profile.language')}
                  data={LANGUAGES.map((l) => ({ value: l.code, label: l.name }))}
                  {...form.register('language', { onChange: (e: { target: { value: string } }) => chooseLanguage(e.target.value as Language) })}
                  {...fieldError(errors.language?.message)}
                />
                {failure && (
                  <Alert color="red" variant="light" role="alert">
                    {failure}
                  </Alert>
                )}
                <Button type="submit" loading={register.isPending}>
                  {t('clientOrder.register.submit')}
                </Button>
              </Stack>
            </form>
          )}
          <Text size="sm">
            {t('clientOrder.register.haveAccount')} <AppLink to="/">{t('clientOrder.register.logIn')}</AppLink>
          </Text>
        </Stack>
      </Paper>
    </main>
  );
}
