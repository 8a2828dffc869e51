/**
 * The checked form of an IVR flow: its node types. Read from a flow file by
 * `parseIvrFlow` (flow.ts); walked by the engine (engine.ts).
 */
import type { BusinessHours } from './hours.ts';

export interface NodeBase {
  id: string;
  description?: string;
}

/** Plays a prompt and waits for one DTMF key; a timeout or an unknown key re-prompts until `retries` run out, then `fallback`. */
export interface MenuNode extends NodeBase {
  type: 'menu';
  prompt?: string;
  promptS: number;
  /** DTMF key (`0`-`9`, `*`, `#`) → target node id */
  options: Readonly<Record<string, string>>;
  /** silence allowed after the prompt before it counts as a timeout */
  timeoutS: number;
  retries: number;
  fallback: string;
}

/** Collects several digits (account number, area code) into call variable `store`, then `next`. */
export interface DigitsNode extends NodeBase {
  type: 'digits';
  prompt?: string;
  promptS: number;
  minDigits: number;
  maxDigits: number;
  store: string;
  timeoutS: number;
  retries: number;
  fallback: string;
  next: string;
}

/** Plays a prompt (which may read call variables, `{balance}`) for `durationS`, then `next`. */
export interface PlayNode extends NodeBase {
  type: 'play';
  prompt?: string;
  durationS: number;
  next: string;
}

/** Branches on business hours at the moment the caller reaches it. */
export interface HoursNode extends NodeBase {
  type: 'hours';
  hours: BusinessHours;
  open: string;
  closed: string;
}

/** Asks the data source for `kind` keyed by the caller's number or a collected variable; stores the answer in `store`. */
export interface LookupNode extends NodeBase {
  type: 'lookup';
  kind: string;
  /** `caller` (the calling number) or the name of a variable stored by a digits or lookup node */
  key: string;
  store: string;
  next: string;
  /** where to go when the key is unknown (no caller id) or the source has no answer; defaults to `next` */
  notFound?: string;
}

/** Hands the call to an ACD queue. */
export interface QueueNode extends NodeBase {
  type: 'queue';
  queue: string;
  /** 0-100, higher is served first */
  priority: number;
  /** allows reaching this queue from a closed-hours branch (e.g. an emergency line) */
  afterHours: boolean;
}

export interface VoicemailNode extends NodeBase {
  type: 'voicemail';
  box?: string;
}

/** Registers a callback request for `queue` and ends the call. */
export interface CallbackNode extends NodeBase {
  type: 'callback';
  queue: string;
}

/** Transfers to an external number (`+4930…`), another site (`site:NAME`) or another flow (`flow:NAME`). */
export interface TransferNode extends NodeBase {
  type: 'transfer';
  to: string;
  toKind: 'number' | 'site' | 'flow';
}

export interface HangupNode extends NodeBase {
  type: 'hangup';
}

export type IvrNode =
  | MenuNode
  | DigitsNode
  | PlayNode
  | HoursNode
  | LookupNode
  | QueueNode
  | VoicemailNode
  | CallbackNode
  | TransferNode
  | HangupNode;

export type IvrNodeType = IvrNode['type'];

/** A checked flow: every target exists, no zero-time loops, closed hours never reach an agent queue. */
export interface IvrFlow {
  name: string;
  description?: string;
  start: string;
  nodes: ReadonlyMap<string, IvrNode>;
}
