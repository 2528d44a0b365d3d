// The manual module: no upstream to call. Every method an operation may call, reads included, throws
// ManualProcessingRequired, so whatever an operation calls first hands it to a person (the operations
// engine knows nothing of manual modules). What ordering calls (checkIp, priceList) has nothing to check.
import type { LicenseDriver, UpstreamAccount, UpstreamTariff } from '../driver.js';

export class ManualProcessingRequired extends Error {
  override name = 'ManualProcessingRequired';
  constructor(readonly operation: string) {
    super(`"${operation}" is done by hand for a manual processing module`);
  }
}

/** Rejects like a real driver's failure (never a synchronous throw, which `call().catch()` would miss). */
const byHand = (operation: string) => (): Promise<never> => Promise.reject(new ManualProcessingRequired(operation));

export class ManualDriver implements LicenseDriver {
  checkConnection(): Promise<UpstreamAccount> {
    return Promise.reject(new ManualProcessingRequired('checkConnection'));
  }
  async priceList(): Promise<UpstreamTariff[]> {
    return [];
  }
  async checkIp(): Promise<void> {}
  getLicense = byHand('getLicense');
  findOrder = byHand('findOrder');
  list = byHand('list');
  open = byHand('open');
  setParams = byHand('setParams');
  newKey = byHand('newKey');
  prolong = byHand('prolong');
  changeTariff = byHand('changeTariff');
  suspend = byHand('suspend');
  resume = byHand('resume');
  close = byHand('close');
}
