/**
 * Demo billing system: the simulator's stand-in for a real customer database.
 * Every answer is derived from a hash of (kind, key), so the same caller or
 * account always hears the same balance, and runs are reproducible. Not real data.
 */
import type { IvrDataSource } from './engine.ts';

export const DEMO_LOOKUP_KINDS = ['balance', 'bill', 'usage', 'arrears', 'outage'] as const;
export type DemoLookupKind = (typeof DEMO_LOOKUP_KINDS)[number];

const OUTAGE_NOTICES = [
  'planned maintenance on the local network; service is back by 16:00',
  'a cable fault is being repaired; we expect to restore service within 3 hours',
  'a storm damaged a line in your area; crews are on site',
  'a gas main is being replaced in your street; supply resumes this evening',
] as const;

/** 32-bit FNV-1a: small, fast and stable across runs and platforms. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A deterministic demo data source answering `balance`, `bill`, `usage`, `arrears`
 * and `outage`. `arrears` and `outage` answer "" (nothing found) for most keys.
 * @throws Error for a kind it does not know, so a typo in a flow shows up at once
 */
export function createDemoDataSource(opts: { currency?: string } = {}): IvrDataSource {
  const currency = opts.currency ?? 'EUR';
  const money = (cents: number) => `${(cents / 100).toFixed(2)} ${currency}`;
  return {
    lookup(kind: string, key: string): string {
      const h = fnv1a(`${kind}:${key}`);
      switch (kind as DemoLookupKind) {
        case 'balance':
          return money((h % 30_000) - 5_000);
        case 'bill':
          return `${money(2_000 + (h % 16_000))}, due on day ${1 + ((h >>> 16) % 28)} of the month`;
        case 'usage':
          return `${80 + (h % 600)} kWh this billing period`;
        case 'arrears':
          return h % 5 === 0 ? money(1_000 + ((h >>> 8) % 40_000)) : '';
        case 'outage':
          return h % 4 === 0 ? (OUTAGE_NOTICES[(h >>> 8) % OUTAGE_NOTICES.length] ?? '') : '';
        default:
          throw new Error(`demo data source: unknown lookup kind ${JSON.stringify(kind)} (known: ${DEMO_LOOKUP_KINDS.join(', ')})`);
      }
    },
  };
}
