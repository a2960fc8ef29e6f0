/**
 * Prometheus metrics, one registry per node (never prom-client's global registry: several
 * nodes share a process in tests and in the local federation).
 */
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client'

export interface Metrics {
  readonly registry: Registry
  readonly rpcServed: Counter<'protocol' | 'type' | 'status'>
  readonly rpcServeSeconds: Histogram<'protocol' | 'type'>
  /** Bytes of requests read into memory to serve them (a request refused BUSY is not read). */
  readonly rpcRequestBytes: Counter<'protocol'>
  readonly rpcCalls: Counter<'protocol' | 'type' | 'status'>
  readonly rpcCallSeconds: Histogram<'protocol' | 'type'>
  readonly manifestSerial: Gauge
  readonly manifestExpiresInSeconds: Gauge
  /** HTTP requests the edge refused before a handler ran: a foreign Host, a caller the route's policy does not admit, a rate limit. */
  readonly httpRefused: Counter<'reason' | 'code'>
  /** Adds a gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, collect: () => number): void
}

export interface MetricsInit {
  /** Add Node process metrics (CPU, memory, event loop); one node per process should. */
  processMetrics?: boolean
  labels?: Record<string, string>
}

const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createMetrics (init: MetricsInit = {}): Metrics {
  const registry = new Registry()
  if (init.labels !== undefined) registry.setDefaultLabels(init.labels)
  if (init.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'lifelong_' })
  const registers = [registry]
  return {
    registry,
    rpcServed: new Counter({ name: 'lifelong_rpc_served_total', help: 'Requests answered, by protocol, payload type and status', labelNames: ['protocol', 'type', 'status'], registers }),
    rpcServeSeconds: new Histogram({ name: 'lifelong_rpc_serve_seconds', help: 'Time from reading a request to writing its response', labelNames: ['protocol', 'type'], buckets: RPC_BUCKETS, registers }),
    rpcRequestBytes: new Counter({
      name: 'lifelong_rpc_request_bytes_total',
      help: 'Bytes of requests read into memory to serve them, by protocol (a request over the per-peer cap is refused BUSY unread)',
      labelNames: ['protocol'],
      registers
    }),
    rpcCalls: new Counter({ name: 'lifelong_rpc_calls_total', help: 'Requests made to peers, by protocol, payload type and status', labelNames: ['protocol', 'type', 'status'], registers }),
    rpcCallSeconds: new Histogram({ name: 'lifelong_rpc_call_seconds', help: 'Round-trip time of requests made to peers', labelNames: ['protocol', 'type'], buckets: RPC_BUCKETS, registers }),
    manifestSerial: new Gauge({ name: 'lifelong_manifest_serial', help: 'Serial of the federation manifest in force', registers }),
    manifestExpiresInSeconds: new Gauge({ name: 'lifelong_manifest_expires_in_seconds', help: 'Seconds until the manifest in force expires (negative once expired)', registers }),
    httpRefused: new Counter({ name: 'lifelong_http_refused_total', help: 'HTTP requests refused at the edge before a handler ran, by reason (host, caller, csrf, rate) and error code', labelNames: ['reason', 'code'], registers }),
    gauge (name, help, collect) {
      // eslint-disable-next-line no-new
      new Gauge({
        name,
        help,
        registers,
        collect () {
          this.set(collect())
        }
      })
    }
  }
}
