// What ordering a license needs wherever it is done (staff's dialog on a client's page, the client's own order
// page): the provider's catalog, the period's words, the form's checks (the server's own IP rule, so a private
// address is refused as it is typed) and the order itself, charged once per key.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { refuseIp } from '../../../src/licenses/ip';
import { client, unwrap } from '../api/client';
import { z } from '../zod';

export const TRIAL_PERIOD = -100;
export const ORDER_FIELDS = ['tariffId', 'period', 'licenseName', 'ip', 'autoRenew'] as const;

/** The tariffs on sale: staff name the provider; a client always gets its own provider's. */
export function useCatalog(providerId?: number) {
  return useQuery({
    queryKey: ['catalog', providerId ?? 'own'],
    queryFn: () => unwrap(client.GET('/api/v1/catalog', { params: { query: providerId ? { providerId } : {} } })),
  });
}

export function periodLabel(t: TFunction, period: number): string {
  return period === TRIAL_PERIOD ? t('orderLicense.trial') : t('orderLicense.months', { count: period });
}

/** Why an address cannot hold a license, in the UI's words, or undefined when it can (the server's rule). */
export function ipProblem(t: TFunction, ip: string): string | undefined {
  const value = ip.trim();
  const problem = refuseIp(value);
  if (!problem) return undefined;
  return problem.includes('is not an IPv4 address') ? t('orderLicense.ipInvalid') : t('clientOrder.ipNotPublic', { ip: value });
}

export function useOrderSchema() {
  const { t } = useTranslation();
  return useMemo(
    () =>
      z.object({
        tariffId: z.string().regex(/^\d+$/, t('orderLicense.tariffRequired')),
        period: z.string().regex(/^-?\d+$/, t('orderLicense.periodRequired')),
        licenseName: z.string().trim().min(1, t('orderLicense.nameRequired')).max(100, t('forms.tooLong', { max: 100 })),
        ip: z
          .string()
          .trim()
          .superRefine((ip, ctx) => {
            const problem = ipProblem(t, ip);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        autoRenew: z.boolean(),
      }),
    [t],
  );
}
export type OrderValues = z.input<ReturnType<typeof useOrderSchema>>;
export type OrderInput = z.output<ReturnType<typeof useOrderSchema>>;

/** POST /licenses with the form's key: a double click or a retry after a lost answer orders once. */
export function placeOrder(v: OrderInput, key: string, clientId?: number) {
  return unwrap(
    client.POST('/api/v1/licenses', {
      params: { header: { 'idempotency-key': key } },
      body: { ...(clientId ? { clientId } : {}), tariffId: Number(v.tariffId), period: Number(v.period), licenseName: v.licenseName, ip: v.ip, autoRenew: v.autoRenew && Number(v.period) !== TRIAL_PERIOD },
    }),
  );
}
