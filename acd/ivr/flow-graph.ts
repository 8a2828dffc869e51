/**
 * Whole-flow checks that need every node parsed first: targets exist, no loop can
 * spin without the caller doing anything, a closed-hours branch never reaches an
 * agent queue (SEEDS.md: outside working hours, self-service only), and every
 * variable a node reads is one some node can set.
 */
import type { IvrFlow, IvrNode } from './nodes.ts';
import { at, closest, type Issues } from '../schemas/check.ts';
import { CALLER_VAR, placeholders } from './template.ts';

/** A transition out of a node: the field holding it (`next`, `options.3`) and the target id. */
export interface IvrEdge {
  field: string;
  target: string;
}

/** Every transition a node can take. Terminal nodes (queue, voicemail, …) have none. */
export function edges(node: IvrNode): IvrEdge[] {
  switch (node.type) {
    case 'menu':
      return [...Object.entries(node.options).map(([key, target]) => ({ field: `options.${key}`, target })), { field: 'fallback', target: node.fallback }];
    case 'digits':
      return [{ field: 'next', target: node.next }, { field: 'fallback', target: node.fallback }];
    case 'play':
      return [{ field: 'next', target: node.next }];
    case 'hours':
      return [{ field: 'open', target: node.open }, { field: 'closed', target: node.closed }];
    case 'lookup':
      return [{ field: 'next', target: node.next }, ...(node.notFound === undefined ? [] : [{ field: 'not_found', target: node.notFound }])];
    case 'queue':
    case 'voicemail':
    case 'callback':
    case 'transfer':
    case 'hangup':
      return [];
  }
}

/** Nodes that pass straight through without playing anything or waiting for the caller. */
export function isInstant(node: IvrNode): boolean {
  return node.type === 'hours' || node.type === 'lookup';
}

/** Records every graph-level problem of `flow` in `issues`. */
export function checkFlowGraph(flow: IvrFlow, issues: Issues): void {
  const ids = [...flow.nodes.keys()];
  const missing = (target: string) => {
    const hint = closest(target, ids);
    return `target ${JSON.stringify(target)} is not a node${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
  };
  if (!flow.nodes.has(flow.start)) issues.add('start', missing(flow.start));
  for (const node of flow.nodes.values()) {
    for (const e of edges(node)) {
      if (!flow.nodes.has(e.target)) issues.add(at(at('nodes', node.id), e.field), missing(e.target));
    }
  }
  checkInstantLoops(flow, issues);
  checkClosedBranches(flow, issues);
  checkVariables(flow, issues);
}

function checkInstantLoops(flow: IvrFlow, issues: Issues): void {
  const done = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    const node = flow.nodes.get(id);
    if (!node || !isInstant(node) || done.has(id)) return;
    const loopStart = trail.indexOf(id);
    if (loopStart >= 0) {
      const loop = [...trail.slice(loopStart), id];
      issues.add(at('nodes', id), `loop without caller interaction: ${loop.join(' → ')} (add a play or menu node to it)`);
      return;
    }
    for (const e of edges(node)) visit(e.target, [...trail, id]);
    done.add(id);
  };
  for (const id of flow.nodes.keys()) visit(id, []);
}

function checkClosedBranches(flow: IvrFlow, issues: Issues): void {
  for (const hours of flow.nodes.values()) {
    if (hours.type !== 'hours') continue;
    // Breadth-first from the closed target; another hours node re-checks the clock, so the walk stops there.
    const via = new Map<string, string | null>([[hours.closed, null]]);
    const todo = [hours.closed];
    for (let id = todo.shift(); id !== undefined; id = todo.shift()) {
      const node = flow.nodes.get(id);
      if (!node || node.type === 'hours') continue;
      if (node.type === 'queue' && !node.afterHours) {
        const route: string[] = [];
        for (let step: string | null | undefined = id; step; step = via.get(step)) route.unshift(step);
        issues.add(
          at(at('nodes', hours.id), 'closed'),
          `outside business hours the caller reaches queue node ${JSON.stringify(id)} (${route.join(' → ')}); ` +
            'closed hours allow self-service only (set "after_hours": true on the queue node for an emergency line)',
        );
        break;
      }
      for (const e of edges(node)) {
        if (!via.has(e.target)) {
          via.set(e.target, id);
          todo.push(e.target);
        }
      }
    }
  }
}

function checkVariables(flow: IvrFlow, issues: Issues): void {
  const known = new Set([CALLER_VAR]);
  for (const node of flow.nodes.values()) {
    if (node.type === 'digits' || node.type === 'lookup') known.add(node.store);
  }
  const knownList = [...known].map((v) => JSON.stringify(v)).join(', ');
  for (const node of flow.nodes.values()) {
    const path = at('nodes', node.id);
    if (node.type === 'lookup' && !known.has(node.key)) {
      issues.add(at(path, 'key'), `unknown variable ${JSON.stringify(node.key)} (known: ${knownList})`);
    }
    if ('prompt' in node && node.prompt !== undefined) {
      for (const name of placeholders(node.prompt)) {
        if (!known.has(name)) issues.add(at(path, 'prompt'), `unknown variable {${name}} (known: ${knownList})`);
      }
    }
  }
}
