/**
 * What the scenario schema cannot say: names are unique, every reference to a site,
 * queue, shift or IVR flow names one that exists (with a "did you mean" hint for a
 * likely typo), and the few rules between fields (a queue does not overflow to
 * itself, a group's id has `{n}`, ringing needs a ring timeout …).
 *
 * These run on the raw document next to the schema check, so one read reports every
 * problem; they look only at values of the right type (the schema reports the rest).
 */
import { FLOW_OUT } from '../core/model.ts';
import type { IvrFlow } from '../ivr/nodes.ts';
import { at, describe, didYouMean, objectOf, type Issues, type JsonObject } from '../schemas/check.ts';
import { parseClock } from '../time.ts';

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const NAME_HINT = 'must be 1-64 letters, digits, "_", ".", ":" or "-"';
/** Queue names the ACD uses as flow-out targets of `call.overflow` (core/model.ts FLOW_OUT). */
const RESERVED_QUEUES: ReadonlySet<string> = new Set(Object.values(FLOW_OUT));

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const entries = (v: unknown): [string, unknown][] => Object.entries(objectOf(v) ?? {});

/** The agent ids of an `agents` entry: `id` itself, or with `count` its pattern with `{n}` = 01, 02, … */
export function expandAgentIds(id: string, count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => id.replace('{n}', String(i + 1).padStart(width, '0')));
}

/** Records every reference and cross-field problem of the scenario document `json`. */
export function checkScenarioReferences(json: unknown, flows: ReadonlyMap<string, IvrFlow>, issues: Issues): void {
  const root = objectOf(json) ?? {};
  const refs = new References(root, flows, issues);
  refs.queues(root);
  refs.agents(root);
  refs.arrivals(root);
  refs.flows();
  refs.ivrChoices(root);
  refs.transfers(root);
  refs.site(objectOf(root['night_mode'])?.['site'], 'night_mode.site');
  const routing = objectOf(root['routing']) ?? {};
  if (routing['ring_timeout_s'] === undefined && (routing['answer_delay'] !== undefined || routing['no_answer_prob'] !== undefined)) {
    issues.add('routing.ring_timeout_s', 'is required with answer_delay or no_answer_prob (without it calls connect at once)');
  }
  for (const [path, dist] of distributions(root)) checkDist(dist, path, issues);
  for (const [name, shift] of entries(root['shifts'])) checkShift(shift, at('shifts', name), issues);
  const weights = objectOf(root['surveys'])?.['score_weights'];
  if (Array.isArray(weights) && weights.length === 5 && weights.every((w) => w === 0)) {
    issues.add('surveys.score_weights', 'must be 5 weights (for scores 1-5), at least one above 0');
  }
}

class References {
  readonly queueNames = new Set<string>();
  readonly siteNames = new Set<string>();

  constructor(
    root: JsonObject,
    private readonly flowsByName: ReadonlyMap<string, IvrFlow>,
    private readonly issues: Issues,
  ) {
    list(root['sites']).forEach((s, i) => {
      const name = str(objectOf(s)?.['name']);
      if (name === undefined) return;
      if (this.siteNames.has(name)) issues.add(at(at('sites', i), 'name'), `site ${JSON.stringify(name)} is defined twice`);
      this.siteNames.add(name);
    });
    list(root['queues']).forEach((q, i) => {
      const name = str(objectOf(q)?.['name']);
      if (name === undefined) return;
      if (this.queueNames.has(name)) issues.add('queues', `queue ${JSON.stringify(name)} is defined twice`);
      this.queueNames.add(name);
      if (RESERVED_QUEUES.has(name)) {
        issues.add(at(at('queues', i), 'name'), `${JSON.stringify(name)} is reserved: max wait and closing report a call leaving its queue as call.overflow to "${name}"`);
      }
    });
  }

  queue(value: unknown, path: string): void {
    if (typeof value === 'string' && !this.queueNames.has(value)) this.issues.add(path, `unknown queue ${describe(value)}${didYouMean(value, this.queueNames)}`);
  }

  site(value: unknown, path: string): void {
    if (typeof value === 'string' && !this.siteNames.has(value)) this.issues.add(path, `unknown site ${JSON.stringify(value)}${didYouMean(value, this.siteNames)}`);
  }

  queues(root: JsonObject): void {
    list(root['queues']).forEach((q, i) => {
      const o = objectOf(q);
      if (!o) return;
      const path = at('queues', i);
      this.site(o['site'], at(path, 'site'));
      const overflow = objectOf(o['overflow']);
      if (overflow) {
        this.queue(overflow['to'], at(path, 'overflow.to'));
        if (typeof overflow['to'] === 'string' && overflow['to'] === o['name']) this.issues.add(at(path, 'overflow.to'), 'a queue cannot overflow to itself');
      }
      this.queue(objectOf(o['max_wait'])?.['queue'], at(path, 'max_wait.queue'));
    });
  }

  agents(root: JsonObject): void {
    const shiftNames = Object.keys(objectOf(root['shifts']) ?? {});
    const ids = new Set<string>();
    list(root['agents']).forEach((a, i) => {
      const o = objectOf(a);
      if (!o) return;
      const path = at('agents', i);
      this.site(o['site'], at(path, 'site'));
      list(o['queues']).forEach((q, k) => this.queue(q, at(at(path, 'queues'), k)));
      if (o['queues'] === undefined && o['skills'] === undefined) this.issues.add(path, 'needs "queues" or "skills"');
      const shift = o['shift'];
      if (typeof shift === 'string' && !shiftNames.includes(shift)) this.issues.add(at(path, 'shift'), `unknown shift ${JSON.stringify(shift)}${didYouMean(shift, shiftNames)}`);
      if (objectOf(shift)) checkShift(shift, at(path, 'shift'), this.issues);
      const id = str(o['id']);
      const count = typeof o['count'] === 'number' && Number.isInteger(o['count']) && o['count'] >= 1 && o['count'] <= 10_000 ? o['count'] : 1;
      if (id === undefined || id === '') return;
      if (count > 1 && !id.includes('{n}')) {
        this.issues.add(at(path, 'id'), 'with "count", the id must contain "{n}" (e.g. "agent-{n}")');
        return;
      }
      for (const agentId of expandAgentIds(id, count)) {
        if (!NAME.test(agentId)) {
          this.issues.add(at(path, 'id'), `${JSON.stringify(agentId)} ${NAME_HINT}`);
          return;
        }
        if (ids.has(agentId)) {
          this.issues.add(at(path, 'id'), `agent ${JSON.stringify(agentId)} is defined twice`);
          return;
        }
        ids.add(agentId);
      }
    });
  }

  arrivals(root: JsonObject): void {
    const rawFlows = objectOf(root['ivr']) ?? {};
    list(root['arrivals']).forEach((a, i) => {
      const o = objectOf(a);
      if (!o) return;
      const path = at('arrivals', i);
      if ((o['queue'] === undefined) === (o['ivr'] === undefined)) this.issues.add(path, 'needs exactly one of "queue" or "ivr"');
      this.queue(o['queue'], at(path, 'queue'));
      const flow = o['ivr'];
      // A flow with problems of its own has been reported under ivr.NAME.
      if (typeof flow === 'string' && !this.flowsByName.has(flow) && !Object.hasOwn(rawFlows, flow)) {
        this.issues.add(at(path, 'ivr'), `unknown IVR flow ${JSON.stringify(flow)} (flows: ${Object.keys(rawFlows).join(', ') || 'none'})`);
      }
      this.site(o['site'], at(path, 'site'));
    });
  }

  /** Queue and callback nodes name queues of the scenario. */
  flows(): void {
    for (const [name, flow] of this.flowsByName) {
      for (const node of flow.nodes.values()) {
        if (node.type === 'queue' || node.type === 'callback') this.queue(node.queue, at(at(at(at('ivr', name), 'nodes'), node.id), 'queue'));
      }
    }
  }

  ivrChoices(root: JsonObject): void {
    const rawFlows = objectOf(root['ivr']) ?? {};
    for (const [flowName, nodes] of entries(objectOf(root['ivr_behavior'])?.['choices'])) {
      const fp = at('ivr_behavior.choices', flowName);
      const flow = this.flowsByName.get(flowName);
      if (!flow) {
        if (!Object.hasOwn(rawFlows, flowName)) this.issues.add(fp, `unknown IVR flow (flows: ${Object.keys(rawFlows).join(', ') || 'none'})`);
        continue;
      }
      for (const [nodeId, weights] of entries(nodes)) {
        const np = at(fp, nodeId);
        const node = flow.nodes.get(nodeId);
        if (!node || (node.type !== 'menu' && node.type !== 'digits')) {
          this.issues.add(np, `not a menu or digits node of flow ${flowName}`);
          continue;
        }
        for (const [input] of entries(weights)) {
          const valid = input === 'timeout' || input === 'hangup' || input === 'digits' || (node.type === 'menu' && Object.hasOwn(node.options, input));
          if (valid) continue;
          this.issues.add(
            at(np, input),
            node.type === 'menu' ? `not an option of the menu (options: ${Object.keys(node.options).join(', ')}, timeout, hangup)` : 'a digits node takes digits, timeout or hangup',
          );
        }
      }
    }
  }

  transfers(root: JsonObject): void {
    const tp = 'agent_behavior.transfer.targets';
    for (const [from, to] of entries(objectOf(objectOf(root['agent_behavior'])?.['transfer'])?.['targets'])) {
      this.queue(from, at(tp, from));
      list(to).forEach((q, k) => this.queue(q, at(at(tp, from), k)));
    }
  }
}

/** Every duration distribution of the document (handle times included), with its path. */
function distributions(root: JsonObject): [string, unknown][] {
  const routing = objectOf(root['routing']);
  const behavior = objectOf(root['agent_behavior']);
  return [
    ['handle_time', root['handle_time']],
    ...list(root['queues']).map((q, i): [string, unknown] => [at(at('queues', i), 'handle_time'), objectOf(q)?.['handle_time']]),
    ['patience', root['patience']],
    ['routing.answer_delay', routing?.['answer_delay']],
    ['routing.rna_recover', routing?.['rna_recover']],
    ['ivr_behavior.think', objectOf(root['ivr_behavior'])?.['think']],
    ['agent_behavior.manual_busy.duration', objectOf(behavior?.['manual_busy'])?.['duration']],
    ['agent_behavior.transfer.consult', objectOf(behavior?.['transfer'])?.['consult']],
  ];
}

function checkDist(value: unknown, path: string, issues: Issues): void {
  const d = objectOf(value);
  if (!d) return;
  const { min_s: min, max_s: max, hold_share: hold = 0, acw_share: acw = 0 } = d;
  if (d['dist'] === 'uniform' && typeof min === 'number' && typeof max === 'number' && max < min) issues.add(at(path, 'max_s'), 'must be at least min_s');
  if (typeof hold === 'number' && typeof acw === 'number' && hold + acw > 0.95) issues.add(path, 'hold_share + acw_share must leave time to talk (at most 0.95)');
}

function checkShift(value: unknown, path: string, issues: Issues): void {
  const s = objectOf(value);
  const start = parseClock(str(s?.['start']) ?? '');
  if (start !== undefined && start === parseClock(str(s?.['end']) ?? '')) issues.add(at(path, 'end'), 'must differ from start');
}
