/**
 * The edit state every settings page has: the form being filled in (or none), the server's
 * errors for it (next to their field or at the top), and the "saved" notice. A submit checks
 * the form, saves it, closes it, shows the notice and reloads the list; an action on a row
 * (delete, revoke) puts its error at the top.
 */
import { get, put } from '$ui/api.ts';
import { t } from '$ui/i18n.svelte.ts';
import { directory } from '../lib/directory.svelte.ts';
import { noErrors, toFormErrors, type FormErrors } from './errors.ts';

/** The notice after a save, in the UI language when shown (so a language switch follows it). */
export type Notice = () => string;

export interface SettingsFormOptions<F> {
  /** fields the server may name in an error (shown next to them); the others go to the top of the form */
  fields: readonly string[] | ((form: F) => readonly string[]);
  /** a check before sending: the field and its message, or null when the form is fine */
  check?: (form: F) => [field: string, message: string] | null;
  /** sends the form; returns the notice to show, if any */
  save: (form: F) => Promise<Notice | void>;
  /** reloads what the page lists */
  reload: () => Promise<unknown>;
}

export class SettingsForm<F> {
  form = $state<F | null>(null);
  errors = $state<FormErrors>(noErrors());
  notice = $state<Notice | null>(null);

  constructor(private readonly o: SettingsFormOptions<F>) {}

  /** Opens the form on `form` (a copy of a row, or a new one). */
  open = (form: F): void => {
    this.form = form;
    this.errors = noErrors();
    this.notice = null;
  };

  close = (): void => {
    this.form = null;
  };

  submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = this.form;
    if (!form) return;
    this.errors = noErrors();
    const bad = this.o.check?.(form);
    if (bad) {
      this.errors = { fields: { [bad[0]]: bad[1] }, form: null };
      return;
    }
    const fields = typeof this.o.fields === 'function' ? this.o.fields(form) : this.o.fields;
    try {
      const notice = await this.o.save(form);
      if (notice) this.notice = notice;
      this.form = null;
      await this.o.reload();
    } catch (err) {
      this.errors = toFormErrors(err, fields);
    }
  };

  /** An action on a row after the user confirms it; its error goes to the top of the page. */
  confirmed = async (question: string, action: () => Promise<unknown>): Promise<void> => {
    if (!confirm(question)) return;
    try {
      await action();
      await this.o.reload();
    } catch (err) {
      this.errors = toFormErrors(err, []);
    }
  };
}

/**
 * The form of a directory page (sites, teams, agents): a PUT of the row, "Saved", and the
 * directory reloaded.
 */
export function directoryForm<F>(o: Omit<SettingsFormOptions<F>, 'save' | 'reload'> & { put: (form: F) => [path: string, body: unknown] }): SettingsForm<F> {
  return new SettingsForm<F>({
    ...o,
    save: async (form) => {
      await put(...o.put(form));
      return () => t('common.saved');
    },
    reload: () => directory.load(true),
  });
}

/** A list the API answers either bare or wrapped (`{"keys": [...]}`). */
export async function getList<T>(path: string, wrapper: string): Promise<T[]> {
  const r = await get<Record<string, T[]> | T[]>(path);
  return Array.isArray(r) ? r : (r[wrapper] ?? []);
}
