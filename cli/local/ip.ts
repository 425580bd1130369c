// `ip` for the local runtime: the shared runner (api/ip-command.ts) with the runtime's
// error code, and the queries the runtime makes.
import { ipRunner, type IpRunner } from '../../api/ip-command.js';

export { SYSTEM_PATH, ipPath, type IpRunner } from '../../api/ip-command.js';

/** Runs `ip <args>`; failures are AMBIT_ERR_LOCAL_RUNTIME carrying stderr. */
export function systemIpRunner(opts: { timeoutMs?: number; binary?: string } = {}): IpRunner {
  return ipRunner('AMBIT_ERR_LOCAL_RUNTIME', opts);
}

/** Names of the network namespaces that exist (`ip netns list`). */
export async function listNetns(ip: IpRunner): Promise<Set<string>> {
  const out = await ip(['netns', 'list']);
  return new Set(
    out
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((name) => name !== ''),
  );
}

/** Whether link `name` exists inside netns `netns`. */
export async function linkExists(ip: IpRunner, netns: string, name: string): Promise<boolean> {
  try {
    await ip(['-n', netns, 'link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** The pids of processes inside netns `netns` (`ip netns pids`); none when the netns is gone. */
export async function netnsPids(ip: IpRunner, netns: string): Promise<number[]> {
  try {
    const out = await ip(['netns', 'pids', netns]);
    return out.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  } catch {
    return [];
  }
}
