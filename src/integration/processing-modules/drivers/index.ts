// Builds a configured driver instance for a processing module: one abstract driver, many modules.
import type { LicenseDriver, UpstreamCallObserver } from './driver.js';
import { createBillmanagerDriver } from './billmanager/driver.js';
import { ManualDriver } from './manual/driver.js';

export const MODULE_TYPES = ['billmanager', 'manual'] as const;
export type ModuleType = (typeof MODULE_TYPES)[number];

export interface ConnectionSettings {
  url: string;
  username: string;
  password: string;
  /** The administrator's answer where the upstream does not tell the account's currency (or holds several). */
  currency?: string | null;
}

export interface DriverTimeouts {
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  /** Told of every upstream call (the metrics). */
  observer?: UpstreamCallObserver;
}

export type DriverFactory = (moduleType: ModuleType, connection: ConnectionSettings | null) => LicenseDriver;

export function driverFactory(timeouts: DriverTimeouts = {}): DriverFactory {
  return (moduleType, connection) => {
    if (moduleType === 'manual') return new ManualDriver();
    if (!connection) throw new Error('a billmanager module needs its connection settings');
    return createBillmanagerDriver({ ...connection, ...timeouts, fallbackCurrency: connection.currency ?? undefined });
  };
}
