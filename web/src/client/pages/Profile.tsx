// The client's own account: contact details (name, country, phone) and language, the e-mail address and a new
// password. A new address or password needs the current password. A new address is the login at once and is
// unconfirmed until the link mailed to it is followed (as for employees). A changed password ends every
// session, this one too: the client logs in again with it.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../../api/client';
import { keys, notifyDone } from '../../api/queries';
import { useLogout, useMe } from '../../auth';
import { fieldError, Loading, PageTitle, QueryError } from '../../components/ui';
import { showUnderField, useDescribeError } from '../../errors';
import { chooseLanguage, intlLocale, LANGUAGES, supported, type Language } from '../../i18n';
import { z } from '../../zod';
import { countries } from '../countries';
import { useAccount } from '../account';

export function ProfilePage() {
  const { t } = useTranslation();
  const self = useAccount();
  return (
    <>
      <PageTitle>{t('clientOrder.profile.title')}</PageTitle>
      <QueryError error={self.error} />
      {!self.data ? (
        !self.error && <Loading />
      ) : (
        <Stack gap="md" maw={560}>
          <DetailsForm key={self.data.updatedAt} details={self.data} />
          <EmailForm key={`email-${self.data.email}`} id={self.data.id} email={self.data.email} confirmed={self.data.emailConfirmed} />
          <PasswordForm email={self.data.email} />
        </Stack>
      )}
    </>
  );
}

function DetailsForm({ details }: { details: { id: number; name: string; language: string; country: string | null; phone: string | null } }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        name: z.string().trim().min(1, t('clientOrder.profile.nameRequired')).max(200, t('forms.tooLong', { max: 200 })),
        language: z.string().min(1),
        country: z.string(),
        phone: z
          .string()
          .trim()
          .refine((v) => v === '' || (/^\+?[0-9 ()-]{5,30}$/.test(v) && v.replace(/\D/g, '').length >= 5 && v.replace(/\D/g, '').length <= 15), t('clientProfile.phoneInvalid')),
      }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: details.name, language: supported(details.language) ?? details.language, country: details.country ?? '', phone: details.phone ?? '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(details.id) } }, body: { name: v.name, language: v.language, country: v.country || null, phone: v.phone || null } }));
      notifyDone(t('clientOrder.profile.saved'));
      await queryClient.invalidateQueries({ queryKey: ['clients', details.id] });
      await queryClient.invalidateQueries({ queryKey: keys.me });
      const language = supported(v.language);
      if (language && language !== i18n.language) chooseLanguage(language as Language, me);
    } catch (error) {
      if (!showUnderField(form, error, ['name', 'language', 'country', 'phone'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label={t('clientOrder.profile.details')}>
        <Stack gap="sm">
          <Title order={2}>{t('clientOrder.profile.details')}</Title>
          <TextInput label={`${t('clientOrder.profile.name')} *`} autoComplete="name" {...form.register('name')} {...fieldError(errors.name?.message)} />
          <NativeSelect
            label={t('clientOrder.profile.language')}
            data={LANGUAGES.map((l) => ({ value: l.code, label: l.name }))}
            {...form.register('language')}
            {...fieldError(errors.language?.message)}
          />
          <NativeSelect
            label={t('clientOrder.profile.country')}
            autoComplete="country"
            data={[{ value: '', label: t('common.choose') }, ...countries(intlLocale(i18n.language))]}
            {...form.register('country')}
            {...fieldError(errors.country?.message)}
          />
          <TextInput label={t('clientProfile.phone')} description={t('clientProfile.phoneHint')} type="tel" autoComplete="tel" {...form.register('phone')} {...fieldError(errors.phone?.message)} />
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clientOrder.profile.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function EmailForm({ id, email, confirmed }: { id: number; email: string; confirmed: boolean }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({
        email: z
          .string()
          .trim()
          .min(1, t('clientProfile.emailRequired'))
          .pipe(z.email(t('clientProfile.emailInvalid')))
          .refine((v) => v.toLowerCase() !== email, t('clientProfile.sameEmail')),
        currentPassword: z.string().min(1, t('clientOrder.profile.currentRequired')),
      }),
    [t, email],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { email: '', currentPassword: '' } });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      const saved = await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(id) } }, body: { email: v.email, currentPassword: v.currentPassword } }));
      notifyDone(t('clientProfile.emailChanged', { email: saved.email }));
      await queryClient.invalidateQueries({ queryKey: ['clients', id] });
      await queryClient.invalidateQueries({ queryKey: keys.me });
    } catch (error) {
      if (!showUnderField(form, error, ['email', 'currentPassword'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label={t('clientProfile.emailTitle')}>
        <Stack gap="sm">
          <Title order={2}>{t('clientProfile.emailTitle')}</Title>
          <Text size="sm" data-testid="current-email">
            {t('clientProfile.current', { email })} ({confirmed ? t('clientProfile.confirmed') : t('clientProfile.unconfirmed')})
          </Text>
          <TextInput label={`${t('clientProfile.newEmail')} *`} type="email" autoComplete="email" {...form.register('email')} {...fieldError(errors.email?.message)} />
          <PasswordInput label={`${t('clientOrder.profile.currentPassword')} *`} autoComplete="current-password" {...form.register('currentPassword')} {...fieldError(errors.currentPassword?.message)} />
          <Text size="sm" c="dimmed">
            {t('clientProfile.emailNote')}
          </Text>
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clientProfile.changeEmail')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function PasswordForm({ email }: { email: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const describe = useDescribeError();
  const logout = useLogout();
  const [failure, setFailure] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z
        .object({
          currentPassword: z.string().min(1, t('clientOrder.profile.currentRequired')),
          password: z.string().min(1, t('passwordReset.passwordRequired')),
          repeat: z.string(),
        })
        .refine((v) => v.password === v.repeat, { message: t('passwordReset.passwordsDiffer'), path: ['repeat'] }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { currentPassword: '', password: '', repeat: '' } });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (v) => {
    setFailure(null);
    try {
      await unwrap(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: String(me.id) } }, body: { password: v.password, currentPassword: v.currentPassword } }));
      notifyDone(t('clientOrder.profile.passwordChanged'));
      // Every session of the account ended with the change: this tab logs in again too.
      logout.mutate();
    } catch (error) {
      if (!showUnderField(form, error, ['currentPassword', 'password'], describe)) setFailure(describe(error, { withCode: true }));
    }
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label={t('clientOrder.profile.passwordTitle')}>
        <Stack gap="sm">
          <Title order={2}>{t('clientOrder.profile.passwordTitle')}</Title>
          {/* For password managers: whose password this is. */}
          <input type="email" autoComplete="username" value={email} readOnly hidden />
          <PasswordInput label={`${t('clientOrder.profile.currentPassword')} *`} autoComplete="current-password" {...form.register('currentPassword')} {...fieldError(errors.currentPassword?.message)} />
          <PasswordInput label={`${t('passwordReset.newPassword')} *`} autoComplete="new-password" {...form.register('password')} {...fieldError(errors.password?.message)} />
          <PasswordInput label={`${t('passwordReset.repeatPassword')} *`} autoComplete="new-password" {...form.register('repeat')} {...fieldError(errors.repeat?.message)} />
          <Text size="sm" c="dimmed">
            {t('clientOrder.profile.passwordNote')}
          </Text>
          {failure && (
            <Alert color="red" variant="light" role="alert">
              {failure}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {t('clientOrder.profile.changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
