/**
 * JSON shapes of the settings and directory API: defined once in schemas/settings.ts
 * (shared with the apps) and re-exported here; the change and help-ack records are the
 * server's own.
 */
export type { Agent, Queue, QueueTargets, Site, Team, Versioned } from '../../schemas/settings.ts';

/** What changed, for the push layer and the live engine (`directoryChanged`). */
export type ChangeKind = 'site' | 'queue' | 'team' | 'agent' | 'board' | 'display_token' | 'help';
export interface DirectoryChange {
  kind: ChangeKind;
  id: string;
}

export interface HelpAck {
  id: string;
  acked_by: string;
  /** epoch ms */
  at: number;
}
