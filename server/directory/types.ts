/**
 * JSON shapes of the settings and directory API (tmp-scratch/live-contract.md, issue 8).
 * Instants are epoch ms; `version` orders the versions of one id (higher = newer).
 */
import type { SlFlowouts, SlFormula } from '../contact-metrics/settings.ts';

export interface Versioned {
  version: number;
  /** epoch ms */
  updated_at: number;
  updated_by: string;
}

export interface Site extends Versioned {
  id: string;
  name: string;
  /** IANA zone */
  time_zone: string;
}

/** Tile targets of a queue; null = none. Ratios 0–1, durations seconds. */
export interface QueueTargets {
  service_level: number | null;
  asa_s: number | null;
  abandon_rate: number | null;
  longest_wait_s: number | null;
}

export interface Queue extends Versioned {
  id: string;
  name: string;
  /** '' = not known yet */
  site: string;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: SlFormula;
  sl_flowouts: SlFlowouts;
  targets: QueueTargets;
}

export interface Team extends Versioned {
  id: string;
  name: string;
  site: string;
}

export interface Agent extends Versioned {
  id: string;
  name: string;
  team: string | null;
  site: string;
}

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
