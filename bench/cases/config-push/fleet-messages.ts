// The IPC protocol between the B8 case process (controller) and its daemon-fleet child.
// Times are the child's performance.now(); the parent maps them onto its own clock with
// the offset measured by ping/pong.

export interface FleetNode { node: string; token: string }

export type ToFleet =
  | { type: 'connect'; address: string; rootPem: string; nodes: FleetNode[]; batch: number; channelOptions: Record<string, string | number> }
  | { type: 'watch'; uid: string; label: string; value: string }
  | { type: 'ping'; id: number }
  | { type: 'stop' };

export type FromFleet =
  | { type: 'synced'; ms: number; heapUsed: number }
  | { type: 'watching' }
  | { type: 'arrived'; times: Record<string, number> }
  | { type: 'pong'; id: number; now: number }
  | { type: 'error'; error: string };
