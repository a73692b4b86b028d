import { WebSocket } from 'ws';
import type { SessionSocket } from '../session/session-ports';

const BINARY = { binary: true } as const;

/**
 * Adapts a `ws` WebSocket to the session's {@link SessionSocket}: binary frames, close, read pausing. A class
 * (its methods shared by every session) rather than an object of closures: a gateway holds many thousands.
 */
export class WsSessionSocket implements SessionSocket {
  constructor(private readonly ws: WebSocket) {}

  send(frames: readonly Uint8Array[], onWritten: () => void): void {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN || frames.length === 0) return onWritten();
    const last = frames.length - 1;
    for (let i = 0; i < last; i++) ws.send(frames[i]!, BINARY);
    // Writes to one socket complete in order: the last frame's callback runs once all are handed to the
    // kernel, or with an error when the socket died. (onWritten ignores the error argument.)
    ws.send(frames[last]!, BINARY, onWritten);
  }

  close(code: number, reason: string): void {
    const ws = this.ws;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }
}
