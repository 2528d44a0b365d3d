import { Button, Code, Group, Paper } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { keys, useAct } from '../api/queries';
import { useCan } from '../auth';
import { Crumbs, Facts } from '../components/Details';
import { dash, Instant, Loading, Money, PageTitle, QueryError, StatusBadge } from '../components/ui';

export function ProcessingModulePage() {
  const { t } = useTranslation();
  const canEdit = useCan('processing-modules.change');
  const id = Number(useParams().id);
  const path = { params: { path: { id: String(id) } } };
  const { data: m, error } = useQuery({ queryKey: keys.module(id), queryFn: () => unwrap(client.GET('/api/v1/processing-modules/{id}', path)) });
  const act = useAct();
  return (
    <>
      <Crumbs trail={[[t('menu.items.processing-modules'), '/processing-modules']]} />
      <PageTitle>{m ? m.displayName : t('modules.one', { id })}</PageTitle>
      <QueryError error={error} />
      {!m && !error && <Loading />}
      {m && (
        <Paper withBorder p="md">
          <Facts
            items={[
              [t('common.status'), <StatusBadge key="s" status={m.status} />],
              [t('modules.type'), t(`modules.types.${m.moduleType}` as never, { defaultValue: m.moduleType })],
              [t('wizard.fields.url'), m.connection ? <Code>{m.connection.url}</Code> : dash],
              [t('wizard.fields.username'), m.connection?.username ?? dash],
              [t('modules.balance'), <Money key="b" amount={m.balance} currency={m.currency} />],
              [t('modules.minimalBalance'), <Money key="mb" amount={m.minimalBalance} currency={m.currency} />],
              [t('dashboard.checked'), <Instant key="c" iso={m.balanceCheckedAt} />],
              [t('modules.lastError'), m.lastError ? `${m.lastError.message} [${m.lastError.code}]` : dash],
              [t('modules.datacenter'), m.datacenter?.displayName ?? dash],
              [t('modules.department'), m.department?.displayName ?? dash],
              [t('common.sort'), m.sort],
            ]}
          />
          {canEdit && (
            <Group mt="md">
              {m.moduleType === 'billmanager' && (
                <Button
                  variant="light"
                  loading={act.isPending}
                  onClick={() =>
                    act.mutate({
                      run: () => unwrap(client.POST('/api/v1/processing-modules/{id}/check-balance', path)),
                      done: t('dashboard.balanceChecked', { name: m.displayName }),
                    })
                  }
                >
                  {t('modules.checkBalance')}
                </Button>
              )}
              <Button
                variant="default"
                disabled={act.isPending}
                onClick={() =>
                  act.mutate({
                    run: () => unwrap(m.enabled ? client.POST('/api/v1/processing-modules/{id}/disable', path) : client.POST('/api/v1/processing-modules/{id}/enable', path)),
                    done: t(m.enabled ? 'modules.disabledNotice' : 'modules.enabledNotice', { name: m.displayName }),
                  })
                }
              >
                {m.enabled ? t('modules.disable') : t('modules.enable')}
              </Button>
            </Group>
          )}
        </Paper>
      )}
    </>
  );
}
