// What the client's pages read about the logged-in client: its account (balance, credit limit, currency) and
// its provider's catalog (tariff names in the UI's language, periods with prices). Clients see only their own.
import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { useMe } from '../auth';

export function useAccount() {
  const me = useMe();
  return useQuery({
    queryKey: ['clients', me.id],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}', { params: { path: { id: String(me.id) } } })),
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: ['catalog'],
    queryFn: () => unwrap(client.GET('/api/v1/catalog')),
    staleTime: 60_000,
  });
}

/** A decimal amount as the API writes it ("72.00", "-5.5") in thousandths, to add and compare exactly. */
export function milli(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const value = BigInt(whole || '0') * 1000n + BigInt((fraction + '000').slice(0, 3));
  return negative ? -value : value;
}

/** Thousandths back to a decimal string for the formatter ("12.340"). */
export function fromMilli(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / 1000n}.${String(abs % 1000n).padStart(3, '0')}`;
}
