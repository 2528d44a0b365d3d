/** Who is acting: every service call carries one, and every audit entry names it. */
export type Actor =
  | {
      kind: 'employee';
      id: number;
      label: string;
      isAdmin: boolean;
      locale: string;
      impersonatorId?: number;
      /** Effective rights (auth/rights.ts), read with the request; administrators hold all of them anyway. */
      rights?: readonly string[];
    }
  | { kind: 'client'; id: number; label: string; providerId: number; locale: string; impersonatorId?: number }
  | { kind: 'system'; id: null; label: string; locale: string }
  | { kind: 'anonymous'; id: null; label: 'anonymous'; locale: string };

export const systemActor = (label = 'system', locale = 'en'): Actor => ({ kind: 'system', id: null, label, locale });

export function isStaff(actor: Actor): actor is Extract<Actor, { kind: 'employee' }> {
  return actor.kind === 'employee';
}

export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'employee' && actor.isAdmin);
}
