// One JSON access-log line per connection, with Istio/ztunnel's field names (DESIGN.md §7).
import type { Logger } from '../../api/log.js';
import type { Workload } from '../../api/model.js';

export interface AccessLogEntry {
  direction: 'outbound' | 'inbound';
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  hboneAddr?: string;
  source?: Workload;
  srcIdentity?: string;
  destination?: Workload;
  dstIdentity?: string;
  dstService?: string;
  bytesSent: number;
  bytesRecv: number;
  durationMs: number;
  error?: string;
}

export function logConnection(log: Logger, e: AccessLogEntry): void {
  const fields = {
    'src.addr': `${e.src.ip}:${e.src.port}`,
    'src.workload': e.source?.name,
    'src.namespace': e.source?.namespace,
    'src.identity': e.srcIdentity,
    'dst.addr': `${e.dst.ip}:${e.dst.port}`,
    'dst.hbone_addr': e.hboneAddr,
    'dst.service': e.dstService,
    'dst.workload': e.destination?.name,
    'dst.namespace': e.destination?.namespace,
    'dst.identity': e.dstIdentity,
    direction: e.direction,
    bytes_sent: e.bytesSent,
    bytes_recv: e.bytesRecv,
    duration: `${e.durationMs.toFixed(1)}ms`,
    error: e.error,
  };
  if (e.error) log.warn(fields, 'connection complete');
  else log.info(fields, 'connection complete');
}
