/**
 * Checking the ACD's config files (scenarios, IVR flows) against their TypeBox
 * schemas, reporting every problem as `path: reason` in the words of the file's
 * author: `nodes.main.options.3: …`, `agents.0.shift.start: must be a local time
 * "HH:MM" (got "8am")`.
 *
 * A schema states the shape of a file (fields, types, ranges, patterns, formats);
 * the readers (ivr/flow.ts, sim/scenario.ts) add what a schema cannot say (cross
 * references with "did you mean" hints, graph checks) as further issues. Where the
 * generic reason would be unclear, a schema carries its own (`explained`). The
 * annotations are symbol-keyed, so they never reach the published JSON Schema.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { formatClock, isTimeZone, parseClock, parseDateTime, parseDay } from '../time.ts';

/** One problem in a config file: where (`nodes.main.options.3`) and why. */
export interface ConfigIssue {
  path: string;
  reason: string;
}

/** A config file with problems; the message lists each as `path: reason`. */
export class ConfigError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    /** what was read, for "3 problems in <document>:" */
    document: string,
    /** prefix of a single problem's line (e.g. `scenario: `) */
    singlePrefix = '',
  ) {
    const lines = issues.map((i) => `${i.path}: ${i.reason}`);
    super(lines.length === 1 ? `${singlePrefix}${lines[0] ?? ''}` : `${lines.length} problems in ${document}:\n  ${lines.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Joins a parent path and a key (`nodes` + `main` → `nodes.main`). */
export function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export type JsonObject = Record<string, unknown>;

/** The value as a plain JSON object, or undefined. */
export function objectOf(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** Collects the problems of one document. */
export class Issues {
  readonly list: ConfigIssue[] = [];

  /** @param rootName how the document itself is named in a path (an issue of the whole document) */
  constructor(private readonly rootName = '(document)') {}

  add(path: string, reason: string): void {
    this.list.push({ path: path || this.rootName, reason });
  }

  /** Adds the problems `check` finds in `value` (found at `path`); returns whether there were none. */
  schema(check: TypeCheck<TSchema>, value: unknown, path = ''): boolean {
    if (check.Check(value)) return true;
    const found: ConfigIssue[] = [];
    explain(check.Errors(value), path, found);
    // One reason per place: a string failing its pattern also fails its format, say.
    const seen = new Set<string>();
    for (const issue of found) {
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      this.add(issue.path, issue.reason);
    }
    return false;
  }

  /** Orders the problems as their places appear in `document` (stable), so a report reads top to bottom. */
  sortBy(document: unknown): void {
    const order = documentOrder(document);
    const rank = (path: string): number => {
      for (let p = path === this.rootName ? '' : path, own = true; ; own = false) {
        const i = order.get(p);
        if (i !== undefined) return own ? i : i + 0.5;
        if (p === '') return -1;
        const dot = p.lastIndexOf('.');
        p = dot < 0 ? '' : p.slice(0, dot);
      }
    };
    const ranked = this.list.map((issue, i) => ({ issue, i, r: rank(issue.path) }));
    ranked.sort((a, b) => a.r - b.r || a.i - b.i);
    this.list.splice(0, this.list.length, ...ranked.map((x) => x.issue));
  }

  /** Throws `make(list)` if anything was recorded. */
  throwIfAny(make: (issues: readonly ConfigIssue[]) => Error = (issues) => new ConfigError(issues, 'document')): void {
    if (this.list.length > 0) throw make(this.list);
  }
}

/** Compiles a schema for `Issues.schema`. */
export function compile<T extends TSchema>(schema: T): TypeCheck<T> {
  return TypeCompiler.Compile(schema);
}

// ---- reasons -------------------------------------------------------------------------

const REASONS = Symbol.for('callboard.acd.reasons');

/** Reasons a schema gives instead of the generic ones. */
export interface Reasons {
  /** any failure of the schema's own checks (type, range, pattern, format, union) */
  invalid?: (value: unknown) => string;
  /** a failed `pattern`: reported as `"<value>" <pattern>` */
  pattern?: string;
  /** a key that is not one of the object's properties, or does not match the record's key pattern */
  unknownKey?: (key: string) => string;
  /** fewer than `minItems` items or `minProperties` keys */
  tooFew?: string;
}

/** A copy of `schema` that gives `reasons` (symbol-keyed: not part of the published JSON Schema). */
export function explained<T extends TSchema>(schema: T, reasons: Reasons): T {
  return { ...schema, [REASONS]: reasons };
}

/** "(got …)" part of a reason. */
export function got(value: unknown): string {
  return `(got ${describe(value)})`;
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

/** ` (did you mean "x"?)` when a candidate is close to `name`, else empty. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const hint = closest(name, candidates);
  return hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
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

// ---- formats ---------------------------------------------------------------------------

/** "HH:MM-HH:MM" (two-digit hours) as minutes, or the reason it is not a valid opening range. */
export function parseTimeRange(text: string): { start: number; end: number } | { problem: string } {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text);
  if (!m) return { problem: `must be a range "HH:MM-HH:MM" ${got(text)}` };
  const start = parseClock(m[1] ?? '');
  const end = parseClock(m[2] ?? '');
  if (start === undefined || end === undefined || start >= 24 * 60) return { problem: `${JSON.stringify(text)} is not a valid time of day` };
  if (start >= end) return { problem: `${JSON.stringify(text)} ends before it starts (split ranges that cross midnight over two days)` };
  return { start, end };
}

/** Why `text` is not a valid opening range ("" if it is one). */
export function timeRangeProblem(text: string): string {
  const r = parseTimeRange(text);
  return 'problem' in r ? r.problem : '';
}

/** "HH:MM-HH:MM" of a range in minutes. */
export function formatTimeRange(r: { start: number; end: number }): string {
  return `${formatClock(r.start)}-${formatClock(r.end)}`;
}

/** Formats of the config files, with the reason a value fails each. */
const FORMATS: Record<string, { check: (v: string) => boolean; reason: (v: string) => string }> = {
  'iana-time-zone': { check: isTimeZone, reason: (v) => `${JSON.stringify(v)} is not an IANA time zone (e.g. "Europe/Berlin")` },
  date: { check: (v) => parseDay(v) !== undefined, reason: (v) => `must be a date "YYYY-MM-DD" ${got(v)}` },
  'date-time': { check: (v) => parseDateTime(v) !== undefined, reason: (v) => `${JSON.stringify(v)} is not an ISO-8601 date-time` },
  'time-range': { check: (v) => timeRangeProblem(v) === '', reason: timeRangeProblem },
};
for (const [name, format] of Object.entries(FORMATS)) {
  // `date` and `date-time` are JSON Schema's own: keep a stricter check someone registered first.
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, format.check);
}

// ---- error explanation ---------------------------------------------------------------

interface Annotated {
  [REASONS]?: Reasons;
  [key: string]: unknown;
}

/** Dot path of a TypeBox error path (`/nodes/main` → `nodes.main`) under `base`. */
function pathOf(base: string, pointer: string): string {
  let path = base;
  for (const segment of pointer.split('/').slice(1)) path = at(path, segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  return path;
}

function explain(errors: Iterable<ValueError>, base: string, out: ConfigIssue[]): void {
  for (const e of errors) {
    const schema = e.schema as Annotated;
    if (e.type === ValueErrorType.Union && !schema[REASONS]?.invalid && e.value !== undefined) explainUnion(e, base, out);
    else out.push({ path: pathOf(base, e.path), reason: reasonOf(e) });
  }
}

/**
 * A union names the variant the value was meant to be: for variants that are objects
 * tagged by a constant field (`type`, `dist`), the one whose tag the value carries; else
 * the only variant of the value's JSON type. Its problems are reported; when no variant
 * fits, what would.
 */
function explainUnion(e: ValueError, base: string, out: ConfigIssue[]): void {
  const variants = ((e.schema as Annotated)['anyOf'] ?? []) as Annotated[];
  const value = e.value;
  const path = pathOf(base, e.path);
  if (variants.every((v) => 'const' in v)) {
    out.push({ path, reason: `must be one of ${variants.map((v) => String(v['const'])).join(', ')} ${got(value)}` });
    return;
  }
  const tag = tagOf(variants);
  const obj = objectOf(value);
  if (tag !== undefined && obj) {
    const tags = variants.map((v) => (v['properties'] as Record<string, Annotated>)[tag]?.['const']);
    const i = tags.indexOf(obj[tag]);
    if (i >= 0) explain(e.errors[i] ?? [], base, out);
    else out.push({ path: at(path, tag), reason: obj[tag] === undefined ? 'is required' : `must be one of ${tags.join(', ')} ${got(obj[tag])}` });
    return;
  }
  const kind = jsonType(value);
  const kinds = variants.map((v) => (v['type'] === 'integer' ? 'number' : v['type']));
  const matching = kinds.flatMap((k, i) => (k === kind ? [i] : []));
  const only = matching.length === 1 ? matching[0] : undefined;
  if (only !== undefined) explain(e.errors[only] ?? [], base, out);
  else if (matching.length === 0 && kinds.every((k) => typeof k === 'string')) {
    out.push({ path, reason: `must be ${[...new Set(kinds as string[])].map(article).join(' or ')} ${got(value)}` });
  } else out.push({ path, reason: `${e.message.toLowerCase()} ${got(value)}` });
}

/** The property every variant fixes to a constant, if the variants are tagged objects. */
function tagOf(variants: Annotated[]): string | undefined {
  const first = variants[0]?.['properties'] as Record<string, Annotated> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((key) => variants.every((v) => (v['properties'] as Record<string, Annotated> | undefined)?.[key]?.['const'] !== undefined));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function range(min: unknown, max: unknown): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${max}`;
}

function reasonOf(e: ValueError): string {
  const schema = e.schema as Annotated;
  const reasons = schema[REASONS];
  const value = e.value;
  const T = ValueErrorType;
  switch (e.type) {
    case T.ObjectRequiredProperty:
      return 'is required';
    case T.ObjectAdditionalProperties: {
      const key = (e.path.split('/').at(-1) ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
      const known = Object.keys((schema['properties'] as object | undefined) ?? {});
      return reasons?.unknownKey?.(key) ?? `unknown field (expected one of ${known.join(', ')})`;
    }
    case T.ObjectMinProperties:
    case T.ArrayMinItems:
      if (reasons?.tooFew) return reasons.tooFew;
  }
  if (value === undefined) return 'is required';
  if (reasons?.invalid) return reasons.invalid(value);
  switch (e.type) {
    case T.String:
    case T.StringMinLength:
      if (schema['minLength'] === undefined) return `must be a string ${got(value)}`;
      return schema['minLength'] === 1 ? `must be a non-empty string ${got(value)}` : `must be a string of at least ${schema['minLength']} characters ${got(value)}`;
    case T.StringMaxLength:
      return `must be at most ${schema['maxLength']} characters (got ${(value as string).length})`;
    case T.StringPattern:
      return `${JSON.stringify(value)} ${reasons?.pattern ?? `does not match ${schema['pattern']}`}`;
    case T.StringFormat: {
      const format = FORMATS[schema['format'] as string];
      return format ? format.reason(value as string) : `${JSON.stringify(value)} is not a valid ${schema['format']}`;
    }
    case T.Number:
      return `must be a number ${got(value)}`;
    case T.Integer:
      return typeof value === 'number' ? `must be a whole number (got ${value})` : `must be a number ${got(value)}`;
    case T.NumberMinimum:
    case T.NumberMaximum:
    case T.IntegerMinimum:
    case T.IntegerMaximum:
      return `must be ${range(schema['minimum'], schema['maximum'])} (got ${value})`;
    case T.Boolean:
      return `must be true or false ${got(value)}`;
    case T.Array:
      return `must be an array ${got(value)}`;
    case T.ArrayMinItems:
    case T.ArrayMaxItems:
      return schema['minItems'] === schema['maxItems']
        ? `must list exactly ${schema['minItems']} items (got ${(value as unknown[]).length})`
        : `must list ${range(schema['minItems'], schema['maxItems'])} items (got ${(value as unknown[]).length})`;
    case T.Object:
      return `must be an object ${got(value)}`;
    case T.ObjectMinProperties:
      return `must have at least ${schema['minProperties']} entries`;
    case T.Literal:
      return `must be ${JSON.stringify(schema['const'])} ${got(value)}`;
    default:
      return `${e.message.toLowerCase()} ${got(value)}`;
  }
}

/** Every path of `document` in document order (pre-order), keyed as issue paths are. */
function documentOrder(document: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const walk = (value: unknown, path: string): void => {
    if (!order.has(path)) order.set(path, order.size);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, at(path, i)));
    else if (objectOf(value)) for (const [k, v] of Object.entries(value as JsonObject)) walk(v, at(path, k));
  };
  walk(document, '');
  return order;
}
