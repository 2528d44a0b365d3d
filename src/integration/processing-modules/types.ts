import { DEFAULT_UPSTREAM_URL } from './schemas.js';

/** What the add wizard offers at each step, and the fields each module type needs. */
export const MODULE_TYPES_DESCRIPTION = {
  productTypes: [
    {
      id: 'licenses',
      name: 'Licenses',
      moduleTypes: [
        {
          id: 'billmanager',
          name: 'BILLmanager',
          description: 'Buys ispmanager licenses from the ispmanager billing (an upstream BILLmanager) with an account\'s username and password',
          connectionFields: [
            { name: 'url', type: 'url' as const, required: true, default: DEFAULT_UPSTREAM_URL, description: 'Address of the ispmanager billing system; without a path, /billmgr and then /manager/billmgr are tried and the one that answers is kept' },
            { name: 'username', type: 'text' as const, required: true, description: 'Login of the account that buys licenses (two-factor authentication must be off)' },
            { name: 'password', type: 'password' as const, required: true, description: 'Password of that account; stored encrypted, never shown again' },
            {
              name: 'currency',
              type: 'text' as const,
              required: false,
              description: 'ISO code of the account currency (EUR, USD, RUB…); needed only when the upstream does not say it or the account holds several',
            },
          ],
        },
        {
          id: 'manual',
          name: 'Manual processing',
          description: 'No upstream: every operation becomes a task for the module\'s department',
          connectionFields: [],
        },
      ],
    },
  ],
  parameterFields: [
    { name: 'datacenterId', type: 'text' as const, required: false, description: 'Data center' },
    { name: 'name', type: 'text' as const, required: true, description: 'Name per localization' },
    { name: 'departmentId', type: 'text' as const, required: false, description: 'Department that gets the module\'s tasks' },
    { name: 'sort', type: 'text' as const, required: false, description: 'Priority; the lowest number is chosen first' },
    { name: 'minimalBalance', type: 'text' as const, required: false, description: 'Minimal upstream balance for renewals, in the upstream account\'s currency' },
  ],
};
