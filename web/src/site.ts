// Whose site the SPA was opened on: the login and registration pages show that provider's name (the
// server picks it from the address; the default provider's elsewhere). Until it arrives, and if it
// cannot be read, the product's own name.
import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from './api/client';

export function useSiteName(): string {
  const site = useQuery({
    queryKey: ['site'],
    queryFn: () => unwrap(client.GET('/api/v1/auth/site')),
    staleTime: 5 * 60_000,
  });
  return site.data?.providerName ?? 'billrelay';
}
