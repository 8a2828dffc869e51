/**
 * QA reports (`GET /v1/qa/reports`): counted evaluations (current version; submitted,
 * acknowledged, disputed, rescored, upheld; never drafts or calibration) of calls made in
 * [from, to), grouped by agent, team, queue, evaluator, section or question and by period
 * (day, week from Monday, month, or the whole range) in the report's zone. Evaluations are
 * people's work (thousands a month, not millions), so they are folded here rather than in SQL:
 * errors and question scores need the scorecard version each evaluation was scored on.
 *
 * Per row: `evaluations`; `avg_score` the mean total with auto-fails as 0 (section rows: the
 * mean section percent; question rows: the mean percent of the question's points earned);
 * `auto_fails`; `passed`; `disputed` (evaluations disputed at least once); `errors` the summed
 * counts of `errors` questions (the front-line quality check). Section and question rows count
 * the evaluations where that section / question was answered (not N/A), their auto-fails
 * being the critical misses in that section / on that question.
 */
import { earnedPoints, scoreEvaluation, type AnswerValue } from '../../../schemas/qa-score.ts';
import type { QaReport, QaReportGroup, QaReportRow, Section } from '../../../schemas/qa.ts';
import type { DirectoryService } from '../../directory/directory-service.ts';
import { isValidTimeZone } from '../../contact-metrics/zoned-time.ts';
import { QaRequestError, Query } from '../calls/params.ts';
import { teamMembers } from '../calls/calls.ts';
import type { QaDeps } from '../deps.ts';
import { toCsv } from '../../reports/csv.ts';
import { isoWithOffset } from '../../reports/intervals.ts';
import { INTERVALS, periodStart, type Interval } from './periods.ts';
import { reportEvaluations, type ReportEvaluationRow } from './queries/evaluations.ts';
import { scorecardVersions } from './queries/scorecard-versions.ts';

export const GROUPS: readonly QaReportGroup[] = ['agent', 'team', 'queue', 'evaluator', 'section', 'question'];
/** Groups an agent (own scope) may ask for: about themselves only. */
export const OWN_GROUPS: readonly QaReportGroup[] = ['agent', 'section', 'question'];
/** Longest range of one report. */
const MAX_RANGE_MS = 400 * 86_400_000;

export interface ReportRequest {
  group: QaReportGroup;
  interval: Interval;
  from: number;
  to: number;
  zone: string;
  agents: string[];
  team: string | null;
  queues: string[];
  format: 'json' | 'csv';
}

/** Reads the query string; `own` = the caller may see only their own evaluations. */
export function reportRequest(q: URLSearchParams, defaultZone: string, own: string | null): ReportRequest {
  const p = new Query(q);
  const group = p.oneOf('group', GROUPS) ?? 'agent';
  const interval = p.oneOf('interval', INTERVALS) ?? 'total';
  const from = p.instant('from');
  const to = p.instant('to');
  if (from === null) throw new QaRequestError('from: is required (ISO 8601 with offset or epoch milliseconds)');
  if (to === null) throw new QaRequestError('to: is required (ISO 8601 with offset or epoch milliseconds)');
  if (to <= from) throw new QaRequestError('to: must be after from');
  if (to - from > MAX_RANGE_MS) throw new QaRequestError('to: the range may be at most 400 days');
  const zone = p.str('tz', 64) ?? defaultZone;
  if (!isValidTimeZone(zone)) throw new QaRequestError(`tz: not an IANA time zone (got ${JSON.stringify(zone)})`);
  const agent = p.str('agent', 128);
  const queue = p.str('queue', 128);
  const req: ReportRequest = {
    group,
    interval,
    from,
    to,
    zone,
    agents: agent === null ? [] : [agent],
    team: p.str('team', 128),
    queues: queue === null ? [] : [queue],
    format: p.oneOf('format', ['json', 'csv'] as const) ?? 'json',
  };
  if (own !== null) {
    if (!OWN_GROUPS.includes(group)) throw new QaRequestError(`group: with access to your own evaluations only, one of ${OWN_GROUPS.join(', ')}`, 403);
    if (agent !== null && agent !== own) throw new QaRequestError('agent: you may see only your own evaluations', 403);
    req.agents = [own];
    req.team = null;
  }
  return req;
}

interface Acc {
  key: string;
  label: string;
  period: number | null;
  evaluations: number;
  scoreSum: number;
  scored: number;
  auto_fails: number;
  passed: number;
  disputed: number;
  errors: number;
}

type CardIndex = Map<string, Section[]>;
const cardKey = (id: string, version: number | string) => `${id}\u0000${Number(version)}`;

function parse<T>(raw: string, fallback: T): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

export async function buildReport(deps: QaDeps, req: ReportRequest): Promise<QaReport> {
  const { directory } = deps;
  const rows = await reportEvaluations(deps.store, {
    from: req.from,
    to: req.to,
    agents: req.agents,
    teamAgents: req.team === null ? null : teamMembers(directory, req.team),
    queues: req.queues,
  });
  const cards: CardIndex = new Map();
  for (const c of await scorecardVersions(
    deps.store,
    rows.map((r) => r.scorecard),
  )) {
    cards.set(cardKey(c.id, c.version), parse<Section[]>(c.sections, []));
  }
  const accs = new Map<string, Acc>();
  const acc = (key: string, label: string, period: number | null): Acc => {
    const k = `${period ?? ''}\u0000${key}`;
    let a = accs.get(k);
    if (!a) {
      a = { key, label, period, evaluations: 0, scoreSum: 0, scored: 0, auto_fails: 0, passed: 0, disputed: 0, errors: 0 };
      accs.set(k, a);
    }
    return a;
  };
  for (const r of rows) fold(r, req, cards.get(cardKey(r.scorecard, r.scorecard_version)) ?? null, directory, acc);
  const out: QaReportRow[] = [...accs.values()].map((a) => ({
    key: a.key,
    label: a.label,
    period: a.period,
    evaluations: a.evaluations,
    avg_score: a.scored > 0 ? Math.round((a.scoreSum / a.scored) * 100) / 100 : null,
    auto_fails: a.auto_fails,
    passed: a.passed,
    disputed: a.disputed,
    errors: a.errors,
  }));
  out.sort((x, y) => (x.period ?? 0) - (y.period ?? 0) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { group: req.group, interval: req.interval, from: req.from, to: req.to, time_zone: req.zone, rows: out };
}

/** Adds one evaluation to its row(s). */
function fold(r: ReportEvaluationRow, req: ReportRequest, sections: Section[] | null, directory: DirectoryService, acc: (key: string, label: string, period: number | null) => Acc): void {
  const period = periodStart(req.zone, req.interval, Number(r.call_at));
  const autoFail = Number(r.auto_fail) === 1;
  const passed = Number(r.passed ?? 0) === 1;
  const disputed = Number(r.disputes) > 0;
  const answers = parse<Record<string, AnswerValue | undefined>>(r.answers, {});
  const errorsOf = (qs: Section['questions']) => qs.reduce((n, q) => (q.kind === 'errors' && !answers[q.id]?.na && typeof answers[q.id]?.value === 'number' ? n + answers[q.id]!.value! : n), 0);
  const add = (a: Acc, score: number | null, fails: boolean, errors: number) => {
    a.evaluations++;
    if (score !== null) {
      a.scoreSum += score;
      a.scored++;
    }
    if (fails) a.auto_fails++;
    if (passed) a.passed++;
    if (disputed) a.disputed++;
    a.errors += errors;
  };

  if (req.group === 'section' || req.group === 'question') {
    if (!sections) return; // scorecard version not stored: nothing to group by
    const critical = new Set(scoreEvaluation(sections, answers).critical_missed);
    const stored = parse<{ id: string; percent: number | null }[]>(r.section_scores, []);
    for (const s of sections) {
      if (req.group === 'section') {
        const percent = stored.find((x) => x.id === s.id)?.percent ?? null;
        if (percent === null) continue; // all N/A: the section did not count
        add(acc(s.id, s.title, period), percent, s.questions.some((q) => critical.has(q.id)), errorsOf(s.questions));
        continue;
      }
      for (const q of s.questions) {
        const a = answers[q.id];
        if (!a || a.na || a.value === null || a.value === undefined) continue;
        const pct = q.points > 0 ? (earnedPoints(q, a.value) / q.points) * 100 : null;
        add(acc(q.id, q.text, period), pct, critical.has(q.id), q.kind === 'errors' ? a.value : 0);
      }
    }
    return;
  }

  const score = r.total === null && !autoFail ? null : autoFail ? 0 : Number(r.total);
  const errors = sections ? errorsOf(sections.flatMap((s) => s.questions)) : 0;
  let key: string;
  let label: string;
  switch (req.group) {
    case 'agent':
      key = r.agent;
      label = directory.getAgent(r.agent)?.name ?? r.agent;
      break;
    case 'team': {
      key = directory.getAgent(r.agent)?.team ?? '';
      label = key === '' ? '' : (directory.getTeam(key)?.name ?? key);
      break;
    }
    case 'queue':
      key = r.queue;
      label = directory.getQueue(r.queue)?.name ?? r.queue;
      break;
    default:
      key = r.evaluator;
      label = r.evaluator;
      break;
  }
  add(acc(key, label, period), score, autoFail, errors);
}

const CSV_FIELDS: readonly (keyof QaReportRow)[] = ['key', 'label', 'period', 'evaluations', 'avg_score', 'auto_fails', 'passed', 'disputed', 'errors'];

/** The report as CSV: UTF-8 with BOM (Excel), header = the JSON field names, `period` ISO 8601 with the zone's offset. */
export function reportCsv(report: QaReport): string {
  return toCsv(
    report.rows.map((r) => ({ ...r, period: r.period === null ? null : isoWithOffset(r.period, report.time_zone) })),
    CSV_FIELDS,
  );
}
