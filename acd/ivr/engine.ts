/**
 * The IVR engine, pure: (flow, state, input, clock reading) → (new state, steps, next action).
 * It keeps no timers and reads no clock, so the ACD drives it in real time or in
 * simulated time alike: it waits `timeoutS` / `durationS` itself and calls back.
 * Each step is one `call.ivr` event (see event.ts).
 */
import type { DigitsNode, IvrFlow, IvrNode, MenuNode } from './nodes.ts';
import { isOpenAt } from './hours.ts';
import { CALLER_VAR, placeholders, renderPrompt } from './template.ts';

/** Answers lookup nodes: `kind` is the node's kind (`balance`, `bill`, `outage`, …). An empty answer means "nothing found". */
export interface IvrDataSource {
  lookup(kind: string, key: string): string;
}

/** Where a call stands in its flow. Treat as immutable: every engine call returns a new one. */
export interface IvrCallState {
  readonly call: string;
  readonly from?: string;
  /** the node the call is at: a menu/digits/play node it waits on, or the terminal node once `done` */
  readonly node: string;
  /** failed tries (timeouts, invalid keys) at the current menu or digits node */
  readonly attempts: number;
  /** call variables: `caller`, collected digits, lookup answers */
  readonly vars: Readonly<Record<string, string>>;
  /** result of the last business-hours node passed; undefined if none was */
  readonly open?: boolean;
  /** true once the call left the IVR (queue, voicemail, callback, transfer, hang-up) */
  readonly done: boolean;
  /** true once a lookup node asked the data source (with a key); the answer may have been "nothing found" */
  readonly lookedUp?: boolean;
  /**
   * true once self-service gave the caller information: after a lookup, a play node whose
   * prompt reads call variables ("Your balance is {balance}", "No outage at {area}")
   * played to its end. A caller who hangs up after that was served, not lost.
   */
  readonly served?: boolean;
}

/** One IVR step, the payload of a `call.ivr` event. `input` is set when the caller pressed keys. */
export interface IvrStep {
  node: string;
  input?: string;
}

/** What the caller's side must do next. */
export type IvrNext =
  /**
   * Play the prompt and wait for keys. `timeoutS` counts from now and covers the prompt
   * (`promptS`) plus the silence allowed after it; when it passes, call `ivrInput(…, null)`.
   * `options` are the menu's keys; a digits node has none and sets `digits` instead.
   */
  | { kind: 'wait_input'; node: string; timeoutS: number; options: string[]; promptS: number; prompt?: string; digits?: { min: number; max: number } }
  /** The caller listens for `durationS`; then call `ivrPlayed`. */
  | { kind: 'play'; node: string; durationS: number; prompt?: string }
  | { kind: 'queue'; queue: string; priority: number }
  | { kind: 'voicemail'; box?: string }
  | { kind: 'callback'; queue: string }
  | { kind: 'transfer'; to: string; toKind: 'number' | 'site' | 'flow' }
  | { kind: 'hangup' };

export interface IvrOutcome {
  state: IvrCallState;
  /** steps taken by this call of the engine, in order, all at `ctx.now` */
  steps: IvrStep[];
  next: IvrNext;
}

export interface IvrStartContext {
  /** epoch ms of the (simulated) clock */
  now: number;
  call: string;
  /** calling number, readable in the flow as variable `caller` */
  from?: string;
  /** start at this node instead of the flow's start (a caller coming back from an agent) */
  node?: string;
}

/** Context of later calls: only `now` is read; the rest is accepted so one context object fits every call. */
export type IvrContext = Pick<IvrStartContext, 'now'> & Partial<IvrStartContext>;

/** Misuse of the engine by its caller (input while playing, a finished call, an unknown node). */
export class IvrStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IvrStateError';
  }
}

const MAX_INPUT_CHARS = 64;

/** Runs a new call from the flow's start (or `ctx.node`) to the first point where it must wait or leaves the IVR. */
export function ivrStart(flow: IvrFlow, ctx: IvrStartContext, data: IvrDataSource): IvrOutcome {
  const state: IvrCallState = {
    call: ctx.call,
    ...(ctx.from === undefined ? {} : { from: ctx.from }),
    node: ctx.node ?? flow.start,
    attempts: 0,
    vars: ctx.from ? { [CALLER_VAR]: ctx.from } : {},
    done: false,
  };
  return enter(flow, state, ctx.node ?? flow.start, ctx, data, []);
}

/** The caller pressed `input` (one menu key, or the digits collected, `#` optional) or timed out (`null`). */
export function ivrInput(flow: IvrFlow, state: IvrCallState, input: string | null, ctx: IvrContext, data: IvrDataSource): IvrOutcome {
  const node = current(flow, state, 'ivrInput');
  if (node.type !== 'menu' && node.type !== 'digits') {
    throw new IvrStateError(`call ${state.call}: ivrInput at ${node.type} node "${node.id}", which takes no input`);
  }
  const steps: IvrStep[] = input === null ? [] : [{ node: node.id, input: input.slice(0, MAX_INPUT_CHARS) }];
  const accepted = input === null ? undefined : accept(node, input, state.vars);
  if (accepted) return enter(flow, { ...state, vars: accepted.vars }, accepted.target, ctx, data, steps);

  const attempts = state.attempts + 1;
  if (attempts > node.retries) return enter(flow, state, node.fallback, ctx, data, steps);
  steps.push({ node: node.id });
  return { state: { ...state, attempts }, steps, next: waitInput(node, state.vars) };
}

/** The prompt of the current play node has finished. */
export function ivrPlayed(flow: IvrFlow, state: IvrCallState, ctx: IvrContext, data: IvrDataSource): IvrOutcome {
  const node = current(flow, state, 'ivrPlayed');
  if (node.type !== 'play') {
    throw new IvrStateError(`call ${state.call}: ivrPlayed at ${node.type} node "${node.id}", which plays nothing`);
  }
  const informed = state.served !== true && state.lookedUp === true && node.prompt !== undefined && placeholders(node.prompt).length > 0;
  return enter(flow, informed ? { ...state, served: true } : state, node.next, ctx, data, []);
}

function current(flow: IvrFlow, state: IvrCallState, fn: string): IvrNode {
  if (state.done) throw new IvrStateError(`call ${state.call}: ${fn} after the call left the IVR at "${state.node}"`);
  return nodeOf(flow, state.node);
}

function nodeOf(flow: IvrFlow, id: string): IvrNode {
  const node = flow.nodes.get(id);
  if (!node) throw new IvrStateError(`flow ${flow.name}: no node "${id}"`);
  return node;
}

/** Target and variables after a valid input, or undefined when the input is not one the node accepts. */
function accept(node: MenuNode | DigitsNode, input: string, vars: Readonly<Record<string, string>>) {
  if (node.type === 'menu') {
    const target = Object.hasOwn(node.options, input) ? node.options[input] : undefined;
    return target === undefined ? undefined : { target, vars };
  }
  const digits = input.endsWith('#') ? input.slice(0, -1) : input;
  if (!/^[0-9]+$/.test(digits) || digits.length < node.minDigits || digits.length > node.maxDigits) return undefined;
  return { target: node.next, vars: { ...vars, [node.store]: digits } };
}

/** Walks from `id` through instant nodes until the call must wait or leaves the IVR; one step per node entered. */
function enter(flow: IvrFlow, from: IvrCallState, id: string, ctx: IvrContext, data: IvrDataSource, steps: IvrStep[]): IvrOutcome {
  let vars = from.vars;
  let open = from.open;
  let lookedUp = from.lookedUp === true;
  // parseIvrFlow rejects loops of instant nodes; the bound keeps a hand-built flow from hanging the process.
  for (let hops = 0; hops <= flow.nodes.size; hops++) {
    const node = nodeOf(flow, id);
    steps.push({ node: node.id });
    const state = (done: boolean): IvrCallState => ({
      ...from,
      node: node.id,
      attempts: 0,
      vars,
      ...(open === undefined ? {} : { open }),
      ...(lookedUp ? { lookedUp } : {}),
      done,
    });
    switch (node.type) {
      case 'hours':
        open = isOpenAt(node.hours, ctx.now);
        id = open ? node.open : node.closed;
        continue;
      case 'lookup': {
        const key = vars[node.key] ?? '';
        const answer = key === '' ? '' : data.lookup(node.kind, key);
        if (key !== '') lookedUp = true;
        vars = withVar(vars, node.store, answer);
        id = answer === '' ? (node.notFound ?? node.next) : node.next;
        continue;
      }
      case 'menu':
      case 'digits':
        return { state: state(false), steps, next: waitInput(node, vars) };
      case 'play':
        return { state: state(false), steps, next: { kind: 'play', node: node.id, durationS: node.durationS, ...prompt(node.prompt, vars) } };
      case 'queue':
        return { state: state(true), steps, next: { kind: 'queue', queue: node.queue, priority: node.priority } };
      case 'voicemail':
        return { state: state(true), steps, next: { kind: 'voicemail', ...(node.box === undefined ? {} : { box: node.box }) } };
      case 'callback':
        return { state: state(true), steps, next: { kind: 'callback', queue: node.queue } };
      case 'transfer':
        return { state: state(true), steps, next: { kind: 'transfer', to: node.to, toKind: node.toKind } };
      case 'hangup':
        return { state: state(true), steps, next: { kind: 'hangup' } };
    }
  }
  throw new IvrStateError(`flow ${flow.name}: call ${from.call} loops through lookup/hours nodes without waiting`);
}

function waitInput(node: MenuNode | DigitsNode, vars: Readonly<Record<string, string>>): IvrNext {
  return {
    kind: 'wait_input',
    node: node.id,
    timeoutS: node.promptS + node.timeoutS,
    options: node.type === 'menu' ? Object.keys(node.options) : [],
    promptS: node.promptS,
    ...prompt(node.prompt, vars),
    ...(node.type === 'digits' ? { digits: { min: node.minDigits, max: node.maxDigits } } : {}),
  };
}

function prompt(template: string | undefined, vars: Readonly<Record<string, string>>): { prompt?: string } {
  return template === undefined ? {} : { prompt: renderPrompt(template, vars) };
}

/** `vars` with `name` set to `value`, or removed when `value` is empty so a stale answer is never replayed. */
function withVar(vars: Readonly<Record<string, string>>, name: string, value: string): Record<string, string> {
  const next = { ...vars };
  if (value === '') delete next[name];
  else next[name] = value;
  return next;
}
