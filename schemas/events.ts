/**
 * Event contract v1: the single definition of every event the ingest accepts.
 * TS types, the runtime validator (validate.ts) and the exported JSON Schema
 * files (schemas/json/, written by generate.ts) all come from here.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { EventRejectionCode, IngestRefusal } from './ingest-errors.ts';

/** ISO-8601 date-time with an explicit offset (Z or ±hh:mm), optional fraction. */
export const ISO_TIMESTAMP_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$';

export const AGENT_STATES = ['logged_out', 'available', 'not_ready', 'ringing', 'on_call', 'acw'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

const oneOf = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

/** Fields every event carries. */
export const Envelope = {
  id: Type.String({ minLength: 1, maxLength: 64, description: 'unique per source; the store de-duplicates on it' }),
  ts: Type.Union(
    [
      Type.String({ pattern: ISO_TIMESTAMP_PATTERN, description: 'ISO-8601 with offset' }),
      Type.Integer({ minimum: 0, description: 'epoch milliseconds' }),
    ],
    { description: 'when it happened: ISO-8601 with offset, or epoch milliseconds' },
  ),
  site: Type.Optional(Name('site (contact center) the event belongs to')),
};

const call = Name('call id');
const agent = Name('agent id');
const queue = Name('queue name');

function eventType<K extends string, P extends Record<string, TSchema>>(type: K, description: string, fields: P) {
  return Type.Object(
    { ...Envelope, type: Type.Literal(type), ...fields },
    { $id: type, title: type, description, additionalProperties: true },
  );
}

/** Every event type of contract v1, keyed by its `type`. */
export const EventSchemas = {
  'agent.state': eventType('agent.state', 'an agent changed state', {
    agent,
    state: oneOf(AGENT_STATES, 'the new state'),
    reason: Type.Optional(Name('not_ready reason code, e.g. break or manual_busy')),
    queues: Type.Optional(Type.Array(queue, { description: 'queues the agent serves (on login)' })),
  }),
  'agent.help': eventType('agent.help', 'an agent asks a supervisor for help', {
    agent,
    call: Type.Optional(call),
  }),
  'call.offered': eventType('call.offered', 'a call reached the center', {
    call,
    direction: oneOf(['inbound', 'outbound'] as const, 'call direction'),
    from: Type.Optional(Type.String({ maxLength: 64 })),
    to: Type.Optional(Type.String({ maxLength: 64 })),
  }),
  'call.ivr': eventType('call.ivr', 'a step of the IVR path', {
    call,
    node: Name('IVR node id'),
    input: Type.Optional(Type.String({ maxLength: 64, description: 'DTMF or speech input' })),
  }),
  'call.queued': eventType('call.queued', 'a call entered a queue', {
    call,
    queue,
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  }),
  'call.ringing': eventType('call.ringing', 'a queued call rings an agent', { call, queue, agent }),
  'call.ring_noanswer': eventType('call.ring_noanswer', 'the ringing agent did not answer', { call, queue, agent }),
  'call.answered': eventType('call.answered', 'an agent answered', { call, queue: Type.Optional(queue), agent }),
  'call.hold': eventType('call.hold', 'the agent put the caller on hold', { call, agent }),
  'call.unhold': eventType('call.unhold', 'the agent took the caller off hold', { call, agent }),
  'call.transferred': eventType('call.transferred', 'the agent transferred the call', {
    call,
    agent,
    to_queue: Type.Optional(queue),
    to_agent: Type.Optional(agent),
    kind: oneOf(['blind', 'attended'] as const, 'transfer kind'),
  }),
  'call.overflow': eventType('call.overflow', 'a call moved to another queue or site', {
    call,
    from_queue: queue,
    to_queue: queue,
  }),
  'call.abandoned': eventType('call.abandoned', 'the caller hung up before being answered', {
    call,
    queue: Type.Optional(queue),
    stage: oneOf(['ivr', 'queue', 'ringing'] as const, 'where the caller gave up'),
  }),
  'call.ended': eventType('call.ended', 'the call was released', {
    call,
    by: oneOf(['caller', 'agent', 'system'] as const, 'who released it'),
  }),
  'call.wrapup': eventType('call.wrapup', 'after-call work finished', {
    call,
    agent,
    code: Type.Optional(Name('disposition code')),
  }),
  'call.survey': eventType('call.survey', 'post-call survey answer', {
    call,
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    resolved: Type.Optional(Type.Boolean()),
  }),
} as const;

export type EventSchemaMap = typeof EventSchemas;
export type EventType = keyof EventSchemaMap;
export const EVENT_TYPES = Object.keys(EventSchemas) as EventType[];

/** An event as a client sends it. */
export type CallboardEvent = { [K in EventType]: Static<EventSchemaMap[K]> }[EventType];
/** The event of one type. */
export type EventOf<K extends EventType> = Static<EventSchemaMap[K]>;

/** Wire messages of the WebSocket ingest. */
export interface IngestBatch {
  batch: string;
  events: unknown[];
}
/** One event of a batch that was not stored, by its position in the batch. */
export interface RejectedEvent {
  index: number;
  /** invalid_event: fix the event; id_conflict: its id is already stored with different content */
  code: EventRejectionCode;
  /** the field and the reason (cut to 300 characters) */
  error: string;
  /** the event's id, when it has a readable one */
  id?: string;
}
/** The answer to a stored batch (POST /v1/events answers the same without `ack`). */
export interface IngestAck {
  ack: string;
  /** events newly stored by this batch */
  accepted: number;
  /** events already stored with identical content (resends): acknowledged, not stored again */
  duplicates: number;
  /** events whose source + id is already stored with different content: not stored, also listed in `rejected` */
  conflicts: number;
  /** the first 100 rejections (invalid events and conflicts), by index */
  rejected: RejectedEvent[];
  /** all rejections: accepted + duplicates + rejected_count = events sent */
  rejected_count: number;
}
/**
 * Negative ack: nothing of the batch was stored. `nack` is the batch id when it could be read.
 * Resend only when `retry` is true, after `retry_after` seconds when given (see schemas/ingest-errors.ts).
 */
export interface IngestNack extends IngestRefusal {
  nack: string | null;
}
