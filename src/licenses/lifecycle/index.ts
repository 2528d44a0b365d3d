// The license's lifecycle, owned here: what is asked for (requests.ts), what an operation's result
// changes (outcomes.ts), what the upstream reports differently (drift.ts), and the status itself
// (status.ts). Routes, the scheduler and the operations engine call these and repeat none of the rules.
export { LicenseLifecycle, type ChangeRequest, type OnDeletion, type OrderTerms, type RenewalRefusal, type RenewalRequest, type RenewalTerms } from './requests.js';
export { OUTCOMES, bindUpstreamId, outcomeFor, setStatus, type Apply, type History, type OutcomeContext, type OutcomeFacts } from './outcomes.js';
export { driftFrom, type Drift, type DriftEvent, type UpstreamReport } from './drift.js';
export { statusPatch, type LicenseRow, type SuspensionCause } from './status.js';
