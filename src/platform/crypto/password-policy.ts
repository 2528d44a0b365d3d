// Which new passwords are accepted: long enough, not guessable (zxcvbn with its offline dictionaries
// of common passwords, names and keyboard patterns) and not built from the account's e-mail address.
import zxcvbn from '@zxcvbn-ts/core';
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import { appError } from '../errors.js';
import { MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

/** zxcvbn's 0–4; 3 is "safely unguessable: moderate protection from an offline attack". */
export const MIN_PASSWORD_SCORE = 3;

/** zxcvbn names what is wrong with a key; without a translation package these are our words. */
const WHY: Record<string, string> = {
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is too close to a commonly used password',
  userInputs: 'it is too close to the e-mail address',
  straightRow: 'it is a row of keys',
  keyPattern: 'it is a keyboard pattern',
  simpleRepeat: 'it repeats characters',
  extendedRepeat: 'it repeats a short pattern',
  sequences: 'it is a sequence such as abc or 123',
  recentYears: 'it is built on a recent year',
  dates: 'it is built on a date',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'names are easy to guess',
  commonNames: 'it is built on a common name',
};

// Building the dictionaries takes a moment and some memory: only when the first password is checked.
let estimator: InstanceType<typeof zxcvbn.ZxcvbnFactory> | undefined;
function strengthOf(password: string, userInputs: string[]) {
  estimator ??= new zxcvbn.ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return estimator.check(password, userInputs);
}

/** Refuses a new password with a 400 naming the field and saying why. */
export function checkNewPassword(password: string, email: string, field = 'password'): void {
  const refuse = (why: string, key: 'password.weak' | 'password.tooShort' | 'password.containsEmail' = 'password.weak') => {
    throw appError('validation', key, { field, why, min: MIN_PASSWORD_LENGTH }, { field });
  };
  if (password.length < MIN_PASSWORD_LENGTH) refuse(`it must have at least ${MIN_PASSWORD_LENGTH} characters`, 'password.tooShort');
  const address = email.trim().toLowerCase();
  if (address && password.toLowerCase().includes(address)) refuse('it contains the e-mail address', 'password.containsEmail');
  const result = strengthOf(password, [address, address.split('@')[0] ?? '']);
  if (result.score < MIN_PASSWORD_SCORE) refuse(WHY[result.feedback.warning ?? ''] ?? 'it is too easy to guess');
}

/** Changing one's own password needs the current one: a session left open must not be enough. */
export async function checkCurrentPassword(passwordHash: string, current: string | undefined): Promise<void> {
  if (current === undefined) {
    throw appError('validation', 'auth.currentPasswordNeeded', {}, { field: 'currentPassword' });
  }
  if (!(await verifyPassword(passwordHash, current))) {
    throw appError('forbidden', 'auth.currentPasswordWrong', {}, { field: 'currentPassword' });
  }
}
