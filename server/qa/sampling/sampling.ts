/**
 * Sampling rules and evaluators' work queues. A rule is a versioned row (qa_sampling_rules);
 * its work queue for an ISO week (Monday 00:00 in the center's zone) is topped up on read:
 * for each agent, up to `per_agent_per_week` ready recordings of that week matching the
 * rule's filter and not yet evaluated, in the rule's deterministic order, each recorded in
 * qa_assignments with an evaluator picked round robin. A call once assigned stays assigned
 * (later calls only fill free places), and the queue shows its state from qa_evaluations.
 * Top-ups run one at a time in this process, so two readers never over-fill a week.
 */
import { randomBytes } from 'node:crypto';
import { nextVersion } from '../../../platform/store/version.ts';
import type { SamplingFilter, SamplingRule, SamplingRuleInput, WorkItem } from '../../../schemas/qa.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { callRowsOf, teamMembers } from '../calls/calls.ts';
import { checkRange, QaRequestError } from '../calls/params.ts';
import { COUNTED_STATUSES, type CallFilter } from '../calls/queries/call-rows.ts';
import type { QaDeps } from '../deps.ts';
import { weekOf, weekOfDate, type Week } from '../reports/periods.ts';
import { listAssignments, type AssignmentRow } from './queries/assignments.ts';
import { sampleCandidates } from './queries/candidates.ts';
import { evaluatorUsers } from './queries/evaluators.ts';
import { listRuleRows, type RuleRow } from './queries/rules.ts';
import { scorecardState } from './queries/scorecards.ts';
import { evaluationStates } from './queries/work-states.ts';

function toRule(r: RuleRow): SamplingRule & { deleted: boolean } {
  let filter: SamplingFilter = {};
  try {
    filter = JSON.parse(r.filter) as SamplingFilter;
  } catch {
    // written by this module as JSON; an unreadable one reads as no filter
  }
  return {
    id: r.id,
    name: r.name,
    active: Number(r.active) === 1,
    scorecard: r.scorecard,
    evaluators: r.evaluators,
    per_agent_per_week: Number(r.per_agent_per_week),
    filter,
    version: Number(r.version),
    updated_at: Number(r.updated_at),
    updated_by: r.updated_by,
    deleted: Number(r.deleted) === 1,
  };
}

const COUNTED: readonly string[] = COUNTED_STATUSES;

export class SamplingService {
  private topUps: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly deps: QaDeps,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** Current rules, deleted ones left out. */
  async list(): Promise<SamplingRule[]> {
    const rows = await listRuleRows(this.deps.store);
    return rows
      .map(toRule)
      .filter((r) => !r.deleted)
      .map(({ deleted: _, ...r }) => r);
  }

  private async current(id: string): Promise<SamplingRule> {
    const [row] = await listRuleRows(this.deps.store, [id]);
    const rule = row && toRule(row);
    if (!rule || rule.deleted) throw new QaRequestError(`id: no sampling rule ${JSON.stringify(id)}`, 404);
    const { deleted: _, ...out } = rule;
    return out;
  }

  /** Checks what the body schema cannot: the scorecard, the evaluators, min ≤ max. */
  private async validate(input: SamplingRuleInput): Promise<void> {
    const f = input.filter;
    checkRange('filter.min_duration_s', f.min_duration_s, 'filter.max_duration_s', f.max_duration_s);
    checkRange('filter.survey_min', f.survey_min, 'filter.survey_max', f.survey_max);
    const card = await scorecardState(this.deps.store, input.scorecard);
    if (card === 'missing') throw new QaRequestError(`scorecard: no scorecard ${JSON.stringify(input.scorecard)}`);
    if (card === 'archived') throw new QaRequestError(`scorecard: ${JSON.stringify(input.scorecard)} is archived`);
    const ok = await evaluatorUsers(this.deps.store, input.evaluators);
    const bad = input.evaluators.filter((e) => !ok.has(e));
    if (bad.length > 0) throw new QaRequestError(`evaluators: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not an enabled user' : 'are not enabled users'} with the qa or admin role`);
    for (const t of f.teams ?? []) teamMembers(this.deps.directory, t, 'filter.teams');
  }

  private async write(id: string, input: SamplingRuleInput, by: string, deleted: boolean): Promise<SamplingRule> {
    const rule: SamplingRule = {
      id,
      name: input.name,
      active: input.active,
      scorecard: input.scorecard,
      evaluators: [...new Set(input.evaluators)],
      per_agent_per_week: input.per_agent_per_week,
      filter: input.filter,
      version: nextVersion(),
      updated_at: this.now(),
      updated_by: by,
    };
    await this.deps.store.insertRows(TABLES.qaSamplingRules, [{ ...rule, active: rule.active ? 1 : 0, filter: JSON.stringify(rule.filter), deleted: deleted ? 1 : 0 }]);
    return rule;
  }

  async create(input: SamplingRuleInput, by: string): Promise<SamplingRule> {
    await this.validate(input);
    const rule = await this.write(`sr-${randomBytes(6).toString('hex')}`, input, by, false);
    await this.deps.audit(by, 'qa_sampling_rule_created', rule.id, summary(rule));
    return rule;
  }

  async update(id: string, input: SamplingRuleInput, by: string): Promise<SamplingRule> {
    await this.current(id);
    await this.validate(input);
    const rule = await this.write(id, input, by, false);
    await this.deps.audit(by, 'qa_sampling_rule_saved', id, summary(rule));
    return rule;
  }

  async remove(id: string, by: string): Promise<void> {
    const cur = await this.current(id);
    await this.write(id, cur, by, true);
    await this.deps.audit(by, 'qa_sampling_rule_deleted', id, cur.name);
  }

  /** The week of `?week=` (any day of it), or the current one. */
  week(date: string | null): Week {
    return date === null ? weekOf(this.deps.timeZone, this.now()) : weekOfDate(this.deps.timeZone, date);
  }

  /** Tops up every active rule's week, then lists `evaluator`'s items of that week. */
  async queue(evaluator: string, week: Week): Promise<WorkItem[]> {
    const run = this.topUps.then(() => this.topUp(week));
    this.topUps = run.catch(() => undefined);
    const { rules, assignments } = await run;
    const mine = assignments.filter((a) => a.assigned_to === evaluator && a.week === week.key && rules.has(a.rule));
    const calls = mine.map((a) => a.call);
    const [rows, evals] = await Promise.all([callRowsOf(this.deps, calls), evaluationStates(this.deps.store, calls)]);
    const items: WorkItem[] = [];
    for (const a of mine) {
      const row = rows.get(a.call);
      const rule = rules.get(a.rule)!;
      if (!row) continue; // its recording was removed from the store
      const ofCall = evals.filter((e) => e.call === a.call);
      const pick = (xs: typeof ofCall) => xs.find((e) => e.scorecard === rule.scorecard) ?? xs[0];
      const done = pick(ofCall.filter((e) => COUNTED.includes(e.status)));
      const draft = pick(ofCall.filter((e) => e.status === 'draft'));
      items.push({
        call: row,
        rule: rule.id,
        rule_name: rule.name,
        scorecard: rule.scorecard,
        week: week.key,
        assigned_to: a.assigned_to,
        state: done ? 'done' : draft ? 'draft' : 'todo',
        evaluation: (done ?? draft)?.id ?? null,
      });
    }
    return items.sort((x, y) => x.call.started_at - y.call.started_at || (x.call.call < y.call.call ? -1 : 1));
  }

  private async topUp(week: Week): Promise<{ rules: Map<string, SamplingRule>; assignments: AssignmentRow[] }> {
    const rules = new Map((await this.list()).filter((r) => r.active).map((r) => [r.id, r]));
    const existing = (await listAssignments(this.deps.store, [...rules.keys()])).filter((a) => a.week === week.key);
    const added: AssignmentRow[] = [];
    for (const rule of rules.values()) {
      const mine = existing.filter((a) => a.rule === rule.id);
      const perAgent = new Map<string, number>();
      for (const a of mine) perAgent.set(a.agent, (perAgent.get(a.agent) ?? 0) + 1);
      const candidates = await sampleCandidates(this.deps.store, rule.id, this.filterOf(rule, week, mine), rule.per_agent_per_week);
      let turn = mine.length;
      for (const c of candidates) {
        const have = perAgent.get(c.agent) ?? 0;
        if (have >= rule.per_agent_per_week) continue;
        perAgent.set(c.agent, have + 1);
        const assigned_to = rule.evaluators[turn++ % rule.evaluators.length]!;
        added.push({ rule: rule.id, week: week.key, agent: c.agent, call: c.call, assigned_to, assigned_at: this.now() });
      }
    }
    if (added.length > 0) await this.deps.store.insertRows(TABLES.qaAssignments, added.map((a) => ({ ...a })));
    return { rules, assignments: [...existing, ...added] };
  }

  private filterOf(rule: SamplingRule, week: Week, assigned: readonly AssignmentRow[]): CallFilter {
    const f = rule.filter;
    const teams = f.teams ?? [];
    const known = new Set(this.deps.directory.listTeams().map((t) => t.id));
    return {
      from: week.start,
      to: week.end,
      agents: f.agents ?? [],
      teamAgents: teams.length === 0 ? null : teams.filter((t) => known.has(t)).flatMap((t) => teamMembers(this.deps.directory, t)),
      queues: f.queues ?? [],
      direction: f.direction ?? '',
      min_duration_s: f.min_duration_s ?? null,
      max_duration_s: f.max_duration_s ?? null,
      dispositions: f.dispositions ?? [],
      survey_min: f.survey_min ?? null,
      survey_max: f.survey_max ?? null,
      min_silence_ratio: f.min_silence_ratio ?? null,
      min_talk_over_s: f.min_talk_over_s ?? null,
      statuses: ['ready'],
      unevaluated_only: true,
      exclude_calls: assigned.map((a) => a.call),
    };
  }
}

function summary(r: SamplingRule): string {
  return JSON.stringify({ name: r.name, active: r.active, scorecard: r.scorecard, evaluators: r.evaluators, per_agent_per_week: r.per_agent_per_week, filter: r.filter }).slice(0, 2000);
}
