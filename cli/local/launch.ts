// From a (materialized) Pod to what the supervisor runs: one LaunchSpec per container,
// with Kubernetes' environment rules — PATH, HOME and HOSTNAME first, then the
// container's env in order: `value` (with $(VAR) references to earlier variables),
// `valueFrom.fieldRef` (metadata.name/namespace/uid/labels/annotations, spec.nodeName,
// spec.serviceAccountName, status.podIP/podIPs/hostIP). $(VAR) is also expanded in
// command and args. Pure. Not supported here (reported in `warnings`): env from
// Secrets/ConfigMaps/resources, envFrom, initContainers; processes run as root.
import { AmbitError } from '../../api/errors.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { AMBIT_IMAGE_REPOSITORY } from '../../controller/gateway/waypoint-deployment.js';
import { imageRepository, resolveArgv, type ContainerCommand } from './images.js';
import { SYSTEM_PATH } from './ip.js';
import type { LaunchSpec } from './supervisor.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string }; [source: string]: unknown };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface ContainerSpec extends ContainerCommand {
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: ContainerPort[];
  workingDir?: string;
}

interface PodSpec {
  containers?: ContainerSpec[];
  initContainers?: unknown[];
  nodeName?: string;
  serviceAccountName?: string;
  serviceAccount?: string;
  hostname?: string;
}

export interface PodLaunch {
  specs: (LaunchSpec & { ports: ContainerPort[] })[];
  warnings: string[];
}

export interface LaunchContext {
  /** The pod's network namespace. */
  netns: string;
  /** status.hostIP: the node's address (topology-plan nodeIp). */
  nodeIp?: string;
  /**
   * How Ambit's own image reaches this cluster's controller (AMBIT_CONTROLLER,
   * AMBIT_ROOT_CERT, AMBIT_TOKEN_FILE): set over the container's values, which name
   * the in-cluster ones.
   */
  ambitEnv?: Readonly<Record<string, string>>;
}

/** Kubernetes' $(VAR) expansion: defined names are replaced, $$ escapes, anything else stays as written. */
export function expandVars(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : match;
  });
}

function fieldValue(pod: KubeObject, fieldPath: string, ctx: LaunchContext): string | undefined {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[]; hostIP?: string };
  const label = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath);
  if (label) return (label[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[label[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace ?? 'default';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return spec.nodeName ?? '';
    case 'spec.serviceAccountName': return spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
    case 'status.podIP': return status.podIP ?? '';
    case 'status.podIPs': return (status.podIPs ?? []).map((p) => p.ip).join(',') || (status.podIP ?? '');
    case 'status.hostIP': return status.hostIP ?? ctx.nodeIp ?? '';
    default: return undefined;
  }
}

/** The process environment of one container. */
export function containerEnv(pod: KubeObject, container: ContainerSpec, ctx: LaunchContext, warnings: string[]): Record<string, string> {
  const spec = (pod.spec ?? {}) as PodSpec;
  const who = `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} container "${container.name}"`;
  const env: Record<string, string> = { PATH: SYSTEM_PATH, HOME: '/root', HOSTNAME: spec.hostname || pod.metadata.name };
  if (container.envFrom && container.envFrom.length > 0) warnings.push(`${who}: envFrom is not supported by ambit local; ignored`);
  const own: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (!e.name) continue;
    let value: string | undefined;
    if (e.valueFrom) {
      const fieldPath = e.valueFrom.fieldRef?.fieldPath;
      value = fieldPath !== undefined ? fieldValue(pod, fieldPath, ctx) : undefined;
      if (value === undefined) {
        warnings.push(`${who}: env ${e.name}: valueFrom ${fieldPath ?? Object.keys(e.valueFrom).join(',')} is not supported by ambit local; unset`);
        continue;
      }
    } else {
      value = expandVars(e.value ?? '', own);
    }
    own[e.name] = value;
  }
  return { ...env, ...own };
}

/** The LaunchSpecs of a pod's containers. Throws AMBIT_ERR_LOCAL_IMAGE for a container that cannot be mapped. */
export function podLaunch(pod: KubeObject, ctx: LaunchContext): PodLaunch {
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = (pod.spec ?? {}) as PodSpec;
  const containers = spec.containers ?? [];
  if (containers.length === 0) throw new AmbitError('AMBIT_ERR_LOCAL_IMAGE', `pod ${namespace}/${pod.metadata.name} has no containers`);
  const warnings: string[] = [];
  if (spec.initContainers && spec.initContainers.length > 0) warnings.push(`pod ${namespace}/${pod.metadata.name}: initContainers are not run by ambit local`);
  const specs = containers.map((c) => {
    const own = containerEnv(pod, c, ctx, warnings);
    const env = c.image && imageRepository(c.image) === AMBIT_IMAGE_REPOSITORY ? { ...own, ...(ctx.ambitEnv ?? {}) } : own;
    const expanded: ContainerCommand = {
      ...c,
      command: c.command?.map((s) => expandVars(s, env)),
      args: c.args?.map((s) => expandVars(s, env)),
    };
    return {
      namespace, pod: pod.metadata.name, container: c.name, netns: ctx.netns,
      argv: resolveArgv({ namespace, name: pod.metadata.name }, expanded, env),
      env,
      ports: [...(c.ports ?? [])],
      ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    };
  });
  return { specs, warnings };
}
