import type { IncomingMessage } from 'node:http';
import { ErrorCode } from 'ic-ws-protocol';
import { RequestError } from './request-error';

/**
 * Reads a request body of at most `maxBytes`. A larger body (by `Content-Length` or by what actually
 * arrives) is refused with 413 as soon as it is known, without buffering the excess.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): RequestError =>
      new RequestError(ErrorCode.HttpBodyTooLarge, 413, `Request body is larger than the ${maxBytes} bytes accepted`);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      request.resume(); // drain so the connection can answer
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      received += chunk.length;
      if (received > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    request.on('error', (error) => {
      if (failed) return;
      failed = true;
      reject(new RequestError(ErrorCode.RequestMalformed, 400, `Could not read the request body: ${error.message}`, { cause: error }));
    });
  });
}
