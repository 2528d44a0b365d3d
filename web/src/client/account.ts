// What the client's pages read about the logged-in client: its account (balance, credit limit, currency) and
// its provider's catalog (tariff names in the UI's language, periods with prices). Clients see only their own.
import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { useMe } from '../auth';

/** The logged-in client's own record (balance, credit limit, currency, contact details); `poll` while a payment is awaited. */
export function useAccount(options: { poll?: boolean } = {}) {
  const me = useMe();
  return useQuery({
    queryKey: ['clients', me.id],
    queryFn: () => unwrap(client.GET('/api/v1/clients/{id}', { params: { path: { id: String(me.id) } } })),
    refetchInterval: options.poll ? 3_000 : false,
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: ['catalog'],
    queryFn: () => unwrap(client.GET('/api/v1/catalog')),
    staleTime: 60_000,
  });
}
