// The manual module: no upstream to call. Every operation is handed to a person as a task by the
// operations engine; the driver only says so.
import type { LicenseDriver, OrderLookupResult, UpstreamAccount, UpstreamLicense, UpstreamList, UpstreamTariff } from '../driver.js';

export class ManualProcessingRequired extends Error {
  override name = 'ManualProcessingRequired';
  constructor(readonly operation: string) {
    super(`"${operation}" is done by hand for a manual processing module`);
  }
}

const byHand = (operation: string) => (): never => {
  throw new ManualProcessingRequired(operation);
};

export class ManualDriver implements LicenseDriver {
  checkConnection(): Promise<UpstreamAccount> {
    return Promise.reject(new ManualProcessingRequired('checkConnection'));
  }
  async priceList(): Promise<UpstreamTariff[]> {
    return [];
  }
  async checkIp(): Promise<void> {}
  async getLicense(): Promise<UpstreamLicense | null> {
    return null;
  }
  async findOrder(): Promise<OrderLookupResult> {
    return { found: 'unknown', reason: 'a manual module has no upstream to look in' };
  }
  async list(): Promise<UpstreamList> {
    return { licenses: [], complete: false };
  }
  open = byHand('open');
  setParams = byHand('setParams');
  newKey = byHand('newKey');
  prolong = byHand('prolong');
  changeTariff = byHand('changeTariff');
  suspend = byHand('suspend');
  resume = byHand('resume');
  close = byHand('close');
}
