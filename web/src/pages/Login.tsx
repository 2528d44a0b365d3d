import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, NativeSelect, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from '../zod';
import { useLogin } from '../auth';
import { AppLink, fieldError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n';
import { useSiteName } from '../site';

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const describe = useDescribeError();
  const login = useLogin();
  const siteName = useSiteName();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        email: z.string().trim().pipe(z.email(t('login.emailInvalid'))),
        password: z.string().min(1, t('login.passwordRequired')),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { email: '', password: '' } });
  const { errors } = form.formState;
  useEffect(() => {
    document.title = t('app.title', { page: t('login.title') });
  }, [t]);

  const submit = form.handleSubmit(async (body) => {
    setFailure(null);
    try {
      await login.mutateAsync(body);
    } catch (error) {
      if (!showUnderField(form, error, ['email', 'password'], describe)) setFailure(describe(error));
    }
  });

  return (
    <div className="login">
      <Paper component="form" className="login-card" withBorder shadow="sm" p="lg" onSubmit={submit} noValidate aria-label={t('login.title')}>
        <Stack gap="sm">
          <Title order={1}>{siteName}</Title>
          <TextInput label={t('login.email')} type="email" autoComplete="username" {...form.register('email')} {...fieldError(errors.email?.message)} />
          <TextInput type="password" label={t('login.password')} autoComplete="current-password" {...form.register('password')} {...fieldError(errors.password?.message)} />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Button type="submit" loading={login.isPending}>
            {t('login.submit')}
          </Button>
          <AppLink to="/forgot-password">{t('passwordReset.forgotLink')}</AppLink>
          <AppLink to="/register">{t('clientOrder.register.link')}</AppLink>
          <NativeSelect
            size="xs"
            aria-label={t('shell.language')}
            value={i18n.language}
            data={LANGUAGES.map((l) => ({ value: l.code, label: l.name }))}
            onChange={(e) => chooseLanguage(e.currentTarget.value as Language)}
          />
        </Stack>
      </Paper>
    </div>
  );
}
