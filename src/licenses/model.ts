// Words shared by licenses, running operations, tasks and the scheduler.

export const LICENSE_STATUSES = ['processing', 'active', 'suspended', 'deleted'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export const OPERATION_KINDS = ['open', 'prolong', 'suspend', 'resume', 'close', 'set_params', 'new_key', 'change_tariff', 'sync'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export const OPERATION_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'manual'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** What each kind of operation carries. */
export interface OperationPayloads {
  open: { tariffUpstreamId: string; upstreamPeriod: number; ip: string; licenseName: string; remoteId: string; datacenterId: number | null };
  /** periodStart: the expiry the renewal extends from (YYYY-MM-DD); months: how much; chargeReference: the ledger charge that paid for it. */
  /** upstreamExpiryBeforeSend: the upstream expiry read right before the renewal was first sent (written then, in its own commit). */
  prolong: { months: number; upstreamPeriod: number; periodStart: string; expectedExpiry: string; chargeReference?: string; upstreamExpiryBeforeSend?: string | null };
  suspend: Record<string, never>;
  resume: Record<string, never>;
  close: Record<string, never>;
  set_params: { ip?: string; licenseName?: string; previousIp?: string; previousLicenseName?: string };
  new_key: Record<string, never>;
  /** chargeReference: the ledger charge of the price difference, when there was one. */
  change_tariff: { tariffId: number; tariffUpstreamId: string; upstreamPeriod: number; previousTariffId: number; chargeReference?: string };
  sync: Record<string, never>;
}

export const TASK_TYPES = ['setup', 'change', 'renew', 'suspend', 'resume', 'delete', 'low_balance', 'drift', 'payment'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The task a failed operation of each kind becomes (BILLmanager's task types). */
export const TASK_TYPE_OF_OPERATION: Record<OperationKind, TaskType> = {
  open: 'setup',
  prolong: 'renew',
  suspend: 'suspend',
  resume: 'resume',
  close: 'delete',
  set_params: 'change',
  new_key: 'change',
  change_tariff: 'change',
  sync: 'drift',
};

export const TASK_STATUSES = ['new', 'in_progress', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
