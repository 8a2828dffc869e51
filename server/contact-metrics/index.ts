/**
 * callboard's metric definitions, in one module: per-call facts (`deriveCall`), additive
 * counters, figures (service level by four formulas, ASA, AHT, abandon rate, …), agent
 * state ratios and DST-correct local days. The live engine and the reports both use it,
 * so a board's "today" equals the report for today.
 */
export * from './settings.ts';
export * from './call-facts.ts';
export * from './counters.ts';
export * from './figures.ts';
export * from './zoned-time.ts';
export * from './stored-call-event.ts';
