/**
 * The scenario file of the ACD simulator (snake_case JSON), as a TypeBox schema: the
 * TypeScript type of a scenario document, the runtime check (sim/scenario.ts) and the
 * published JSON Schema (`scenario.schema.json`, for editors; `npm run schemas:generate`).
 * The meaning of every field is in acd/scenarios/README.md.
 *
 * An `ivr` entry is a flow (ivr-flow.ts) or the path of a flow file: the schema takes
 * the flow's own schema as a parameter, so the published file can point at it while
 * the reader checks each flow with the flow reader (which adds the graph checks).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { WEEKDAYS } from '../time.ts';
import { explained, got } from './check.ts';
import { LocalDate, TimeZone } from './ivr-flow.ts';

const opt = Type.Optional;
const object = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description === undefined ? {} : { description }) });

const NAME_HINT = 'must be 1-64 letters, digits, "_", ".", ":" or "-"';
/** Name of a site, queue, skill or reason code. */
const Name = (description: string) => explained(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description }), { pattern: NAME_HINT });
/** A reference to a queue (checked against `queues` by the reader, with a "did you mean"). */
const QueueRef = (description: string) => Type.String({ description });
const Text = (description: string) => Type.String({ minLength: 1, description });
const Seconds = (description: string, minimum = 0) => Type.Number({ minimum, description });
const Share = (description: string, maximum = 1) => Type.Number({ minimum: 0, maximum, description });
const Priority = (description: string) => Type.Integer({ minimum: 0, maximum: 100, description });
const Clock = (description: string) =>
  explained(Type.String({ pattern: '^([01]?[0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: `${description}, local time "HH:MM"` }), {
    invalid: (v) => `must be a local time "HH:MM" ${got(v)}`,
  });
const Weekday = Type.Union(
  WEEKDAYS.map((d) => Type.Literal(d)),
  { description: 'mon … sun' },
);

const MEAN = Seconds('mean in seconds', 0.001);
/** The variants of a duration distribution, as properties (handle times add their split to them). */
const EXPONENTIAL = { dist: Type.Literal('exponential'), mean_s: MEAN };
const LOGNORMAL = { dist: Type.Literal('lognormal'), mean_s: MEAN, sd_s: Seconds('standard deviation in seconds', 0.001) };
const FIXED = { dist: Type.Literal('fixed'), mean_s: Seconds('the duration in seconds') };
const UNIFORM = { dist: Type.Literal('uniform'), min_s: Seconds('shortest, seconds'), max_s: Seconds('longest, seconds') };
/** A duration distribution: `{"dist": "exponential", "mean_s": 120}`, … */
const Dist = (description: string) => Type.Union([object(EXPONENTIAL), object(LOGNORMAL), object(FIXED), object(UNIFORM)], { description });
/** Patience may also be `{"dist": "infinite"}`: nobody abandons. */
const Patience = Type.Union([object(EXPONENTIAL), object(LOGNORMAL), object(FIXED), object(UNIFORM), object({ dist: Type.Literal('infinite') })], {
  description: "callers' patience in the queue (default infinite)",
});
const HOLD = {
  hold_prob: opt(Share('chance that a call has a hold')),
  hold_share: opt(Share('share of the handle time on hold', 0.9)),
  acw_share: opt(Share('share of the handle time in after-call work', 0.9)),
};
/** Handle time: a distribution of talk + hold + after-call work, and how it splits. */
const HandleTime = (description: string) =>
  Type.Union([object({ ...EXPONENTIAL, ...HOLD }), object({ ...LOGNORMAL, ...HOLD }), object({ ...FIXED, ...HOLD }), object({ ...UNIFORM, ...HOLD })], { description });

const Site = object({
  name: Name('site name'),
  description: opt(Text('what the site is')),
  timezone: opt(explained(TimeZone, { invalid: (v) => `unknown IANA time zone ${JSON.stringify(v)}` })),
  holidays: opt(Type.Array(LocalDate, { description: "local dates on which no shift starts and arrivals run at their Sunday factor" })),
});

const Queue = object({
  name: Name('queue name (not voicemail, callback or closed)'),
  description: opt(Text('what the queue is for')),
  site: opt(Name('site of the queue')),
  service: opt(Name('night-mode counterpart key across sites (default the name)')),
  skills: opt(Type.Array(Name('skill'), { description: 'skills an agent needs (all) to serve the queue' })),
  sl_threshold_s: opt(Seconds('service-level threshold T (default 20)')),
  short_abandon_s: opt(Seconds('short-abandon threshold S (default 5)')),
  strategy: opt(Type.Union([Type.Literal('longest_idle'), Type.Literal('most_skilled'), Type.Literal('round_robin')], { description: 'default longest_idle' })),
  overflow: opt(object({ after_s: Seconds('wait in this queue before the call moves'), to: QueueRef('target queue') })),
  max_wait: opt(
    object({
      after_s: Seconds('wait before the call leaves'),
      action: explained(Type.Union([Type.Literal('callback'), Type.Literal('voicemail')]), { invalid: (v) => `must be callback or voicemail ${got(v)}` }),
      queue: opt(QueueRef('queue of the callback (default this one)')),
    }),
  ),
  handle_time: opt(HandleTime("this queue's handle time (instead of the scenario's)")),
});

const Shift = object(
  {
    start: Clock('sign-in'),
    end: Clock('sign-out (before start: the shift crosses midnight)'),
    days: opt(Type.Array(Weekday, { description: 'working weekdays (default all)' })),
    breaks: opt(
      Type.Array(
        object({
          at: Clock('first agent of the group takes the break'),
          minutes: Type.Number({ minimum: 1, maximum: 600 }),
          reason: opt(Name('not_ready reason (default break)')),
          spread_min: opt(Type.Number({ minimum: 0, maximum: 600, description: "the group's agents take it one after another across this many minutes" })),
        }),
      ),
    ),
    jitter_min: opt(Type.Number({ minimum: 0, maximum: 120, description: 'moves each sign-in, sign-out and break by up to ± this many minutes' })),
  },
  "a weekly shift in local times of the agent's site",
);

const Agent = object({
  id: Text('agent id; with count, a pattern containing {n}'),
  count: opt(Type.Integer({ minimum: 1, maximum: 10_000, description: 'a group of this many agents' })),
  site: opt(Name('site of the agent')),
  skills: opt(
    Type.Record(
      Type.String(),
      explained(Type.Number({ minimum: 1, maximum: 10 }), { invalid: (v) => `proficiency must be a number from 1 to 10 ${got(v)}` }),
      { description: 'skill → proficiency 1-10' },
    ),
  ),
  queues: opt(Type.Array(QueueRef('queue'), { description: "explicit queue list (otherwise every queue of the agent's site whose skills it has)" })),
  shift: opt(Type.Union([Type.String({ description: 'name of a shifts entry' }), Shift])),
});

const Arrival = object({
  queue: opt(QueueRef('target queue (or ivr)')),
  ivr: opt(Type.String({ description: 'target IVR flow (or queue)' })),
  site: opt(Name('entry site: its time zone, holidays and queues')),
  caller_prefix: opt(explained(Type.String({ pattern: '^\\+?[0-9]{1,10}$' }), { pattern: 'must be digits, optionally after "+"' })),
  priority: opt(Priority('queue priority (default 0)')),
  per_hour: explained(
    Type.Union([Type.Number({ minimum: 0 }), Type.Array(Type.Number({ minimum: 0 }), { minItems: 24, maxItems: 24 })], {
      description: 'calls per hour: a number, or 24 numbers (one per local hour)',
    }),
    { invalid: (v) => `must be calls per hour: a number, or 24 numbers (one per local hour) ${got(v)}` },
  ),
  weekday_factor: opt(
    explained(
      Type.Object(
        Object.fromEntries(WEEKDAYS.map((d) => [d, opt(explained(Type.Number({ minimum: 0 }), { invalid: (v) => `must be a factor of at least 0 ${got(v)}` }))])),
        { additionalProperties: false, description: 'multiplier per weekday (default 1)' },
      ),
      { unknownKey: () => `not a weekday (use ${WEEKDAYS.join(', ')})` },
    ),
  ),
});

const Weight = explained(Type.Number({ minimum: 0 }), { invalid: (v) => `weight must be a number of at least 0 ${got(v)}` });

/** The scenario document; `flow` is the schema of an `ivr` entry. */
export function scenarioSchema<F extends TSchema>(flow: F) {
  return Type.Object(
    {
      $schema: opt(Type.String({ description: 'this JSON Schema, for editors' })),
      name: opt(Text('scenario name (default "scenario")')),
      description: opt(Text('what the scenario simulates')),
      seed: opt(
        explained(Type.Union([Type.Number(), Type.String({ minLength: 1 })], { description: 'random seed (default 1)' }), {
          invalid: (v) => `must be a number or a string ${got(v)}`,
        }),
      ),
      duration_s: opt(Seconds('simulated length (default: the command line decides)', 1)),
      start: opt(Type.String({ format: 'date-time', description: 'simulated start, ISO-8601' })),
      timezone: opt(explained(TimeZone, { invalid: (v) => `unknown IANA time zone ${JSON.stringify(v)}` })),
      sites: opt(Type.Array(Site)),
      night_mode: opt(object({ site: Name('the night site'), from: Clock('start'), to: Clock('end') }, "calls for other sites' queues go to this site's")),
      queues: explained(Type.Array(Queue, { minItems: 1 }), { tooFew: 'must list at least one queue' }),
      shifts: opt(Type.Record(Type.String(), Shift, { description: 'shift name → shift' })),
      agents: explained(Type.Array(Agent, { minItems: 1 }), { tooFew: 'must list at least one agent' }),
      arrivals: Type.Array(Arrival, { description: 'Poisson call streams' }),
      handle_time: opt(HandleTime('talk + hold + after-call work (default fixed 180 s)')),
      patience: opt(Patience),
      routing: opt(
        object({
          ring_timeout_s: opt(Seconds('ring-no-answer after this long (without it calls connect at once)', 1)),
          answer_delay: opt(Dist('ringing until the agent answers (default fixed 3 s)')),
          no_answer_prob: opt(Share('chance that the agent does not answer')),
          rna_recover: opt(Dist('not_ready after a ring-no-answer (default exponential 60 s)')),
          acw_timeout_s: opt(Seconds('after-call work ends after at most this long (default 300 with acw_share)', 1)),
          callback_delay_s: opt(Seconds('callback request → call (default 900)')),
          callback_priority: opt(Priority('priority of callback calls (default 0)')),
        }),
      ),
      ivr: opt(Type.Record(Type.String(), flow, { description: 'flow name → flow, or the path of a flow file relative to this file' })),
      ivr_behavior: opt(
        object({
          think: opt(Dist("callers' time to press keys after a prompt (default exponential 2 s)")),
          choices: opt(
            Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Weight)), {
              description: 'flow → menu or digits node → key, "digits", "timeout" or "hangup" → weight',
            }),
          ),
        }),
      ),
      callers: opt(
        object({
          prefix: opt(explained(Type.String({ pattern: '^\\+?[0-9]{1,10}$' }), { pattern: 'must be digits, optionally after "+"' })),
          pool: opt(Type.Integer({ minimum: 1, maximum: 1e9, description: 'distinct calling numbers' })),
        }),
      ),
      surveys: opt(
        object({
          prob: Share('chance of a survey after a conversation'),
          delay_s: opt(Seconds('after the call (default 20)')),
          score_weights: opt(
            explained(Type.Array(Type.Number({ minimum: 0 }), { minItems: 5, maxItems: 5 }), {
              invalid: () => 'must be 5 weights (for scores 1-5), at least one above 0',
            }),
          ),
          resolved_prob: opt(Share('chance a happy caller calls the problem resolved (default 0.8)')),
        }),
      ),
      agent_behavior: opt(
        object({
          hangup_share: opt(Share('calls the agent releases')),
          help_prob: opt(Share('chance of a help request per call')),
          manual_busy: opt(object({ per_hour: Seconds('times per hour signed in'), duration: opt(Dist('default exponential 120 s')) })),
          transfer: opt(
            object({
              prob: Share('chance of a transfer per call'),
              attended_share: opt(Share('share of attended transfers (default 0.3)')),
              consult: opt(Dist('consultation of an attended transfer (default exponential 30 s)')),
              targets: opt(
                Type.Record(
                  Type.String(),
                  explained(Type.Array(QueueRef('target queue'), { minItems: 1 }), { tooFew: 'must list at least one target queue' }),
                  { description: 'source queue → target queues' },
                ),
              ),
            }),
          ),
        }),
      ),
    },
    { additionalProperties: false, title: 'callboard ACD scenario', description: 'A scenario of the callboard ACD simulator (acd/sim/scenario.ts).' },
  );
}

/** The scenario as the reader checks it: flows are checked by the flow reader. */
export const ScenarioSchema = scenarioSchema(Type.Unknown());
export type ScenarioJson = Static<typeof ScenarioSchema>;
export type DistJson = NonNullable<ScenarioJson['patience']>;
export type HandleTimeJson = NonNullable<ScenarioJson['handle_time']>;
export type ShiftJson = NonNullable<ScenarioJson['shifts']>[string];
