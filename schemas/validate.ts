/**
 * Runtime validation of contract v1 events. One compiled checker per type; the
 * error names the field and the reason so a sender can fix its payload.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { EventSchemas, EVENT_TYPES, type CallboardEvent, type EventType } from './events.ts';

const checkers = new Map<string, TypeCheck<TSchema>>(
  EVENT_TYPES.map((t) => [t, TypeCompiler.Compile(EventSchemas[t] as TSchema)]),
);

/** An accepted event, with the columns the store indexes pulled out. */
export interface NormalizedEvent {
  id: string;
  type: EventType;
  /** epoch milliseconds */
  ts: number;
  site: string;
  call: string;
  agent: string;
  queue: string;
  /** the event exactly as sent (all fields), JSON */
  payload: string;
  event: CallboardEvent;
}

export type ValidationResult = { ok: true; event: NormalizedEvent } | { ok: false; error: string };

/** The earliest `ts` accepted: older timestamps are a sender's bug (seconds sent as ms, unset clocks). */
export const EARLIEST_TS = Date.UTC(2000, 0, 1);
/** Default for MAX_FUTURE_SKEW_MS: how far ahead of the server's clock an event's `ts` may be. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 24 * 3600_000;
/** Largest event, as its JSON (UTF-16 code units). */
export const MAX_EVENT_CHARS = 64 * 1024;
/** Deepest nesting of arrays/objects inside an event (the event itself is depth 1). */
export const MAX_EVENT_DEPTH = 16;

/** Bounds an event must keep; `maxTs` moves with the clock, so take a fresh one per batch. */
export interface ValidationLimits {
  minTs: number;
  maxTs: number;
}

export function limitsAt(now: number, maxFutureSkewMs = DEFAULT_MAX_FUTURE_SKEW_MS): ValidationLimits {
  return { minTs: EARLIEST_TS, maxTs: now + maxFutureSkewMs };
}

/** The latest instant the store's `DateTime64(3)` columns hold (2299-12-31). */
export const LATEST_STORABLE_TS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/**
 * For checking a stream made in simulated time (the ACD's audit, offline feeds), where no
 * server clock applies: the lower bound stays, the upper is the store's.
 */
export const SIMULATED_TIME_LIMITS: ValidationLimits = { minTs: EARLIEST_TS, maxTs: LATEST_STORABLE_TS };

// A lone surrogate cannot be stored as UTF-8: the column would differ from what was sent.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Depth of the deepest nested value under `root`, stopping as soon as it passes `max` (iterative: no stack overflow). */
function depthExceeds(root: object, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(value) ? value : Object.values(value as object);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses the contract's `ts`: epoch milliseconds or ISO-8601 with offset. Returns NaN when invalid. */
export function parseTimestamp(ts: unknown): number {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 ? ts : NaN;
  if (typeof ts !== 'string') return NaN;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? NaN : ms;
}

function fieldName(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '.') || '(event)';
}

function describe(err: ValueError): string {
  const field = fieldName(err.path);
  const schema = err.schema as { anyOf?: { const?: unknown }[]; minLength?: number; maxLength?: number };
  switch (err.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${field}: is required`;
    case ValueErrorType.Union:
      if (schema.anyOf?.every((s) => s.const !== undefined)) {
        return `${field}: must be one of ${schema.anyOf.map((s) => String(s.const)).join(', ')} (got ${JSON.stringify(err.value)})`;
      }
      if (field === 'ts') return 'ts: must be an ISO-8601 timestamp with offset or integer epoch milliseconds';
      return `${field}: ${err.message}`;
    case ValueErrorType.StringMinLength:
      return `${field}: must be at least ${schema.minLength} characters`;
    case ValueErrorType.StringMaxLength:
      return `${field}: must be at most ${schema.maxLength} characters`;
    default:
      return `${field}: ${err.message.toLowerCase()} (got ${JSON.stringify(err.value)?.slice(0, 40)})`;
  }
}

/** The first problem a compiled checker finds in `value`, as `field: reason`. */
export function firstError(checker: TypeCheck<TSchema>, value: unknown): string {
  const first = checker.Errors(value).First();
  return first ? describe(first) : 'invalid value';
}

/** Validates one event and normalizes it for storage. */
export function validateEvent(raw: unknown, limits: ValidationLimits = limitsAt(Date.now())): ValidationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: '(event): must be a JSON object' };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, error: 'type: is required and must be a string' };
  const checker = checkers.get(type);
  if (!checker) return { ok: false, error: `type: unknown event type ${JSON.stringify(type.slice(0, 64))}` };
  for (const value of Object.values(raw)) {
    if (typeof value === 'object' && value !== null && depthExceeds(value, MAX_EVENT_DEPTH - 1)) {
      return { ok: false, error: `(event): nested deeper than ${MAX_EVENT_DEPTH} levels` };
    }
  }
  if (!checker.Check(raw)) return { ok: false, error: firstError(checker, raw) };
  const event = raw as CallboardEvent;
  const ts = parseTimestamp(event.ts);
  if (Number.isNaN(ts)) return { ok: false, error: `ts: not a valid date (got ${JSON.stringify(event.ts)})` };
  if (ts < limits.minTs || ts > limits.maxTs) {
    return {
      ok: false,
      error: `ts: must be from ${new Date(limits.minTs).toISOString()} to ${new Date(limits.maxTs).toISOString()} (server clock + allowed skew), got ${JSON.stringify(event.ts)}`,
    };
  }
  const e = event as { call?: string; agent?: string; queue?: string; from_queue?: string };
  const normalized: NormalizedEvent = {
    id: event.id,
    type: type as EventType,
    ts,
    site: event.site ?? '',
    call: e.call ?? '',
    agent: e.agent ?? '',
    queue: e.queue ?? e.from_queue ?? '',
    payload: JSON.stringify(event),
    event,
  };
  for (const field of ['id', 'site', 'call', 'agent', 'queue'] as const) {
    if (LONE_SURROGATE.test(normalized[field])) {
      const name = field === 'queue' && e.queue === undefined ? 'from_queue' : field;
      return { ok: false, error: `${name}: must be well-formed Unicode (has a lone surrogate)` };
    }
  }
  if (normalized.payload.length > MAX_EVENT_CHARS) {
    return { ok: false, error: `(event): larger than ${MAX_EVENT_CHARS} characters of JSON` };
  }
  return { ok: true, event: normalized };
}

export interface BatchValidation {
  accepted: NormalizedEvent[];
  rejected: { index: number; error: string }[];
}

/** Validates a batch; each rejection carries the event's index in the batch. */
export function validateBatch(events: readonly unknown[], limits: ValidationLimits = limitsAt(Date.now())): BatchValidation {
  const accepted: NormalizedEvent[] = [];
  const rejected: { index: number; error: string }[] = [];
  for (let i = 0; i < events.length; i++) {
    const r = validateEvent(events[i], limits);
    if (r.ok) accepted.push(r.event);
    else rejected.push({ index: i, error: r.error });
  }
  return { accepted, rejected };
}
