/**
 * Turns an API error into a message for the form: next to the field it names, or at the top.
 * The server answers in English (`field: reason`); the common reasons are put into the UI
 * language here, anything else is shown as the server wrote it.
 */
import { ApiError } from '$ui/api.ts';
import { t } from '$ui/i18n.svelte.ts';

export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const noErrors = (): FormErrors => ({ fields: {}, form: null });

const REASONS: [RegExp, string][] = [
  [/^must be at most (\S+?)\.?$/, 'serverError.atMost'],
  [/^must be at least (\S+?)\.?$/, 'serverError.atLeast'],
  [/^must be one of (.+)$/, 'serverError.oneOf'],
  [/^(\S+) already exists$/, 'serverError.exists'],
  [/^(?:must not be empty|is required|required)$/, 'serverError.required'],
  [/^(?:wrong password|wrong current password|does not match)$/, 'serverError.wrongPassword'],
  [/^(?:unknown|invalid|not an? (?:valid )?IANA) time zone.*$/i, 'serverError.badZone'],
  [/^(?:not found|no such .*)$/, 'serverError.notFound'],
];

/** A server reason in the UI language when it is one of the common ones. */
export function translateReason(reason: string): string {
  for (const [re, key] of REASONS) {
    const m = re.exec(reason);
    if (m) return t(key, { value: m[1] ?? '' });
  }
  return reason;
}

export function toFormErrors(err: unknown, known: readonly string[]): FormErrors {
  if (err instanceof ApiError) {
    if (err.status === 0) return { fields: {}, form: t('error.network') };
    if (err.status === 403) return { fields: {}, form: t('error.forbidden') };
    const top = err.field?.split(/[.[]/)[0];
    if (top && known.includes(top)) return { fields: { [top]: translateReason(err.reason) }, form: null };
    return { fields: {}, form: err.field ? `${err.field}: ${translateReason(err.reason)}` : translateReason(err.message) };
  }
  return { fields: {}, form: t('error.generic', { message: String(err) }) };
}
