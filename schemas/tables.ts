/** ClickHouse table names: the only place they are spelled. */
export const TABLES = {
  migrations: 'schema_migrations',
  events: 'events',
  users: 'users',
  apiKeys: 'api_keys',
  sessions: 'sessions',
  audit: 'audit_log',
  sites: 'directory_sites',
  queues: 'directory_queues',
  teams: 'directory_teams',
  agents: 'directory_agents',
  boards: 'boards',
  displayTokens: 'display_tokens',
  helpAcks: 'help_acks',
  recordings: 'recordings',
  qaScorecards: 'qa_scorecards',
  qaEvaluations: 'qa_evaluations',
  qaComments: 'qa_comments',
  qaSamplingRules: 'qa_sampling_rules',
  qaAssignments: 'qa_assignments',
  qaCalibrations: 'qa_calibrations',
  callContributions: 'call_contributions',
  history15m: 'history_15m',
  callFacts: 'call_facts',
  agentStateIntervals: 'agent_state_intervals',
} as const;

/**
 * Column order of `events` as the ingest writes it (RowBinary), with ClickHouse types.
 * Must match schemas/clickhouse/0001_events.sql.
 */
export const EVENT_COLUMNS = [
  ['id', 'String'],
  ['type', 'LowCardinality(String)'],
  ['ts', "DateTime64(3, 'UTC')"],
  ['site', 'LowCardinality(String)'],
  ['call', 'String'],
  ['agent', 'LowCardinality(String)'],
  ['queue', 'LowCardinality(String)'],
  ['payload', 'String'],
  ['received', "DateTime64(3, 'UTC')"],
  ['source', 'LowCardinality(String)'],
] as const;
