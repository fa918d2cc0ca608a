/**
 * The control API and metrics, on top of the speaker: the JSON views of `show summary`, `show neighbors` and
 * `show routes` and their FRR-style text, the HTTP/JSON server over a unix socket (or loopback TCP) with its
 * client, and the Prometheus exposition with MetalLB's metric names. See docs/control-api.md.
 */
export type * from './views.js';
export { ApiError } from './errors.js';
export { type SpeakerSource, type SpeakerControl, type RibSource, hardReset, softOut } from './source.js';
export { summaryView, neighborView, neighborsView, findPeer, canonicalAddress } from './peer-views.js';
export { routesView, type RoutesQuery } from './route-views.js';
export { familyId, familyDisplay, familyIdOfKey, familyKeyOfId, familyDisplayOfId } from './families.js';
export { formatUptime } from './format.js';
export { renderSummary } from './show-summary.js';
export { renderNeighbor, renderNeighbors } from './show-neighbors.js';
export { renderRoutes, type RenderRoutesOptions } from './show-routes.js';
export { parseRouteAttributes, parseRoutesQuery, type ClearKind } from './requests.js';
export { ControlServer, DEFAULT_SOCKET_PATH, type ControlServerOptions } from './server.js';
export { type Endpoint, type ApiRequest, type ApiResult, type ApiHandler, describeEndpoint, isLoopback } from './http.js';
export { request, parseEndpoint, ApiUnavailableError, type RequestOptions } from './client.js';
export {
  Histogram,
  MetricsRegistry,
  MetricsServer,
  renderExposition,
  EXPOSITION_CONTENT_TYPE,
  DEFAULT_METRICS_ENDPOINT,
  type MetricFamily,
  type MetricSample,
  type MetricType,
  type MetricsCollector,
  type MetricsServerOptions,
} from './metrics.js';
export { speakerMetrics, allocatorMetrics, processMetrics, peerLabel, PROPAGATION_BUCKETS, type PoolUsage, type MetricsSpeaker } from './metrics-speaker.js';
export { show, showPath, announce, withdraw, clear, type ShowCommand, type CommandOptions } from './commands.js';
