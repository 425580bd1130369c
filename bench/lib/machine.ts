// What the figures were measured on, recorded next to them.
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  model: string;
  totalmem: number;
  node: string;
  kernel: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    totalmem: os.totalmem(),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    platform: os.platform(),
    arch: os.arch(),
  };
}
