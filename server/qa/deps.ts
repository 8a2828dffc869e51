import type { RecordingService } from '../../ingest/recordings/service.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import type { DirectoryService } from '../directory/directory-service.ts';

/** An audit entry: who did what to which target (server/auth AuthService.audit). */
export type AuditFn = (actor: string, action: string, target: string, detail: string) => Promise<void>;

/** What the QA routes and services need from the rest of the server. */
export interface QaDeps {
  store: Store;
  directory: DirectoryService;
  recordings: RecordingService;
  audit: AuditFn;
  log: Logger;
  /** the center's default IANA zone: weeks of sampling rules and report periods */
  timeZone: string;
}
