/**
 * Query-string parsing for the QA calls-side routes (search, work queue, reports): each bad
 * value is a `QaRequestError` naming the parameter (`param: reason`), answered 400.
 */
import type { Principal } from '../../../platform/auth.ts';
import { parseTimestamp } from '../../../schemas/validate.ts';

/** A request the QA calls-side routes refuse, with its status (400 unless told). */
export class QaRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Reads typed values out of a query string; every failure names the parameter. */
export class Query {
  constructor(private readonly q: URLSearchParams) {}

  str(name: string, max = 256): string | null {
    const v = this.q.get(name);
    if (v === null || v === '') return null;
    if (v.length > max) throw new QaRequestError(`${name}: at most ${max} characters`);
    return v;
  }

  /** ISO 8601 (with offset) or epoch milliseconds. */
  instant(name: string): number | null {
    const v = this.str(name, 64);
    if (v === null) return null;
    // an unencoded `+01:00` offset arrives as a space
    const ms = /^\d+$/.test(v) ? parseTimestamp(Number(v)) : parseTimestamp(v.replace(' ', '+'));
    if (Number.isNaN(ms)) throw new QaRequestError(`${name}: must be ISO 8601 with offset or epoch milliseconds (got ${JSON.stringify(v)})`);
    return ms;
  }

  num(name: string, min = -Infinity, max = Infinity): number | null {
    const v = this.str(name, 64);
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new QaRequestError(`${name}: must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return n;
  }

  int(name: string, min: number, max: number): number | null {
    const n = this.num(name, min, max);
    if (n !== null && !Number.isInteger(n)) throw new QaRequestError(`${name}: must be a whole number (got ${n})`);
    return n;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | null {
    const v = this.str(name, 64);
    if (v === null) return null;
    if (!(values as readonly string[]).includes(v)) throw new QaRequestError(`${name}: must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
    return v as T;
  }
}

/** `min ≤ max` when both are given. */
export function checkRange(minName: string, min: number | null | undefined, maxName: string, max: number | null | undefined): void {
  if (min !== null && min !== undefined && max !== null && max !== undefined && min > max) {
    throw new QaRequestError(`${minName}: must not be more than ${maxName} (${min} > ${max})`);
  }
}

/** Whether the caller may read every agent's calls and evaluations (else: own calls only). */
export function readsAll(who: Principal): boolean {
  return who.scopes.has('qa') || who.scopes.has('qa_read');
}
