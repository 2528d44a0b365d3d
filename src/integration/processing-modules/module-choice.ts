// BILLmanager's order for choosing the processing module that runs an operation on a service.

export interface ModuleCandidate {
  id: number;
  sort: number;
  enabled: boolean;
  /** The module's last call failed (status "error"). */
  hasError: boolean;
  runningOperations: number;
  /** null: no limit. */
  operationLimit: number | null;
  datacenterId: number | null;
  /** The upstream balance (as last read) is below the module's minimal balance: it buys nothing new. */
  held?: boolean;
}

export interface ModuleChoiceContext {
  /** The module the license is already bound to, if any. */
  boundModuleId?: number | null;
  /** Limits the choice to modules of this data center when the client chose one. */
  datacenterId?: number | null;
}

/**
 * Modules not held for a low balance first, then those without errors, then those under their
 * running-operation limit, then the module already bound to the service, then the lowest sort, then
 * the lowest id. Disabled modules never.
 */
export function chooseModule<T extends ModuleCandidate>(candidates: readonly T[], context: ModuleChoiceContext = {}): T | undefined {
  const eligible = candidates.filter(
    (m) => m.enabled && (context.datacenterId == null || m.datacenterId === context.datacenterId),
  );
  return [...eligible].sort((a, b) => rank(a, context) - rank(b, context) || a.sort - b.sort || a.id - b.id)[0];
}

function rank(m: ModuleCandidate, context: ModuleChoiceContext): number {
  const underLimit = m.operationLimit === null || m.runningOperations < m.operationLimit;
  return (m.held ? 8 : 0) + (m.hasError ? 4 : 0) + (underLimit ? 0 : 2) + (m.id === context.boundModuleId ? 0 : 1);
}
