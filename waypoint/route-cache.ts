// Compiled L7 configuration per service. The state updater asks `check` before a
// service's configuration takes effect: it compiles it (regexes once) and a failure
// refuses (NACKs) that resource by name, so the last good routes stay. Compiled forms
// are kept per configuration object, so what the updater checked is what requests use.
import type { ServiceL7Config } from '../api/l7-model.js';
import { isAmbitError } from '../api/errors.js';
import { compileDestinationPolicy, compileRouteTable, type CompiledDestinationPolicy, type CompiledRouteTable } from './engine/index.js';

interface Compiled {
  routes?: CompiledRouteTable;
  destination?: CompiledDestinationPolicy;
}

export class RouteCache {
  private readonly compiled = new WeakMap<ServiceL7Config, Compiled>();
  private current: ReadonlyMap<string, ServiceL7Config> = new Map();

  /** Compiles a configuration; a reason when it cannot be applied. */
  check(cfg: ServiceL7Config): string | undefined {
    try {
      this.compile(cfg);
      return undefined;
    } catch (err) {
      if (isAmbitError(err)) return err.message;
      throw err;
    }
  }

  /** The state's configurations after an update (the source of lookups). */
  retain(configs: ReadonlyMap<string, ServiceL7Config>): void {
    this.current = configs;
  }

  routes(serviceKey: string): CompiledRouteTable | undefined {
    return this.lookup(serviceKey)?.routes;
  }

  destination(serviceKey: string): CompiledDestinationPolicy | undefined {
    return this.lookup(serviceKey)?.destination;
  }

  /** What /config_dump shows: each service's routes and destination policy as received. */
  dump(configs: ReadonlyMap<string, ServiceL7Config>): Record<string, ServiceL7Config> {
    return Object.fromEntries([...configs.entries()]);
  }

  private lookup(serviceKey: string): Compiled | undefined {
    const cfg = this.current.get(serviceKey);
    return cfg ? this.compile(cfg) : undefined;
  }

  private compile(cfg: ServiceL7Config): Compiled {
    let c = this.compiled.get(cfg);
    if (!c) {
      c = {
        ...(cfg.routes ? { routes: compileRouteTable(cfg.service, cfg.routes) } : {}),
        ...(cfg.destination ? { destination: compileDestinationPolicy(cfg.service, cfg.destination) } : {}),
      };
      this.compiled.set(cfg, c);
    }
    return c;
  }
}
