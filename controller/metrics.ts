// The controller's Prometheus metrics (one registry per controller instance).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControllerMetrics {
  registry: Registry;
  configRejected: Counter<'kind'>;
  configInvalid: Gauge;
  configResources: Gauge<'kind'>;
  xdsClients: Gauge;
  xdsPushes: Counter<'type'>;
  xdsNacks: Counter<'node'>;
  modelVersion: Gauge;
  modelBuildSeconds: Gauge;
}

export function createControllerMetrics(withDefaults = false): ControllerMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    configRejected: new Counter({ name: 'ambit_config_rejected_total', help: 'Resources rejected by validation', labelNames: ['kind'], ...r }),
    configInvalid: new Gauge({ name: 'ambit_config_invalid_resources', help: 'Resources currently rejected', ...r }),
    configResources: new Gauge({ name: 'ambit_config_resources', help: 'Valid resources stored, by kind', labelNames: ['kind'], ...r }),
    xdsClients: new Gauge({ name: 'ambit_xds_connected_clients', help: 'Daemons connected to the discovery stream', ...r }),
    xdsPushes: new Counter({ name: 'ambit_xds_pushes_total', help: 'Responses sent on discovery streams', labelNames: ['type'], ...r }),
    xdsNacks: new Counter({ name: 'ambit_xds_nacks_total', help: 'Updates rejected by daemons', labelNames: ['node'], ...r }),
    modelVersion: new Gauge({ name: 'ambit_model_version', help: 'Version of the published model', ...r }),
    modelBuildSeconds: new Gauge({ name: 'ambit_model_build_seconds', help: 'Time the last model build took', ...r }),
  };
}
