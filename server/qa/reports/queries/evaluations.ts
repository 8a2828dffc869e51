import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';
import { COUNTED_STATUSES } from '../../calls/queries/call-rows.ts';

/** A counted evaluation as the QA reports read it. */
export interface ReportEvaluationRow {
  id: string;
  agent: string;
  queue: string;
  evaluator: string;
  scorecard: string;
  scorecard_version: number | string;
  answers: string;
  section_scores: string;
  total: number | null;
  auto_fail: number | string;
  passed: number | string | null;
  disputes: number | string;
  call_at: number | string;
}

const SQL = `
SELECT id, agent, queue, evaluator, scorecard, scorecard_version, answers, section_scores, total, auto_fail, passed, disputes,
       toUnixTimestamp64Milli(call_at) AS call_at
FROM (
  SELECT *
  FROM ${TABLES.qaEvaluations}
  WHERE call_at >= fromUnixTimestamp64Milli({from:Int64}) AND call_at < fromUnixTimestamp64Milli({to:Int64})
  ORDER BY id, version DESC
  LIMIT 1 BY id
)
WHERE status IN {statuses:Array(String)}
  AND calibration = ''
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))
  AND ({team_on:UInt8} = 0 OR has({team_agents:Array(String)}, agent))
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, queue))
ORDER BY call_at, id`;

export interface ReportEvaluationFilter {
  from: number;
  to: number;
  agents: readonly string[];
  teamAgents: readonly string[] | null;
  queues: readonly string[];
}

/**
 * The current version of every counted evaluation (submitted, acknowledged, disputed,
 * rescored, upheld; never drafts or calibration) of calls made in [from, to).
 */
export function reportEvaluations(store: Store, f: ReportEvaluationFilter): Promise<ReportEvaluationRow[]> {
  return store.query<ReportEvaluationRow>(SQL, {
    from: f.from,
    to: f.to,
    statuses: COUNTED_STATUSES,
    agents: f.agents,
    team_on: f.teamAgents ? 1 : 0,
    team_agents: f.teamAgents ?? [],
    queues: f.queues,
  });
}
