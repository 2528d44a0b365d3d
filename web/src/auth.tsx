// Who is logged in: the /auth/me answer in the query cache (null when nobody is). A 401 from any request
// ends the session in this tab; logging in or out starts the cache afresh.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect } from 'react';
import { ApiError, client, setCsrf, setUnauthorizedHandler, unwrap } from './api/client';
import { keys, queryClient } from './api/queries';
import type { Me } from './api/types';
import { followUser } from './i18n';

export function useSession() {
  const query = useQuery({
    queryKey: keys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        // No language asked: the answer's locale is the user's own setting.
        return await unwrap(client.GET('/api/v1/auth/me', { headers: { 'accept-language': '*' } }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    setUnauthorizedHandler(() => signedOut());
  }, []);
  useEffect(() => {
    if (query.data) followUser(query.data);
  }, [query.data]);
  return query;
}

function signedOut(): void {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  queryClient.setQueryData(keys.me, null);
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(client.POST('/api/v1/auth/login', { body })),
    onSuccess: (answer) => {
      setCsrf(answer.csrfToken);
      qc.setQueryData(keys.me, answer.user);
    },
  });
}

export function useLogout() {
  return useMutation({
    // Whatever the server answers, this tab forgets the session.
    mutationFn: () => unwrap(client.POST('/api/v1/auth/logout')).catch(() => undefined),
    onSettled: () => {
      setCsrf(null);
      signedOut();
    },
  });
}

/** Set by staff "log in as client": the client whose page the way back leads to. */
export const IMPERSONATED_KEY = 'billrelay.impersonated';

const MeContext = createContext<Me | null>(null);
export const MeProvider = MeContext.Provider;

/** The logged-in user (inside the shell, where there always is one). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the logged-in shell');
  return me;
}

/**
 * Whether the logged-in employee holds a right ("<menu area>.read" / "<menu area>.change", or a money right
 * such as "client.payment"). Administrators hold every right; "change" includes "read". Pages hide what the
 * user may not do; the API refuses it anyway (403 naming the right).
 */
export function useCan(right: string): boolean {
  return can(useMe(), right);
}

/** useCan outside a component's top level (the menu asks it per entry). */
export function can(me: Me, right: string): boolean {
  if (me.kind === 'employee' && me.isAdmin) return true;
  const rights: readonly string[] = me.rights ?? [];
  if (rights.includes(right)) return true;
  return right.endsWith('.read') && rights.includes(right.replace(/\.read$/, '.change'));
}
