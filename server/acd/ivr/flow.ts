/**
 * IVR flows as data: the node types, and `parseIvrFlow`, which turns untrusted
 * JSON into a checked `IvrFlow` or throws an `IvrFlowError` naming every bad path.
 *
 * JSON shape (field names snake_case, like the scenario files):
 * ```json
 * { "name": "utility", "start": "welcome",
 *   "nodes": { "welcome": { "type": "play", "prompt": "Welcome.", "duration_s": 3, "next": "main" },
 *              "main": { "type": "menu", "prompt": "...", "prompt_s": 8,
 *                        "options": { "1": "billing", "0": "agent" },
 *                        "timeout_s": 5, "retries": 2, "fallback": "agent" }, … } }
 * ```
 */
import { parseBusinessHours, type BusinessHours } from './hours.ts';
import { checkFlowGraph } from './flow-graph.ts';
import { at, describe, IvrFlowError, Issues, type JsonObject } from './issues.ts';
import { CALLER_VAR } from './template.ts';

export { IvrFlowError, type IvrFlowIssue } from './issues.ts';

interface NodeBase {
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

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const DTMF_KEY = /^[0-9*#]$/;
const TRANSFER_TO = /^(\+?[0-9]{2,20}|site:[A-Za-z0-9_.-]{1,64}|flow:[A-Za-z0-9_.-]{1,64})$/;
const NAME = /^.{1,128}$/s;

const COMMON = ['type', 'description'];
const INPUT_FIELDS = ['prompt', 'prompt_s', 'timeout_s', 'retries', 'fallback'];
const FIELDS: Record<IvrNodeType, readonly string[]> = {
  menu: [...COMMON, ...INPUT_FIELDS, 'options'],
  digits: [...COMMON, ...INPUT_FIELDS, 'min_digits', 'max_digits', 'store', 'next'],
  play: [...COMMON, 'prompt', 'duration_s', 'next'],
  hours: [...COMMON, 'timezone', 'weekly', 'holidays', 'open', 'closed'],
  lookup: [...COMMON, 'kind', 'key', 'store', 'next', 'not_found'],
  queue: [...COMMON, 'queue', 'priority', 'after_hours'],
  voicemail: [...COMMON, 'box'],
  callback: [...COMMON, 'queue'],
  transfer: [...COMMON, 'to'],
  hangup: [...COMMON],
};
const NODE_TYPES = Object.keys(FIELDS) as IvrNodeType[];

/**
 * Checks and converts a flow document (already JSON-parsed).
 * @throws IvrFlowError listing every problem as `path: reason`, e.g.
 *   `nodes.main.options.3: target "billng" is not a node (did you mean "billing"?)`
 */
export function parseIvrFlow(json: unknown): IvrFlow {
  const issues = new Issues();
  const root = issues.object(json, '');
  if (!root) throw new IvrFlowError(issues.list);
  issues.onlyKeys(root, '', ['$schema', 'name', 'description', 'start', 'nodes']);
  const name = issues.string(root, 'name', '', { pattern: NAME, hint: 'must be at most 128 characters' });
  const description = issues.string(root, 'description', '', { optional: true });
  const start = issues.string(root, 'start', '');

  const nodes = new Map<string, IvrNode>();
  const nodesJson = root['nodes'] === undefined ? undefined : issues.object(root['nodes'], 'nodes');
  if (root['nodes'] === undefined) issues.add('nodes', 'is required');
  if (nodesJson) {
    if (Object.keys(nodesJson).length === 0) issues.add('nodes', 'must contain at least one node');
    for (const [id, value] of Object.entries(nodesJson)) {
      const path = at('nodes', id);
      if (!NODE_ID.test(id)) {
        issues.add(path, 'node ids are 1-64 letters, digits, "_" or "-"');
        continue;
      }
      const node = parseNode(id, value, path, issues);
      if (node) nodes.set(id, node);
    }
  }
  issues.throwIfAny();

  const flow: IvrFlow = { name: name ?? '', start: start ?? '', nodes, ...(description ? { description } : {}) };
  checkFlowGraph(flow, issues);
  issues.throwIfAny();
  return flow;
}

function parseNode(id: string, value: unknown, path: string, issues: Issues): IvrNode | undefined {
  const obj = issues.object(value, path);
  if (!obj) return undefined;
  const type = obj['type'];
  if (typeof type !== 'string' || !(NODE_TYPES as string[]).includes(type)) {
    issues.add(at(path, 'type'), `must be one of ${NODE_TYPES.join(', ')} (got ${describe(type)})`);
    return undefined;
  }
  const nodeType = type as IvrNodeType;
  issues.onlyKeys(obj, path, FIELDS[nodeType]);
  const before = issues.list.length;
  const base: NodeBase = { id, ...optional('description', issues.string(obj, 'description', path, { optional: true })) };
  const target = (key: string) => issues.string(obj, key, path) ?? '';
  const node = parseByType(nodeType, obj, path, issues, base, target);
  return issues.list.length > before ? undefined : node;
}

function parseByType(
  type: IvrNodeType,
  obj: JsonObject,
  path: string,
  issues: Issues,
  base: NodeBase,
  target: (key: string) => string,
): IvrNode | undefined {
  const prompt = () => optional('prompt', issues.string(obj, 'prompt', path, { optional: true }));
  const seconds = (key: string, fallback: number, min = 0) =>
    issues.number(obj, key, path, { optional: true, min, max: 3600 }) ?? fallback;
  const retries = () => issues.number(obj, 'retries', path, { optional: true, min: 0, max: 10, integer: true }) ?? 2;
  const varName = (key: string, fallback?: string) =>
    issues.string(obj, key, path, { optional: fallback !== undefined, pattern: VAR_NAME, hint: 'is not a variable name (letters, digits, "_")' }) ?? fallback ?? '';

  switch (type) {
    case 'menu':
      return {
        ...base, type, ...prompt(),
        promptS: seconds('prompt_s', 0),
        options: parseOptions(obj, path, issues),
        timeoutS: seconds('timeout_s', 5, 0.1),
        retries: retries(),
        fallback: target('fallback'),
      };
    case 'digits': {
      const maxDigits = issues.number(obj, 'max_digits', path, { min: 1, max: 32, integer: true }) ?? 1;
      const minDigits = issues.number(obj, 'min_digits', path, { optional: true, min: 1, max: 32, integer: true }) ?? 1;
      if (minDigits > maxDigits) issues.add(at(path, 'min_digits'), `must not exceed max_digits (${minDigits} > ${maxDigits})`);
      const store = varName('store');
      if (store === CALLER_VAR) issues.add(at(path, 'store'), `"${CALLER_VAR}" is reserved for the calling number`);
      return {
        ...base, type, ...prompt(),
        promptS: seconds('prompt_s', 0),
        minDigits, maxDigits, store,
        timeoutS: seconds('timeout_s', 10, 0.1),
        retries: retries(),
        fallback: target('fallback'),
        next: target('next'),
      };
    }
    case 'play':
      return { ...base, type, ...prompt(), durationS: issues.number(obj, 'duration_s', path, { min: 0, max: 3600 }) ?? 0, next: target('next') };
    case 'hours': {
      const hours = parseBusinessHours(obj, path, issues);
      const open = target('open');
      const closed = target('closed');
      return hours && { ...base, type, hours, open, closed };
    }
    case 'lookup': {
      const kind = issues.string(obj, 'kind', path, { pattern: VAR_NAME, hint: 'is not a lookup kind (letters, digits, "_")' }) ?? '';
      const store = varName('store', kind);
      if (store === CALLER_VAR) issues.add(at(path, 'store'), `"${CALLER_VAR}" is reserved for the calling number`);
      const notFound = issues.string(obj, 'not_found', path, { optional: true });
      return { ...base, type, kind, key: varName('key'), store, next: target('next'), ...optional('notFound', notFound) };
    }
    case 'queue':
      return {
        ...base, type,
        queue: issues.string(obj, 'queue', path, { pattern: NAME, hint: 'must be at most 128 characters' }) ?? '',
        priority: issues.number(obj, 'priority', path, { optional: true, min: 0, max: 100, integer: true }) ?? 0,
        afterHours: issues.boolean(obj, 'after_hours', path) ?? false,
      };
    case 'voicemail':
      return { ...base, type, ...optional('box', issues.string(obj, 'box', path, { optional: true, pattern: NAME, hint: 'must be at most 128 characters' })) };
    case 'callback':
      return { ...base, type, queue: issues.string(obj, 'queue', path, { pattern: NAME, hint: 'must be at most 128 characters' }) ?? '' };
    case 'transfer': {
      const to = issues.string(obj, 'to', path, {
        pattern: TRANSFER_TO,
        hint: 'must be a phone number ("+4930123456"), "site:NAME" or "flow:NAME"',
      }) ?? '';
      const toKind = to.startsWith('site:') ? 'site' : to.startsWith('flow:') ? 'flow' : 'number';
      return { ...base, type, to, toKind };
    }
    case 'hangup':
      return { ...base, type };
  }
}

function parseOptions(obj: JsonObject, path: string, issues: Issues): Record<string, string> {
  const p = at(path, 'options');
  if (obj['options'] === undefined) {
    issues.add(p, 'is required');
    return {};
  }
  const json = issues.object(obj['options'], p);
  const options: Record<string, string> = {};
  if (!json) return options;
  if (Object.keys(json).length === 0) issues.add(p, 'must offer at least one key');
  for (const [key, value] of Object.entries(json)) {
    if (!DTMF_KEY.test(key)) {
      issues.add(at(p, key), 'is not a DTMF key (0-9, *, #)');
    } else if (typeof value !== 'string' || value === '') {
      issues.add(at(p, key), `must be the id of the target node (got ${describe(value)})`);
    } else {
      options[key] = value;
    }
  }
  return options;
}

/** `{ key: value }` when value is set, `{}` otherwise: keeps absent optional fields absent under exactOptionalPropertyTypes-style checks. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
