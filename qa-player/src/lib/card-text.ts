import { t } from '$ui/i18n.svelte.ts';
import { SEEDED_TEXT_KEYS } from './seeded-text.ts';

/** A scorecard's name, section title, question text or help in the UI's language when it is still the seeded text. */
export function cardText(text: string): string {
  const key = SEEDED_TEXT_KEYS[text];
  return key ? t(key) : text;
}
