// HTTP/2 tuning shared by both ends of an HBONE tunnel. Windows are sized for bulk
// throughput (ztunnel's figures). Node returns flow-control credit, for the stream and
// the connection alike, only as the reader consumes data; a stalled stream therefore
// holds at most one stream window of the connection window, and the connection window
// (4× a stream's) keeps the other streams moving while up to three streams are stalled.
import type { Settings } from 'node:http2';

export const MIB = 1024 * 1024;

export interface WindowOptions {
  /** Per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE). */
  streamWindowBytes: number;
  /** Connection receive window, set with session.setLocalWindowSize. */
  connectionWindowBytes: number;
}

export const DEFAULT_WINDOWS: Readonly<WindowOptions> = Object.freeze({
  streamWindowBytes: 4 * MIB,
  connectionWindowBytes: 16 * MIB,
});

/**
 * Session memory bound (MB) for nghttp2 bookkeeping and queued outgoing data. Node's
 * default (10) refuses streams (ENHANCE_YOUR_CALM) once a few large writes are queued.
 */
export const MAX_SESSION_MEMORY_MB = 64;

export function localSettings(windows: WindowOptions, maxConcurrentStreams?: number): Settings {
  const settings: Settings = {
    enablePush: false,
    initialWindowSize: windows.streamWindowBytes,
    maxHeaderListSize: 16 * 1024,
  };
  if (maxConcurrentStreams !== undefined) settings.maxConcurrentStreams = maxConcurrentStreams;
  return settings;
}
