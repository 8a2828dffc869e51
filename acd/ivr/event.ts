/**
 * IVR steps as contract events: each step of the engine is one `call.ivr` event. The
 * ACD core (core/acd.ts) emits every IVR step through this function.
 */
import type { EventOf } from '../../schemas/events.ts';
import type { IvrStep } from './engine.ts';

/** Envelope fields the caller owns: the event id (unique per source), the time and the site. */
export interface IvrEventEnvelope {
  id: string;
  /** epoch ms or ISO-8601 with offset */
  ts: number | string;
  call: string;
  site?: string;
}

/** The `call.ivr` event for one engine step. */
export function ivrStepEvent(step: IvrStep, envelope: IvrEventEnvelope): EventOf<'call.ivr'> {
  return {
    id: envelope.id,
    type: 'call.ivr',
    ts: envelope.ts,
    ...(envelope.site === undefined ? {} : { site: envelope.site }),
    call: envelope.call,
    node: step.node,
    ...(step.input === undefined ? {} : { input: step.input }),
  };
}
