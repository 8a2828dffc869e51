/**
 * The IVR flow file (snake_case JSON), as a TypeBox schema: the TypeScript type of a
 * flow document, the runtime check (ivr/flow.ts) and the published JSON Schema
 * (`ivr-flow.schema.json`, for editors; `npm run schemas:generate`).
 *
 * ```json
 * { "name": "utility", "start": "welcome",
 *   "nodes": { "welcome": { "type": "play", "prompt": "Welcome.", "duration_s": 3, "next": "main" },
 *              "main": { "type": "menu", "prompt": "...", "prompt_s": 8,
 *                        "options": { "1": "billing", "0": "agent" },
 *                        "timeout_s": 5, "retries": 2, "fallback": "agent" }, … } }
 * ```
 * What a schema cannot say (targets exist, no loop without the caller, closed hours
 * reach no agent queue, variables are set before they are read) ivr/flow-graph.ts checks.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { WEEKDAYS } from '../time.ts';
import { explained, got, timeRangeProblem } from './check.ts';

const opt = Type.Optional;

const Seconds = (min: number, description: string) => Type.Number({ minimum: min, maximum: 3600, description });
const Text = (description: string) => Type.String({ minLength: 1, description });
const ShortName = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const Target = (description: string) => Type.String({ minLength: 1, description: `${description}: the id of a node of this flow` });
const VarName = (description: string) =>
  explained(Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]{0,31}$', description }), { pattern: 'is not a variable name (letters, digits, "_")' });

/** IANA time zone name, e.g. `Europe/Berlin`. */
export const TimeZone = Type.String({ minLength: 1, format: 'iana-time-zone', description: 'IANA time zone, e.g. "Europe/Berlin"' });
/** A calendar date "YYYY-MM-DD". */
export const LocalDate = Type.String({ format: 'date', description: 'local date "YYYY-MM-DD"' });

const common = <T extends string>(type: T) => ({
  type: Type.Literal(type),
  description: opt(Text('what the node is for (not played)')),
});
const input = {
  prompt: opt(Text('what the caller hears; may read call variables as {name}')),
  prompt_s: opt(Seconds(0, 'length of the prompt in seconds (default 0)')),
  timeout_s: opt(Seconds(0.1, 'silence allowed after the prompt before it counts as a timeout')),
  retries: opt(Type.Integer({ minimum: 0, maximum: 10, description: 'timeouts or invalid keys re-prompt this many times (default 2), then fallback' })),
  fallback: Target('where the call goes when the retries run out'),
};
const node = <T extends string, P extends Record<string, TSchema>>(type: T, description: string, properties: P) =>
  Type.Object({ ...common(type), ...properties }, { additionalProperties: false, description });

const TimeRange = explained(
  Type.String({ pattern: '^\\d{2}:\\d{2}-\\d{2}:\\d{2}$', format: 'time-range', description: 'opening range "HH:MM-HH:MM" ("24:00" ends at midnight)' }),
  { invalid: (v) => (typeof v === 'string' ? timeRangeProblem(v) : `must be a range "HH:MM-HH:MM" ${got(v)}`) },
);

const DayRanges = explained(Type.Array(TimeRange, { description: 'opening ranges of the day; none: closed' }), {
  invalid: (v) => `must be an array of ranges like "08:00-20:00" ${got(v)}`,
});

/** The business-hours fields of an hours node. */
export const BusinessHoursFields = {
  timezone: TimeZone,
  weekly: explained(
    Type.Object(
      { mon: opt(DayRanges), tue: opt(DayRanges), wed: opt(DayRanges), thu: opt(DayRanges), fri: opt(DayRanges), sat: opt(DayRanges), sun: opt(DayRanges) },
      { additionalProperties: false, description: 'opening ranges per local weekday; days left out are closed' },
    ),
    { unknownKey: () => `unknown day (expected ${WEEKDAYS.join(', ')})` },
  ),
  holidays: opt(Type.Array(LocalDate, { description: 'local dates on which the center is closed all day' })),
};
export const BusinessHoursSchema = Type.Object(BusinessHoursFields);
export type BusinessHoursJson = Static<typeof BusinessHoursSchema>;

export const MenuNodeSchema = node('menu', 'Plays a prompt and waits for one DTMF key.', {
  ...input,
  options: explained(
    Type.Record(
      Type.String({ pattern: '^[0-9*#]$' }),
      explained(Type.String({ minLength: 1 }), { invalid: (v) => `must be the id of the target node ${got(v)}` }),
      { minProperties: 1, additionalProperties: false, description: 'DTMF key (0-9, *, #) → id of the target node' },
    ),
    { tooFew: 'must offer at least one key', unknownKey: () => 'is not a DTMF key (0-9, *, #)' },
  ),
});
export const DigitsNodeSchema = node('digits', 'Collects several digits (account number, postal code) into a call variable.', {
  ...input,
  min_digits: opt(Type.Integer({ minimum: 1, maximum: 32, description: 'default 1' })),
  max_digits: Type.Integer({ minimum: 1, maximum: 32 }),
  store: VarName('call variable that receives the digits'),
  next: Target('where the call goes with the digits'),
});
export const PlayNodeSchema = node('play', 'Plays a prompt for duration_s, then goes on.', {
  prompt: input.prompt,
  duration_s: Seconds(0, 'length of the prompt in seconds'),
  next: Target('where the call goes afterwards'),
});
export const HoursNodeSchema = node('hours', 'Branches on business hours at the moment the caller reaches it.', {
  ...BusinessHoursFields,
  open: Target('where the call goes while open'),
  closed: Target('where the call goes while closed (self-service only)'),
});
export const LookupNodeSchema = node('lookup', "Asks the data source for `kind`, keyed by the caller's number or a collected variable.", {
  kind: explained(Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]{0,31}$', description: 'what to look up (balance, bill, outage, …)' }), {
    pattern: 'is not a lookup kind (letters, digits, "_")',
  }),
  key: VarName('"caller" (the calling number) or a variable set by a digits or lookup node'),
  store: opt(VarName('call variable that receives the answer (default: the kind)')),
  next: Target('where the call goes with an answer'),
  not_found: opt(Target('where the call goes without one (default: next)')),
});
export const QueueNodeSchema = node('queue', 'Hands the call to an ACD queue.', {
  queue: ShortName('queue name'),
  priority: opt(Type.Integer({ minimum: 0, maximum: 100, description: 'higher is served first (default 0)' })),
  after_hours: opt(Type.Boolean({ description: 'may be reached from a closed-hours branch (an emergency line)' })),
});
export const VoicemailNodeSchema = node('voicemail', 'The caller leaves a message; the call ends.', { box: opt(ShortName('mailbox')) });
export const CallbackNodeSchema = node('callback', 'Registers a callback request for the queue; the call ends.', { queue: ShortName('queue name') });
export const TransferNodeSchema = node('transfer', 'Transfers to a number, another site or another flow.', {
  to: explained(
    Type.String({
      pattern: '^(\\+?[0-9]{2,20}|site:[A-Za-z0-9_.-]{1,64}|flow:[A-Za-z0-9_.-]{1,64})$',
      description: 'a phone number ("+4930123456"), "site:NAME" or "flow:NAME"',
    }),
    { pattern: 'must be a phone number ("+4930123456"), "site:NAME" or "flow:NAME"' },
  ),
});
export const HangupNodeSchema = node('hangup', 'Ends the call.', {});

export const IvrNodeSchema = Type.Union(
  [MenuNodeSchema, DigitsNodeSchema, PlayNodeSchema, HoursNodeSchema, LookupNodeSchema, QueueNodeSchema, VoicemailNodeSchema, CallbackNodeSchema, TransferNodeSchema, HangupNodeSchema],
  { description: 'a node; "type" selects its fields' },
);
export type IvrNodeJson = Static<typeof IvrNodeSchema>;

export const IvrFlowSchema = Type.Object(
  {
    $schema: opt(Type.String({ description: 'this JSON Schema, for editors' })),
    name: ShortName('flow name'),
    description: opt(Text('what the flow is for')),
    start: Type.String({ minLength: 1, description: 'id of the first node' }),
    nodes: explained(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), IvrNodeSchema, {
        minProperties: 1,
        additionalProperties: false,
        description: 'node id (1-64 letters, digits, "_" or "-") → node',
      }),
      { tooFew: 'must contain at least one node', unknownKey: () => 'node ids are 1-64 letters, digits, "_" or "-"' },
    ),
  },
  { additionalProperties: false, title: 'callboard IVR flow', description: 'An IVR flow of the callboard ACD simulator (acd/ivr/flow.ts).' },
);
export type IvrFlowJson = Static<typeof IvrFlowSchema>;
