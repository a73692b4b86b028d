import { WebSocket } from 'ws';
import type { SessionSocket } from '../session/session-ports';

/** Adapts a `ws` WebSocket to the session's {@link SessionSocket}: binary frames, close, read pausing. */
export function wsSessionSocket(ws: WebSocket): SessionSocket {
  return {
    send(frame, onWritten) {
      if (ws.readyState !== WebSocket.OPEN) return onWritten();
      // The callback runs once the frame is handed to the kernel, or with an error when the socket died.
      ws.send(frame, { binary: true }, () => onWritten());
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
