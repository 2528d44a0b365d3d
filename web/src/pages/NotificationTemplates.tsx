// Settings → Notification templates: the words of every e-mail billrelay sends, per event and language.
// Staff change a subject and body (plain text with {placeholders}, paragraphs separated by blank lines),
// see a preview rendered with sample values (its HTML in a sandboxed frame, like Tools → Messages), and
// can go back to the default words. A saved version is used for every e-mail written after it.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { notifyDone } from '../api/queries';
import type { paths } from '../api/schema';
import { useCan } from '../auth';
import { Crumbs } from '../components/Details';
import { AppLink, ConfirmModal, DataTable, fieldError, Instant, Loading, PageTitle, QueryError, RowActions, dash, type Column } from '../components/ui';
import { showUnderField, useDescribeError } from '../errors';
import { z } from '../zod';

type TemplateList = paths['/api/v1/notification-templates']['get']['responses'][200]['content']['application/json'];
type TemplateSummary = TemplateList['items'][number];
type TemplateView = paths['/api/v1/notification-templates/{event}/{locale}']['get']['responses'][200]['content']['application/json'];
type Preview = paths['/api/v1/notification-templates/{event}/{locale}/preview']['post']['responses'][200]['content']['application/json'];
type Event = TemplateSummary['event'];

const listKey = ['notification-templates'] as const;

function useEventName() {
  const { t } = useTranslation();
  return (event: string) => t(`messages.events.${event}` as never, { defaultValue: event });
}

export function NotificationTemplatesPage() {
  const { t } = useTranslation();
  const eventName = useEventName();
  const [params, setParams] = useSearchParams();
  const locale = params.get('locale') ?? '';
  const { data, error } = useQuery({ queryKey: listKey, queryFn: () => unwrap(client.GET('/api/v1/notification-templates')) });
  const rows = data?.items.filter((i) => !locale || i.locale === locale).map((i) => ({ ...i, id: `${i.event}:${i.locale}` }));
  const href = (i: TemplateSummary) => `/notification-templates/${i.event}/${i.locale}`;
  const columns: Column<TemplateSummary & { id: string }>[] = [
    { key: 'event', title: t('notificationTemplates.event'), cell: (i) => <AppLink to={href(i)}>{eventName(i.event)}</AppLink> },
    { key: 'locale', title: t('notificationTemplates.language'), cell: (i) => i.locale },
    { key: 'subject', title: t('notificationTemplates.subject'), cell: (i) => <span className="reference">{i.subject}</span> },
    {
      key: 'state',
      title: t('notificationTemplates.state'),
      cell: (i) =>
        i.customized ? (
          <Badge variant="light" color="blue" tt="none" radius="sm">
            {t('notificationTemplates.customized')}
          </Badge>
        ) : (
          <Text size="sm" c="dimmed" span>
            {t('notificationTemplates.default')}
          </Text>
        ),
    },
    { key: 'updated', title: t('notificationTemplates.updated'), cell: (i) => (i.updatedAt ? <Instant iso={i.updatedAt} /> : dash) },
    {
      key: 'actions',
      title: t('common.actions'),
      className: 'actions',
      cell: (i) => (
        <RowActions>
          <AppLink to={href(i)} aria-label={t('notificationTemplates.openNamed', { event: eventName(i.event), locale: i.locale })}>
            {t('notificationTemplates.open')}
          </AppLink>
        </RowActions>
      ),
    },
  ];
  return (
    <>
      <PageTitle>{t('menu.items.notification-templates')}</PageTitle>
      <Text size="sm" c="dimmed">
        {t('notificationTemplates.intro')}
      </Text>
      <Group className="toolbar" align="flex-end">
        <NativeSelect
          label={t('notificationTemplates.filterLanguage')}
          className="filter"
          value={locale}
          data={[{ value: '', label: t('common.all') }, ...(data?.locales ?? []).map((l) => ({ value: l, label: l }))]}
          onChange={(e) => setParams(e.currentTarget.value ? { locale: e.currentTarget.value } : {})}
        />
      </Group>
      <QueryError error={error} />
      <DataTable label={t('menu.items.notification-templates')} columns={columns} rows={rows ?? (error ? [] : undefined)} empty={t('notificationTemplates.empty')} />
    </>
  );
}

export function NotificationTemplatePage() {
  const { t } = useTranslation();
  const eventName = useEventName();
  const { event, locale } = useParams() as { event: Event; locale: string };
  const path = { params: { path: { event, locale } } };
  const { data, error } = useQuery({
    queryKey: [...listKey, event, locale],
    queryFn: () => unwrap(client.GET('/api/v1/notification-templates/{event}/{locale}', path)),
  });
  const title = t('notificationTemplates.title', { event: eventName(event), locale });
  return (
    <>
      <Crumbs trail={[[t('menu.items.notification-templates'), '/notification-templates']]} />
      <PageTitle>{title}</PageTitle>
      <QueryError error={error} />
      {!data && !error && <Loading />}
      {data && <Editor key={`${data.updatedAt ?? 'default'}`} template={data} title={title} />}
    </>
  );
}

function Editor({ template, title }: { template: TemplateView; title: string }) {
  const { t } = useTranslation();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const canChange = useCan('notification-templates.change');
  const [failure, setFailure] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [resetting, setResetting] = useState<'ask' | 'busy' | null>(null);
  const path = { params: { path: { event: template.event, locale: template.locale } } };
  const schema = useMemo(
    () =>
      z.object({
        subject: z.string().trim().min(1, t('notificationTemplates.subjectRequired')).max(300, t('forms.tooLong', { max: 300 })),
        body: z.string().trim().min(1, t('notificationTemplates.bodyRequired')).max(20000, t('forms.tooLong', { max: 20000 })),
      }),
    [t],
  );
  type Values = z.input<typeof schema>;
  const form = useForm<Values, unknown, z.output<typeof schema>>({ resolver: zodResolver(schema), defaultValues: template.current });
  const errors = form.formState.errors;
  const fail = (error: unknown) => {
    if (!showUnderField(form, error, ['subject', 'body'], describe)) setFailure(describe(error, { withCode: true }));
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });

  const save = form.handleSubmit(async (body) => {
    setFailure(null);
    try {
      await unwrap(client.PUT('/api/v1/notification-templates/{event}/{locale}', { ...path, body }));
      notifyDone(t('notificationTemplates.saved', { title }));
      await refresh();
    } catch (error) {
      fail(error);
    }
  });
  const showPreview = form.handleSubmit(async (body) => {
    setFailure(null);
    setPreviewing(true);
    try {
      setPreview(await unwrap(client.POST('/api/v1/notification-templates/{event}/{locale}/preview', { ...path, body })));
    } catch (error) {
      setPreview(null);
      fail(error);
    } finally {
      setPreviewing(false);
    }
  });
  const reset = async () => {
    setResetting('busy');
    try {
      await unwrap(client.DELETE('/api/v1/notification-templates/{event}/{locale}', path));
      notifyDone(t('notificationTemplates.resetDone', { title }));
      setPreview(null);
      await refresh();
    } catch (error) {
      setFailure(describe(error, { withCode: true }));
    } finally {
      setResetting(null);
    }
  };

  return (
    <Stack>
      <Paper withBorder p="md">
        <form onSubmit={save} noValidate aria-label={title}>
          <Stack gap="sm">
            <Group gap="xs">
              {template.customized ? (
                <Badge variant="light" color="blue" tt="none" radius="sm">
                  {t('notificationTemplates.customized')}
                </Badge>
              ) : (
                <Text size="sm" c="dimmed">
                  {t('notificationTemplates.isDefault')}
                </Text>
              )}
            </Group>
            <TextInput label={`${t('notificationTemplates.subject')} *`} readOnly={!canChange} {...form.register('subject')} {...fieldError(errors.subject?.message)} />
            <Textarea
              label={`${t('notificationTemplates.body')} *`}
              description={t('notificationTemplates.bodyHint')}
              rows={14}
              readOnly={!canChange}
              className="template-body"
              {...form.register('body')}
              {...fieldError(errors.body?.message)}
            />
            <Text size="sm">
              {t('notificationTemplates.placeholders')}{' '}
              {template.placeholders.map((p) => (
                <code key={p} className="template-placeholder">{`{${p}}`}</code>
              ))}
            </Text>
            {failure && (
              <Alert color="red" variant="light" role="alert">
                {failure}
              </Alert>
            )}
            <Group>
              <Button variant="default" loading={previewing} onClick={() => void showPreview()}>
                {t('notificationTemplates.preview')}
              </Button>
              {canChange && (
                <Button type="submit" loading={form.formState.isSubmitting}>
                  {t('notificationTemplates.save')}
                </Button>
              )}
              {canChange && template.customized && (
                <Button variant="outline" color="red" onClick={() => setResetting('ask')}>
                  {t('notificationTemplates.reset')}
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
      {preview && (
        <Paper withBorder p="md" aria-label={t('notificationTemplates.previewTitle')} component="section">
          <Title order={2} size="h4">
            {t('notificationTemplates.previewTitle')}
          </Title>
          <Text size="sm" className="dialog-section">
            {t('notificationTemplates.subject')}: <strong className="preview-subject">{preview.subject}</strong>
          </Text>
          {/* sandbox="" : no scripts, no forms, no same origin; every value was escaped when rendered, this is a second wall. */}
          <iframe className="message-html" title={t('notificationTemplates.previewFrame')} sandbox="" srcDoc={preview.html} />
        </Paper>
      )}
      <ConfirmModal
        opened={resetting !== null}
        title={t('notificationTemplates.resetTitle')}
        confirmLabel={t('notificationTemplates.reset')}
        busy={resetting === 'busy'}
        onClose={() => setResetting(null)}
        onConfirm={() => void reset()}
      >
        {t('notificationTemplates.resetQuestion', { title })}
      </ConfirmModal>
    </Stack>
  );
}
