import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';

/** An answer of the IC's HTTP interface: status and the whole body. */
export interface IcHttpAnswer {
  status: number;
  body: Uint8Array;
}

/**
 * POSTs CBOR to a path of the IC's HTTP interface (e.g. `/api/v2/canister/<id>/query`) and reads the whole
 * answer, whatever its status.
 * @throws GatewayError `POLL_FAILED`, transient, when no answer came: the connection failed, broke off,
 *   or the request timed out.
 */
export type IcHttpPost = (path: string, body: Uint8Array) => Promise<IcHttpAnswer>;

/** Options of {@link createIcHttpPost}. */
export interface IcHttpPostOptions {
  icUrl: URL;
  /** Timeout of one request, answer included. */
  timeoutMs: number;
  /**
   * Posts through this `fetch` instead of Node's `http`/`https` (a proxy, a test that tampers with answers).
   * @default Node's `http`/`https` with keep-alive connections
   */
  fetch?: typeof fetch;
}

/**
 * The transport of the gateway's polls. By default Node's `http`/`https` with a keep-alive agent: a poll of
 * an idle canister is one small request every few seconds per canister, and `fetch` (undici: web streams,
 * `Request`/`Response`/`Headers` objects, an abort signal per request) cost about twice the CPU per request.
 */
export function createIcHttpPost(options: IcHttpPostOptions): IcHttpPost {
  if (options.fetch !== undefined) return fetchPost(options.icUrl, options.timeoutMs, options.fetch);
  return nodePost(options.icUrl, options.timeoutMs);
}

const CBOR_HEADERS = { 'content-type': 'application/cbor' };

/** One request: the answer, or why there is none and whether it went out on a kept-alive connection. */
type Attempt = { ok: true; answer: IcHttpAnswer } | { ok: false; error: GatewayError; reusedConnection: boolean };

function nodePost(icUrl: URL, timeoutMs: number): IcHttpPost {
  const https = icUrl.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  const once = (url: URL, body: Uint8Array) =>
    new Promise<Attempt>((resolve) => {
      let settled = false;
      const settle = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      const fail = (why: string, cause?: unknown, timedOut = false) => {
        const error = new GatewayError(ErrorCode.PollFailed, `${url.pathname}: ${why}`, { cause, transient: true });
        settle({ ok: false, error, reusedConnection: !timedOut && req.reusedSocket });
        req.destroy();
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`, undefined, true), timeoutMs);
      const req: ClientRequest = send(url, { method: 'POST', agent, headers: { ...CBOR_HEADERS, 'content-length': body.length } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(`the answer broke off: ${describeError(error)}`, error));
        res.on('close', () => {
          if (!res.complete) fail('the answer broke off');
        });
        res.on('end', () => {
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          settle({ ok: true, answer: { status: res.statusCode ?? 0, body: new Uint8Array(all.buffer, all.byteOffset, all.length) } });
        });
      });
      req.on('error', (error) => fail(describeError(error), error));
      req.end(body);
    });
  return async (path, body) => {
    const url = new URL(path, icUrl);
    let attempt = await once(url, body);
    // A kept-alive connection the server closed just as it was reused fails before any answer: post once
    // more (as Node's documentation advises; a query is safe to repeat). A timeout is not repeated at once.
    if (!attempt.ok && attempt.reusedConnection) attempt = await once(url, body);
    if (!attempt.ok) throw attempt.error;
    return attempt.answer;
  };
}

function fetchPost(icUrl: URL, timeoutMs: number, fetchFn: typeof fetch): IcHttpPost {
  return async (path, body) => {
    const url = new URL(path, icUrl);
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: CBOR_HEADERS,
        body: body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    } catch (error) {
      const why = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeError(error);
      throw new GatewayError(ErrorCode.PollFailed, `${url.pathname}: ${why}`, { cause: error, transient: true });
    }
  };
}
