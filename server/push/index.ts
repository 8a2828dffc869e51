/** Live push: the bus from the ingest, the live service around the engine, the WebSocket and HTTP routes. */
export { InProcessLiveBus, type LiveBus, type LiveBatchListener } from './bus.ts';
export type { DirectoryChange, LiveBoard, LiveDirectory } from './directory.ts';
export { LiveService, type LiveServiceOptions, type LiveUpdate } from './live-service.ts';
export { registerLiveRoutes, type LiveRouteDeps } from './routes.ts';
export { CLOSE_UNAUTHORIZED, type HubOptions } from './hub.ts';
