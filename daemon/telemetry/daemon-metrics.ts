// The daemon's Prometheus metrics: Istio's istio_tcp_* family plus xDS and certificates.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectionLabels } from './connection-labels.js';
import { LABEL_NAMES } from './connection-labels.js';

type L = keyof ConnectionLabels;

export interface DaemonMetrics {
  registry: Registry;
  opened: Counter<L>;
  closed: Counter<L>;
  sent: Counter<L>;
  received: Counter<L>;
  failed: Counter<L>;
  xdsConnected: Gauge;
  xdsVersion: Gauge;
  xdsRejected: Counter;
  activeConnections: Gauge<'direction'>;
}

export function createDaemonMetrics(withDefaults = true): DaemonMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  const labelNames = [...LABEL_NAMES];
  return {
    registry,
    opened: new Counter({ name: 'istio_tcp_connections_opened_total', help: 'TCP connections opened', labelNames, ...r }),
    closed: new Counter({ name: 'istio_tcp_connections_closed_total', help: 'TCP connections closed', labelNames, ...r }),
    sent: new Counter({ name: 'istio_tcp_sent_bytes_total', help: 'Bytes sent to the destination (request direction)', labelNames, ...r }),
    received: new Counter({ name: 'istio_tcp_received_bytes_total', help: 'Bytes received from the destination (response direction)', labelNames, ...r }),
    failed: new Counter({ name: 'istio_tcp_connections_failed_total', help: 'TCP connections that failed (deny, connect, TLS)', labelNames, ...r }),
    xdsConnected: new Gauge({ name: 'ambit_xds_connected', help: '1 while the discovery stream to the controller is up', ...r }),
    xdsVersion: new Gauge({ name: 'ambit_xds_version', help: 'Version of the configuration applied', ...r }),
    xdsRejected: new Counter({ name: 'ambit_xds_rejected_resources_total', help: 'Resources refused (NACKed) by this daemon', ...r }),
    activeConnections: new Gauge({ name: 'ambit_active_connections', help: 'Connections open now', labelNames: ['direction'], ...r }),
  };
}
