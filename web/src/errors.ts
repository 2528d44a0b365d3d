// Errors in words a person reads: the server's sentence, which comes in the UI's language (the client
// sends it as Accept-Language), with the English specific text beside it when the server has no
// translation of it yet; a localized one per error code when the answer carried no message of the
// server's; and the code kept for support.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { ApiError } from './api/client';

export function useDescribeError() {
  const { t, i18n } = useTranslation();
  return useCallback(
    (error: unknown, { withCode = false }: { withCode?: boolean } = {}): string => {
      if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
      if (error.code === 'network') return t('errors.network');
      const key = `errors.codes.${error.code}` as const;
      const localized = !error.fromServer && i18n.exists(key) ? t(key as never) : error.detail ? `${error.message} (${error.detail})` : error.message;
      return withCode ? `${localized} [${error.code}]` : localized;
    },
    [t, i18n],
  );
}

/**
 * Puts a server error under the field it names (the API's field names are the form's: "name.en",
 * "connection.url", "expiresOn"). Returns false when the form has no such field: show it above the form.
 */
export function showUnderField<T extends FieldValues>(
  form: UseFormReturn<T>,
  error: unknown,
  fields: readonly string[],
  describe: (e: unknown) => string,
): boolean {
  if (!(error instanceof ApiError) || !error.field || !fields.includes(error.field)) return false;
  form.setError(error.field as Path<T>, { type: 'server', message: describe(error) }, { shouldFocus: true });
  return true;
}
