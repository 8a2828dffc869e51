/**
 * Call lifecycle codes inside the core. In a module of their own so that both the
 * model (model.ts) and the wait lists (waitlist.ts) read them without importing
 * each other.
 */
export const CallState = { ivr: 1, waiting: 2, ringing: 3, talking: 4, ended: 5 } as const;
export type CallStateCode = (typeof CallState)[keyof typeof CallState];
