export { startSandbox, type Sandbox, type SandboxOptions } from './server.js';
export { SandboxControl, type AccountInput, type AccountView, type Inspection, type LicenseView, type SandboxSettings } from './control.js';
export type { FaultSpec, FaultName, InjectedError } from './faults.js';
export { DEMO_ACCOUNT, PRICE_LIST, PROFILES, type SandboxProfile, type ListFilter, type Purchase, type Charge, type CallRecord, type Quirks, type KeyDelay, type SandboxState } from './state.js';
export { runSandboxCli, type SandboxCliOptions } from './main.js';
