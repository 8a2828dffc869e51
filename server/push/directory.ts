/**
 * What the push layer needs from the directory (server/directory/ DirectoryService): the
 * engine's `DirectorySource` plus change events, boards and help acknowledgements. Every
 * extra is optional, so `StaticDirectory`/`EMPTY_DIRECTORY` of server/live fit until the
 * DirectoryService is wired: swapping it in is one line in server/main.ts.
 */
import type { DirectorySource } from '../live/directory.ts';

/** A change told by the directory (`id` of the changed row). */
export interface DirectoryChange {
  kind: 'site' | 'queue' | 'team' | 'agent' | 'board' | 'display_token' | 'help' | (string & {});
  id: string;
}

/** The part of a board the push layer reads; the rest is passed to clients as is. */
export interface LiveBoard {
  id: string;
  filter?: { sites?: readonly string[]; queues?: readonly string[]; teams?: readonly string[] };
  [field: string]: unknown;
}

export interface LiveDirectory extends DirectorySource {
  /** Tells of changes; returns (or not) an unsubscribe function. */
  onChange?(listener: (change: DirectoryChange) => void): (() => void) | void;
  /** A board by id (undefined when unknown or deleted). */
  board?(id: string): LiveBoard | undefined | Promise<LiveBoard | undefined>;
  /** Records (and audits) a help request's acknowledgement. */
  ackHelp?(id: string, by: string): unknown;
  /** Who acknowledged a help request, if anyone (after a restart). */
  helpAckedBy?(id: string): string | undefined;
  /** IANA zones of the configured sites (the rebuild loads "today" for each). */
  timeZones?(): readonly string[];
}
