// Container images → host programs. `ambit local` pulls no images: a container runs as
// a host process in its pod's network namespace, so the manifests of Istio's labs
// (samples/httpbin, samples/sleep, samples/curl) run unchanged when their images map to
// programs from Debian packages. The table (also in cli/local/README.md):
//
//   image (any tag/digest; docker.io/ and library/ optional)   runs (no command given)                                 packages
//   mccutchen/go-httpbin, ghcr.io/mccutchen/go-httpbin       gunicorn httpbin:app on $PORT or -port (default 8080)    python3-httpbin gunicorn
//   kennethreitz/httpbin, kong/httpbin                        gunicorn -b 0.0.0.0:80 httpbin:app (args replace it)     python3-httpbin gunicorn
//   curlimages/curl                                           curl (args starting with '-' go to curl, else run args)  curl
//   governmentpaas/curl-ssl, tutum/curl                       /bin/sh (args replace it)                                curl
//   busybox, alpine, debian, ubuntu                           /bin/sh (args replace it)                                -
//   registry.k8s.io/pause, k8s.gcr.io/pause                   sleep infinity                                           coreutils
//   ghcr.io/ambit-mesh/ambit                                  this machine's `ambit` with the args (e.g. `waypoint …`) -
//
// Rules: a container `command` always wins (`command` + `args`, Kubernetes semantics),
// whatever the image: the programs come from the host (`/bin/sleep infinity`, `gunicorn
// … -k gevent` as in Istio's kong/httpbin manifest, which needs python3-gevent). Without
// a command, a mapped image runs its entry (Docker semantics: ENTRYPOINT + (args ?? CMD));
// an unmapped image is an AMBIT_ERR_LOCAL_IMAGE naming the pod, container and image.
// The httpbin entries listen on the image's own port (as the real images do), not on the
// declared containerPort, which Kubernetes treats as information only.
import { fileURLToPath } from 'node:url';
import { AmbitError } from '../../api/errors.js';
import { AMBIT_IMAGE_REPOSITORY } from '../../controller/gateway/waypoint-deployment.js';

/** This build's `ambit` entry point: Ambit's own image runs it. */
const AMBIT_MAIN_JS = fileURLToPath(new URL('../main.js', import.meta.url));

/** Debian packages the image table relies on (plus iproute2 and procps for the runtime itself). */
export const LOCAL_RUNTIME_PACKAGES = ['iproute2', 'procps', 'curl', 'python3-httpbin', 'gunicorn', 'python3-gevent'] as const;

export interface ImageInput {
  /** The container's args (replace the image's CMD). */
  args?: readonly string[];
  /** The container's resolved environment. */
  env: Readonly<Record<string, string>>;
}

export interface ImageMapping {
  /** Normalized repositories (see imageRepository). */
  repositories: readonly string[];
  description: string;
  packages: readonly string[];
  /** The argv when the container gives no command. Throws a plain Error with the reason when args cannot be mapped. */
  argv(input: ImageInput): string[];
}

const HTTPBIN_APP = 'httpbin:app';

function gunicorn(bind: string): string[] {
  // gthread workers: concurrent requests (e.g. /delay/N) without needing gevent.
  return ['gunicorn', '--bind', bind, '--access-logfile', '-', '--workers', '1', '--threads', '16', HTTPBIN_APP];
}

/** go-httpbin's flags that matter locally: -port N / -host H (also --x and x=v forms). */
function goHttpbinArgv({ args = [], env }: ImageInput): string[] {
  let port = env.PORT || '8080';
  let host = env.HOST || '0.0.0.0';
  for (let i = 0; i < args.length; i++) {
    const m = /^--?(port|host)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new Error(`argument "${args[i]}" is not supported (only -port and -host)`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new Error(`argument "${args[i - 1]}" needs a value`);
    if (m[1] === 'port') port = value;
    else host = value;
  }
  if (!/^\d{1,5}$/.test(port)) throw new Error(`port "${port}" is not a number`);
  return gunicorn(`${host.includes(':') ? `[${host}]` : host}:${port}`);
}

/** Docker semantics for an image without ENTRYPOINT: args replace CMD. */
function cmd(defaults: readonly string[]): (input: ImageInput) => string[] {
  return ({ args }) => (args && args.length > 0 ? [...args] : [...defaults]);
}

export const IMAGE_TABLE: readonly ImageMapping[] = [
  {
    repositories: ['mccutchen/go-httpbin', 'ghcr.io/mccutchen/go-httpbin'],
    description: 'httpbin (python3-httpbin under gunicorn) on $PORT or -port, default 8080',
    packages: ['python3-httpbin', 'gunicorn'],
    argv: goHttpbinArgv,
  },
  {
    repositories: ['kennethreitz/httpbin', 'kong/httpbin'],
    description: 'httpbin (python3-httpbin under gunicorn) on port 80; args replace the command',
    packages: ['python3-httpbin', 'gunicorn'],
    argv: cmd(gunicorn('0.0.0.0:80')),
  },
  {
    repositories: ['curlimages/curl'],
    description: 'curl; args starting with "-" are passed to curl, other args run as a command',
    packages: ['curl'],
    argv: ({ args }) => (!args || args.length === 0 ? ['curl'] : args[0]!.startsWith('-') ? ['curl', ...args] : [...args]),
  },
  {
    repositories: ['governmentpaas/curl-ssl', 'tutum/curl'],
    description: '/bin/sh with curl available; args replace the command',
    packages: ['curl'],
    argv: cmd(['/bin/sh']),
  },
  {
    repositories: ['busybox', 'alpine', 'debian', 'ubuntu'],
    description: '/bin/sh; args replace the command',
    packages: [],
    argv: cmd(['/bin/sh']),
  },
  {
    repositories: ['registry.k8s.io/pause', 'k8s.gcr.io/pause', 'gcr.io/google-containers/pause'],
    description: 'sleep infinity',
    packages: ['coreutils'],
    argv: () => ['sleep', 'infinity'],
  },
  {
    repositories: [AMBIT_IMAGE_REPOSITORY],
    description: "Ambit's own image: this machine's ambit build (node + dist/cli/main.js) with the container's args",
    packages: [],
    argv: ({ args }) => [process.execPath, AMBIT_MAIN_JS, ...(args ?? [])],
  },
];

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** "docker.io/library/busybox:1.36@sha256:…" → "busybox"; "ghcr.io/x/y:v1" → "ghcr.io/x/y". */
export function imageRepository(image: string): string {
  let ref = image.trim().toLowerCase();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  if (parts.length > 1 && DOCKER_HUB.has(parts[0]!)) parts.shift();
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

export function lookupImage(image: string): ImageMapping | undefined {
  const repo = imageRepository(image);
  return IMAGE_TABLE.find((m) => m.repositories.includes(repo));
}

export interface ContainerCommand {
  name: string;
  image?: string;
  command?: readonly string[];
  args?: readonly string[];
}

/**
 * The argv of a container: `command` + `args` when a command is given; else the image's
 * mapping. Throws AMBIT_ERR_LOCAL_IMAGE (naming pod, container and image) otherwise.
 */
export function resolveArgv(pod: { namespace: string; name: string }, container: ContainerCommand, env: Readonly<Record<string, string>>): string[] {
  if (container.command && container.command.length > 0) return [...container.command, ...(container.args ?? [])];
  const who = `pod ${pod.namespace}/${pod.name} container "${container.name}"`;
  const image = container.image ?? '';
  const mapping = image ? lookupImage(image) : undefined;
  if (!mapping) {
    const known = IMAGE_TABLE.flatMap((m) => m.repositories).join(', ');
    throw new AmbitError(
      'AMBIT_ERR_LOCAL_IMAGE',
      `${who}: image "${image}" has no local mapping and the container has no command. ` +
        `ambit local runs containers as host programs: give the container a command, or use one of: ${known} (see cli/local/README.md)`,
    );
  }
  try {
    return mapping.argv({ args: container.args, env });
  } catch (err) {
    throw new AmbitError('AMBIT_ERR_LOCAL_IMAGE', `${who}: image "${image}": ${(err as Error).message}`, { cause: err });
  }
}
