/**
 * A condition the operator fixes (a newer database, a running server in the way of a restore, a file
 * that is not a backup): the command line prints its message alone, without a stack, and exits 1.
 */
export class FatalError extends Error {
  override readonly name = 'FatalError';
}
