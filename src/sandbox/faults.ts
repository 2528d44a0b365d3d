// Fault injection: the ways a real upstream call goes wrong, on demand and repeatable (seeded).

import type { Random } from './prng.js';

export type FaultName =
  /** Do the operation (buy, charge), then drop the connection without answering. */
  | 'drop-after-commit'
  /** Do the operation, then never answer (the client times out). */
  | 'hang-after-commit'
  /** Never answer; nothing is done. */
  | 'timeout'
  | 'http-500'
  /** Drop the connection without answering; nothing is done. */
  | 'reset'
  /** Answer 200 with a body that is not a BILLmanager JSON doc. */
  | 'malformed'
  /** Wait latencyMs, then answer normally. */
  | 'latency';

export interface InjectedError {
  type: string;
  object?: string;
  msg: string;
}

export interface FaultSpec {
  /** The upstream function, e.g. "soft.order.param"; "*" or absent for every call. */
  func?: string;
  fault: FaultName | { error: InjectedError };
  /** Chance per matching call, 0..1 (default 1). */
  probability?: number;
  /** How many times it fires before it is used up (default: until cleared). */
  count?: number;
  latencyMs?: number;
  /** Run the operation before the fault (implied by the *-after-commit faults). */
  commit?: boolean;
  /** Body for 'malformed' / 'http-500' instead of the default one. */
  body?: string;
}

export type FaultAction = 'reset' | 'hang' | 'http-500' | 'malformed' | 'error' | 'latency';

/** A fault as the server applies it. */
export interface Fault {
  label: string;
  action: FaultAction;
  commit: boolean;
  latencyMs: number;
  error: InjectedError | null;
  body: string | null;
}

interface Rule {
  func: string;
  probability: number;
  remaining: number;
  fault: Fault;
}

function toFault(spec: FaultSpec): Fault {
  const base = { latencyMs: spec.latencyMs ?? 0, error: null, body: spec.body ?? null };
  if (typeof spec.fault === 'object') {
    return { ...base, label: `error:${spec.fault.error.type}`, action: 'error', commit: spec.commit ?? false, error: spec.fault.error };
  }
  const actions: Record<FaultName, [FaultAction, boolean]> = {
    'drop-after-commit': ['reset', true],
    'hang-after-commit': ['hang', true],
    timeout: ['hang', false],
    'http-500': ['http-500', false],
    reset: ['reset', false],
    malformed: ['malformed', false],
    latency: ['latency', false],
  };
  const [action, commit] = actions[spec.fault];
  return { ...base, label: spec.fault, action, commit: spec.commit ?? commit };
}

export class FaultInjector {
  private rules: Rule[] = [];

  constructor(private readonly random: Random) {}

  inject(spec: FaultSpec): void {
    this.rules.push({
      func: spec.func ?? '*',
      probability: spec.probability ?? 1,
      remaining: spec.count ?? Number.POSITIVE_INFINITY,
      fault: toFault(spec),
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this call, if a rule fires; a fired rule uses up one of its count. */
  take(func: string): Fault | null {
    for (const rule of this.rules) {
      if (rule.func !== '*' && rule.func !== func) continue;
      if (this.random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return rule.fault;
    }
    return null;
  }

  pending(): { func: string; fault: string; remaining: number | null }[] {
    return this.rules.map((r) => ({
      func: r.func,
      fault: r.fault.label,
      remaining: Number.isFinite(r.remaining) ? r.remaining : null,
    }));
  }
}
