/**
 * IVR flows as data: `parseIvrFlow` turns untrusted JSON into a checked `IvrFlow`
 * (node types in nodes.ts) or throws an `IvrFlowError` naming every bad path.
 *
 * The file format (snake_case JSON) is the TypeBox schema in ../schemas/ivr-flow.ts,
 * published as acd/schemas/ivr-flow.schema.json. A flow is read in three steps: the
 * schema (every field's type, range and pattern), the checks a schema cannot express
 * (digits ranges, reserved variables, overlapping opening hours), then, on a flow
 * that passed both, the whole-graph checks of flow-graph.ts.
 */
import { at, compile, ConfigError, Issues, objectOf, type ConfigIssue } from '../schemas/check.ts';
import { IvrFlowSchema, type IvrFlowJson, type IvrNodeJson } from '../schemas/ivr-flow.ts';
import { checkFlowGraph } from './flow-graph.ts';
import { businessHoursFrom, checkBusinessHours } from './hours.ts';
import type { IvrFlow, IvrNode, NodeBase } from './nodes.ts';
import { CALLER_VAR } from './template.ts';

/** One problem in a flow document: where (`nodes.main.options.3`) and why. */
export type IvrFlowIssue = ConfigIssue;

/** Thrown by `parseIvrFlow`; `issues` lists every problem, the message names each path and reason. */
export class IvrFlowError extends ConfigError {
  constructor(issues: readonly IvrFlowIssue[]) {
    super(issues, 'IVR flow');
    this.name = 'IvrFlowError';
  }
}

export type {
  CallbackNode,
  DigitsNode,
  HangupNode,
  HoursNode,
  IvrFlow,
  IvrNode,
  IvrNodeType,
  LookupNode,
  MenuNode,
  NodeBase,
  PlayNode,
  QueueNode,
  TransferNode,
  VoicemailNode,
} from './nodes.ts';

const check = compile(IvrFlowSchema);

/**
 * Checks and converts a flow document (already JSON-parsed).
 * @throws IvrFlowError listing every problem as `path: reason`, e.g.
 *   `nodes.main.options.3: target "billng" is not a node (did you mean "billing"?)`
 */
export function parseIvrFlow(json: unknown): IvrFlow {
  const issues = new Issues('(flow)');
  issues.schema(check, json);
  checkNodes(json, issues);
  issues.sortBy(json);
  issues.throwIfAny((list) => new IvrFlowError(list));

  const doc = json as IvrFlowJson;
  const nodes = new Map<string, IvrNode>(Object.entries(doc.nodes).map(([id, node]) => [id, nodeFrom(id, node)]));
  const flow: IvrFlow = { name: doc.name, start: doc.start, nodes, ...(doc.description ? { description: doc.description } : {}) };
  checkFlowGraph(flow, issues);
  issues.throwIfAny((list) => new IvrFlowError(list));
  return flow;
}

/** Node checks beyond the schema; `json` need not be valid. */
function checkNodes(json: unknown, issues: Issues): void {
  for (const [id, value] of Object.entries(objectOf(objectOf(json)?.['nodes']) ?? {})) {
    const node = objectOf(value);
    if (!node) continue;
    const path = at('nodes', id);
    const { type, min_digits: min = 1, max_digits: max } = node;
    if (type === 'digits' && typeof min === 'number' && typeof max === 'number' && min > max) {
      issues.add(at(path, 'min_digits'), `must not exceed max_digits (${min} > ${max})`);
    }
    const store = node['store'] ?? (type === 'lookup' ? node['kind'] : undefined);
    if ((type === 'digits' || type === 'lookup') && store === CALLER_VAR) issues.add(at(path, 'store'), `"${CALLER_VAR}" is reserved for the calling number`);
    if (type === 'hours') checkBusinessHours(node, path, issues);
  }
}

/** The checked node of a valid node document, with its defaults. */
function nodeFrom(id: string, n: IvrNodeJson): IvrNode {
  const base: NodeBase = { id, ...optional('description', n.description) };
  switch (n.type) {
    case 'menu':
      return {
        ...base, type: n.type, ...optional('prompt', n.prompt),
        promptS: n.prompt_s ?? 0,
        options: n.options,
        timeoutS: n.timeout_s ?? 5,
        retries: n.retries ?? 2,
        fallback: n.fallback,
      };
    case 'digits':
      return {
        ...base, type: n.type, ...optional('prompt', n.prompt),
        promptS: n.prompt_s ?? 0,
        minDigits: n.min_digits ?? 1,
        maxDigits: n.max_digits,
        store: n.store,
        timeoutS: n.timeout_s ?? 10,
        retries: n.retries ?? 2,
        fallback: n.fallback,
        next: n.next,
      };
    case 'play':
      return { ...base, type: n.type, ...optional('prompt', n.prompt), durationS: n.duration_s, next: n.next };
    case 'hours':
      return { ...base, type: n.type, hours: businessHoursFrom(n), open: n.open, closed: n.closed };
    case 'lookup':
      return { ...base, type: n.type, kind: n.kind, key: n.key, store: n.store ?? n.kind, next: n.next, ...optional('notFound', n.not_found) };
    case 'queue':
      return { ...base, type: n.type, queue: n.queue, priority: n.priority ?? 0, afterHours: n.after_hours ?? false };
    case 'voicemail':
      return { ...base, type: n.type, ...optional('box', n.box) };
    case 'callback':
      return { ...base, type: n.type, queue: n.queue };
    case 'transfer':
      return { ...base, type: n.type, to: n.to, toKind: n.to.startsWith('site:') ? 'site' : n.to.startsWith('flow:') ? 'flow' : 'number' };
    case 'hangup':
      return { ...base, type: n.type };
  }
}

/** `{ key: value }` when value is set, `{}` otherwise: keeps absent optional fields absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
