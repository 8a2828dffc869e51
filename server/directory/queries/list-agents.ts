import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestVersionSql, type VersionedRow } from './latest.ts';

export interface AgentRow extends VersionedRow {
  name: string;
  /** '' = no team */
  team: string;
  site: string;
}

const SQL = latestVersionSql(TABLES.agents, 'id, name, team, site, deleted');

/** The current version of every agent. */
export function listAgents(store: Store): Promise<AgentRow[]> {
  return store.query<AgentRow>(SQL);
}
