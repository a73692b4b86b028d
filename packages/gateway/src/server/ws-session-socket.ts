import { WebSocket } from 'ws';
import type { SessionSocket } from '../session/session-ports';

const BINARY = { binary: true } as const;

/** Adapts a `ws` WebSocket to the session's {@link SessionSocket}: binary frames, close, read pausing. */
export function wsSessionSocket(ws: WebSocket): SessionSocket {
  return {
    send(frames, onWritten) {
      if (ws.readyState !== WebSocket.OPEN || frames.length === 0) return onWritten();
      const last = frames.length - 1;
      for (let i = 0; i < last; i++) ws.send(frames[i]!, BINARY);
      // Writes to one socket complete in order: the last frame's callback runs once all are handed to the
      // kernel, or with an error when the socket died.
      ws.send(frames[last]!, BINARY, () => onWritten());
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
    },
    pauseReading() {
      ws.pause();
    },
    resumeReading() {
      ws.resume();
    },
  };
}
