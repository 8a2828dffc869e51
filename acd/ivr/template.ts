/**
 * Prompt templates: `{name}` placeholders filled from call variables, so a play
 * node can speak a lookup result ("Your balance is {balance}.").
 */

/** Variable every flow can read: the calling number. */
export const CALLER_VAR = 'caller';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the variables a prompt refers to, in order of appearance. */
export function placeholders(prompt: string): string[] {
  return [...prompt.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** The prompt with each `{name}` replaced by `vars[name]`; a variable not set yet reads as "unknown". */
export function renderPrompt(prompt: string, vars: Readonly<Record<string, string>>): string {
  return prompt.replace(PLACEHOLDER, (_, name: string) => vars[name] ?? 'unknown');
}
