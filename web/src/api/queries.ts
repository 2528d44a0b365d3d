// Server state lives in TanStack Query: cached per key, fetched again when the window regains focus, and
// polled where it moves by itself (licenses, operations, tasks, the dashboard). Every change made from the
// UI refreshes whatever is on screen.
import { QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { ApiError } from './client';
import { useDescribeError } from '../errors';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 2_000,
      refetchOnWindowFocus: true,
      // A 4xx will answer the same again; a network failure or a 5xx may not.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
    },
  },
});

/** How often state that moves by itself is read again while the page is open (ms). */
export const POLL = {
  licenses: 5_000,
  operations: 5_000,
  tasks: 10_000,
  dashboard: 15_000,
} as const;

export const keys = {
  me: ['me'] as const,
  localizations: ['localizations'] as const,
  datacenters: (page: number) => ['datacenters', page] as const,
  allDatacenters: ['datacenters', 'all'] as const,
  departments: ['departments'] as const,
  modules: ['processing-modules'] as const,
  module: (id: number) => ['processing-modules', id] as const,
  moduleTypes: ['module-types'] as const,
  licenses: ['licenses'] as const,
  license: (id: number) => ['licenses', id] as const,
  operations: (status: string) => ['operations', status] as const,
  operation: (id: number) => ['operation', id] as const,
  tasks: (status: string) => ['tasks', status] as const,
  dashboard: ['dashboard'] as const,
  providers: ['providers'] as const,
  businessHours: ['business-hours'] as const,
};

export function notifyDone(message: string): void {
  notifications.show({ message, color: 'green', role: 'status', autoClose: 5_000 });
}

export function notifyError(message: React.ReactNode): void {
  notifications.show({ message, color: 'red', role: 'alert', autoClose: 8_000 });
}

export interface Act {
  run: () => Promise<unknown>;
  /** The notification once it worked. */
  done?: string;
}

/**
 * One change at a time from a page: a notification says what happened (or the server's error, localized,
 * with its code), and every query on screen is read again either way.
 */
export function useAct() {
  const queryClient = useQueryClient();
  const describe = useDescribeError();
  return useMutation({
    mutationFn: ({ run }: Act) => run(),
    onSuccess: (_data, { done }) => {
      if (done) notifyDone(done);
    },
    onError: (error) => notifyError(describe(error, { withCode: true })),
    onSettled: () => queryClient.invalidateQueries(),
  });
}
