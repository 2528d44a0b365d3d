// What an employee may do beyond reading. There is no rights system yet: administrators hold every
// right and other employees none. Code asks for a right by name, so a rights system can later
// grant them one by one without touching the callers.
import { isAdmin, type Actor } from '../actor.js';
import { AppError } from '../errors.js';

/** Each right, worded for "Only administrators may …". */
const RIGHTS = {
  'client.password': "set a client's password",
  'client.impersonate': 'log in as a client',
  'client.credit_limit': "change a client's credit limit",
  'client.payment': 'record payments by hand',
} as const;

export type Right = keyof typeof RIGHTS;

export function hasRight(actor: Actor, _right: Right): boolean {
  return isAdmin(actor);
}

/** 403 naming what was needed, and the body field that needed it when there is one. */
export function requireRight(actor: Actor, right: Right, field?: string): void {
  if (hasRight(actor, right)) return;
  throw new AppError('forbidden', `Only administrators may ${RIGHTS[right]} (right ${right})`, { field, details: { right } });
}
