// Pages reached without logging in: asking for a password-reset link, setting a new password with
// the mailed token (reset-password?token=…), and confirming an e-mail address (confirm-email?token=…).
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { AppLink, fieldError } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';

function Card({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('app.title', { page: title });
  }, [t, title]);
  return (
    <main className="login">
      <Paper className="login-card" withBorder shadow="sm" p="lg">
        <Stack gap="sm">
          <Title order={1}>{title}</Title>
          {children}
        </Stack>
      </Paper>
    </main>
  );
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [failure, setFailure] = useState<string | null>(null);
  const ask = useMutation({ mutationFn: (body: { email: string }) => unwrap(client.POST('/api/v1/auth/password-reset', { body })) });
  const schema = useMemo(() => z.object({ email: z.string().trim().pipe(z.email(t('login.emailInvalid'))) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { email: '' } });
  const submit = form.handleSubmit(async (body) => {
    setFailure(null);
    try {
      await ask.mutateAsync(body);
    } catch (error) {
      if (!showUnderField(form, error, ['email'], describe)) setFailure(describe(error));
    }
  });
  return (
    <Card title={t('passwordReset.forgotTitle')}>
      {ask.isSuccess ? (
        <Alert color="green" variant="light" role="status">
          {t('passwordReset.sent')}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate aria-label={t('passwordReset.forgotTitle')}>
          <Stack gap="sm">
            <Text size="sm">{t('passwordReset.forgotIntro')}</Text>
            <TextInput label={t('login.email')} type="email" autoComplete="username" {...form.register('email')} {...fieldError(form.formState.errors.email?.message)} />
            {failure && (
              <Alert color="red" variant="light" role="alert">
                {failure}
              </Alert>
            )}
            <Button type="submit" loading={ask.isPending}>
              {t('passwordReset.send')}
            </Button>
          </Stack>
        </form>
      )}
      <AppLink to="/">{t('passwordReset.backToLogin')}</AppLink>
    </Card>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [failure, setFailure] = useState<string | null>(null);
  const reset = useMutation({
    mutationFn: (body: { token: string; password: string }) => unwrap(client.POST('/api/v1/auth/password-reset/confirm', { body })),
  });
  const schema = useMemo(
    () =>
      z
        .object({ password: z.string().min(1, t('passwordReset.passwordRequired')), repeat: z.string() })
        .refine((v) => v.password === v.repeat, { message: t('passwordReset.passwordsDiffer'), path: ['repeat'] }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { password: '', repeat: '' } });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async ({ password }) => {
    setFailure(null);
    try {
      await reset.mutateAsync({ token, password });
    } catch (error) {
      if (!showUnderField(form, error, ['password'], describe)) setFailure(describe(error));
    }
  });
  if (!token) {
    return (
      <Card title={t('passwordReset.resetTitle')}>
        <Alert color="red" variant="light" role="alert">
          {t('passwordReset.noToken')}
        </Alert>
        <AppLink to="/forgot-password">{t('passwordReset.askAgain')}</AppLink>
      </Card>
    );
  }
  return (
    <Card title={t('passwordReset.resetTitle')}>
      {reset.isSuccess ? (
        <>
          <Alert color="green" variant="light" role="status">
            {t('passwordReset.done')}
          </Alert>
          <AppLink to="/">{t('passwordReset.backToLogin')}</AppLink>
        </>
      ) : (
        <form onSubmit={submit} noValidate aria-label={t('passwordReset.resetTitle')}>
          <Stack gap="sm">
            <PasswordInput label={t('passwordReset.newPassword')} autoComplete="new-password" {...form.register('password')} {...fieldError(errors.password?.message)} />
            <PasswordInput label={t('passwordReset.repeatPassword')} autoComplete="new-password" {...form.register('repeat')} {...fieldError(errors.repeat?.message)} />
            {failure && (
              <Alert color="red" variant="light" role="alert">
                {failure} <AppLink to="/forgot-password">{t('passwordReset.askAgain')}</AppLink>
              </Alert>
            )}
            <Button type="submit" loading={reset.isPending}>
              {t('passwordReset.save')}
            </Button>
          </Stack>
        </form>
      )}
    </Card>
  );
}

export function ConfirmEmailPage() {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useMutation({ mutationFn: (body: { token: string }) => unwrap(client.POST('/api/v1/auth/confirm-email', { body })) });
  // Once per page, also under React's development double effects.
  const asked = useRef(false);
  useEffect(() => {
    if (!token || asked.current) return;
    asked.current = true;
    confirm.mutate({ token });
  }, [token, confirm]);
  return (
    <Card title={t('passwordReset.confirmTitle')}>
      {!token ? (
        <Alert color="red" variant="light" role="alert">
          {t('passwordReset.noToken')}
        </Alert>
      ) : confirm.isSuccess ? (
        <Alert color="green" variant="light" role="status">
          {t('passwordReset.confirmed')}
        </Alert>
      ) : confirm.isError ? (
        <Alert color="red" variant="light" role="alert">
          {describe(confirm.error)}
        </Alert>
      ) : (
        <Stack gap="xs" align="center" role="status">
          <Loader size="sm" aria-hidden />
          <Text size="sm">{t('passwordReset.confirming')}</Text>
        </Stack>
      )}
      <AppLink to="/">{t('passwordReset.toBillmgr')}</AppLink>
    </Card>
  );
}
