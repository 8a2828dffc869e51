/**
 * JSON shapes of the live engine's read side. They are the wire shapes of `/v1/live` and
 * `GET /v1/live/snapshot`, defined once in schemas/live.ts (shared with the apps);
 * re-exported here under the names the server uses. `LiveChanges` is the engine's own.
 */
export type {
  AgentsByState,
  HelpRequest,
  LiveAgent,
  LiveFigures,
  LiveGroup,
  LiveQueue,
  LiveSite,
  LiveSnapshot,
  LiveTeam,
  RollingFigures,
  WaitingCall,
} from '../../schemas/live.ts';

/** Entities changed since a version (see `LiveEngine.changedSince`). */
export interface LiveChanges {
  version: number;
  queues: string[];
  agents: string[];
  teams: string[];
  sites: string[];
  center: boolean;
  help: boolean;
}
