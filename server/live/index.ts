/**
 * The live engine (pure, in-memory): `LiveEngine` fed by the ingest and read by the push
 * layer and `GET /v1/live/snapshot`. Definitions come from `server/contact-metrics/`.
 */
export { LiveEngine, type LiveEngineOptions } from './engine.ts';
export { EMPTY_DIRECTORY, StaticDirectory, type AgentInfo, type DirectoryKind, type DirectorySource, type QueueInfo, type SiteInfo } from './directory.ts';
export { rebuildStartMs, DEFAULT_ROLLING_LOOKBACK_MS } from './rebuild.ts';
export type * from './snapshot.ts';
