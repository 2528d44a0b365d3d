// Access rights, as BILLmanager's work: per staff menu area a "read" and a "change" right ("change"
// includes "read"), and separate money rights that "clients.change" does not give. Administrators hold
// every right; other employees hold the rights given to them directly and those of each department they
// are a member of. An employee's effective rights are read anew with every request (they ride on the
// actor, see http/app.ts), so a revoked right stops working at the next request, in every process.
import { isAdmin, type Actor } from '../actor.js';
import type { Executor } from '../db/db.js';
import { appError } from '../errors.js';
import type { MessageRef } from '../i18n/messages.js';

/** The staff menu areas, in menu order; each has `<area>.read` and `<area>.change`. */
export const AREAS = [
  'processing-modules',
  'datacenters',
  'providers',
  'departments',
  'business-hours',
  'employees',
  'localizations',
  'tariffs',
  'clients',
  'licenses',
  'operations',
  'tasks',
  'tickets',
  'messages',
  'audit',
] as const;
export type Area = (typeof AREAS)[number];

/** What each area is, worded for "… (read)" in the catalog. */
const AREA_WORDS: Record<Area, string> = {
  'processing-modules': 'Processing modules and their upstream balances',
  datacenters: 'Data centers',
  providers: 'Providers',
  departments: 'Departments and their members',
  'business-hours': 'Business hours',
  employees: 'Employees',
  localizations: 'Localizations',
  tariffs: 'Tariff plans',
  clients: 'Clients and their ledgers',
  licenses: 'Licenses',
  operations: 'Operations',
  tasks: 'Tasks',
  tickets: 'Support tickets',
  messages: 'E-mail messages (the outbox)',
  audit: 'The audit log',
};

/** Money rights, each worded for "Only employees with the right may …". */
const MONEY_RIGHTS = {
  'client.payment': 'record payments by hand',
  'client.correction': "correct a client's ledger",
  'client.credit_limit': "change a client's credit limit",
  'client.password': "set a client's password",
  'client.impersonate': 'log in as a client',
  'license.refund': 'refund a license',
} as const;
export type MoneyRight = keyof typeof MONEY_RIGHTS;

export type AreaRight = `${Area}.read` | `${Area}.change`;
export type Right = AreaRight | MoneyRight;
export type RightLevel = 'read' | 'change' | 'money';

export interface RightInfo {
  name: Right;
  /** The menu area, or "money" for the money rights. */
  group: Area | 'money';
  level: RightLevel;
  description: string;
}

export const RIGHTS_CATALOG: readonly RightInfo[] = [
  ...AREAS.flatMap((area): RightInfo[] => [
    { name: `${area}.read`, group: area, level: 'read', description: `${AREA_WORDS[area]}: see` },
    { name: `${area}.change`, group: area, level: 'change', description: `${AREA_WORDS[area]}: create, edit, delete and act (includes read)` },
  ]),
  ...Object.entries(MONEY_RIGHTS).map(([name, words]): RightInfo => ({
    name: name as MoneyRight,
    group: 'money',
    level: 'money',
    description: words.charAt(0).toUpperCase() + words.slice(1),
  })),
];

const NAMES = new Set<string>(RIGHTS_CATALOG.map((r) => r.name));
export const ALL_RIGHTS: readonly Right[] = RIGHTS_CATALOG.map((r) => r.name).sort();

export function isRight(name: string): name is Right {
  return NAMES.has(name);
}

/** Rights a set of held rights implies: "<area>.change" brings "<area>.read". Sorted, no duplicates. */
export function expandRights(held: Iterable<string>): Right[] {
  const out = new Set<Right>();
  for (const name of held) {
    if (!isRight(name)) continue; // a right dropped from the catalog gives nothing
    out.add(name);
    if (name.endsWith('.change')) out.add(name.replace(/\.change$/, '.read') as Right);
  }
  return [...out].sort();
}

/** 400 naming the field and the first unknown right; the list comes back sorted without duplicates. */
export function checkRightNames(names: readonly string[], field = 'rights'): Right[] {
  const unknown = names.find((n) => !isRight(n));
  if (unknown !== undefined) {
    throw appError('validation', 'rights.unknown', { right: unknown }, { field, details: { right: unknown } });
  }
  return [...new Set(names as Right[])].sort();
}

/** An employee's effective rights from the database: direct ones and those of its departments. */
export async function loadEffectiveRights(db: Executor, employeeId: number): Promise<Right[]> {
  const [direct, viaDepartments] = await Promise.all([
    db.selectFrom('employeeRights').select('rightName').where('employeeId', '=', employeeId).execute(),
    db
      .selectFrom('departmentRights')
      .innerJoin('departmentMembers', 'departmentMembers.departmentId', 'departmentRights.departmentId')
      .select('departmentRights.rightName')
      .where('departmentMembers.employeeId', '=', employeeId)
      .execute(),
  ]);
  return expandRights([...direct, ...viaDepartments].map((r) => r.rightName));
}

/** The rights an actor holds: every one for administrators and the system, none for clients. */
export function rightsOf(actor: Actor): readonly Right[] {
  if (isAdmin(actor)) return ALL_RIGHTS;
  if (actor.kind !== 'employee') return [];
  return (actor.rights ?? []) as readonly Right[];
}

export function hasRight(actor: Actor, right: Right): boolean {
  if (isAdmin(actor)) return true;
  if (actor.kind !== 'employee') return false;
  const held = actor.rights ?? [];
  return held.includes(right) || (right.endsWith('.read') && held.includes(right.replace(/\.read$/, '.change')));
}

/** What the 403 says a right allows. */
export function describeRight(right: Right): string {
  return RIGHTS_CATALOG.find((r) => r.name === right)!.description;
}

/** What a right allows, as a message in the catalog (the same words as describeRight in English). */
export function rightMessage(right: Right): MessageRef {
  const info = RIGHTS_CATALOG.find((r) => r.name === right)!;
  return info.group === 'money' ? { key: `rightInfo.${right}` } : { key: `rightInfo.${info.level}`, params: { area: { key: `area.${info.group}` } } };
}

/** 403 naming what was needed, and the body field that needed it when there is one. */
export function requireRight(actor: Actor, right: Right, field?: string): void {
  if (hasRight(actor, right)) return;
  if (actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
  throw appError('forbidden', actor.kind === 'employee' ? 'rights.need' : 'rights.employeesOnly', { right, what: rightMessage(right) }, { field, details: { right } });
}
