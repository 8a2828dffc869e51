/**
 * Path-aware reading of untrusted JSON for the IVR flow parser: every problem is
 * recorded with the JSON path it was found at, so one parse reports all of them.
 */

/** One problem in a flow document: where (`nodes.main.options.3`) and why. */
export interface IvrFlowIssue {
  path: string;
  reason: string;
}

/** Thrown by `parseIvrFlow`; `issues` lists every problem, the message names each path and reason. */
export class IvrFlowError extends Error {
  readonly issues: readonly IvrFlowIssue[];

  constructor(issues: readonly IvrFlowIssue[]) {
    const lines = issues.map((i) => `${i.path}: ${i.reason}`);
    super(lines.length === 1 ? (lines[0] ?? '') : `${lines.length} problems in IVR flow:\n  ${lines.join('\n  ')}`);
    this.name = 'IvrFlowError';
    this.issues = issues;
  }
}

/** Joins a parent path and a key (`nodes` + `main` → `nodes.main`). */
export function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export type JsonObject = Record<string, unknown>;

/** Collects issues while reading; each reader returns `undefined` after recording a problem. */
export class Issues {
  readonly list: IvrFlowIssue[] = [];

  add(path: string, reason: string): void {
    this.list.push({ path: path || '(flow)', reason });
  }

  /** Throws an IvrFlowError if anything was recorded. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new IvrFlowError(this.list);
  }

  object(value: unknown, path: string): JsonObject | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
    this.add(path, `must be an object (got ${describe(value)})`);
    return undefined;
  }

  /** Records every key of `obj` that is not in `allowed`: catches typos such as "retires". */
  onlyKeys(obj: JsonObject, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.add(at(path, key), `unknown field (expected one of ${allowed.join(', ')})`);
    }
  }

  string(obj: JsonObject, key: string, path: string, opts: { optional?: boolean; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const value = obj[key];
    const p = at(path, key);
    if (value === undefined) {
      if (!opts.optional) this.add(p, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.length === 0) {
      this.add(p, `must be a non-empty string (got ${describe(value)})`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.add(p, `${JSON.stringify(value)} ${opts.hint ?? `does not match ${opts.pattern}`}`);
      return undefined;
    }
    return value;
  }

  number(obj: JsonObject, key: string, path: string, opts: { optional?: boolean; min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = obj[key];
    const p = at(path, key);
    if (value === undefined) {
      if (!opts.optional) this.add(p, 'is required');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.add(p, `must be a number (got ${describe(value)})`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(value)) {
      this.add(p, `must be a whole number (got ${value})`);
      return undefined;
    }
    if ((opts.min !== undefined && value < opts.min) || (opts.max !== undefined && value > opts.max)) {
      this.add(p, `must be ${range(opts.min, opts.max)} (got ${value})`);
      return undefined;
    }
    return value;
  }

  boolean(obj: JsonObject, key: string, path: string): boolean | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.add(at(path, key), `must be true or false (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  array(obj: JsonObject, key: string, path: string, opts: { optional?: boolean } = {}): unknown[] | undefined {
    const value = obj[key];
    if (value === undefined) {
      if (!opts.optional) this.add(at(path, key), 'is required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.add(at(path, key), `must be an array (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${max}`;
}

/** A short rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** The candidate closest to `name` by edit distance, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
