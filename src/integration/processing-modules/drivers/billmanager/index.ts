export { BillmanagerClient, billmgrEndpoint, type BillmanagerClientOptions, type Params } from './client.js';
export { BillmanagerDriver, createBillmanagerDriver, type BillmanagerDriverOptions } from './driver.js';
