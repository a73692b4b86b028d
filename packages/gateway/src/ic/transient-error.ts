import { AgentError, HttpErrorCode, HttpFetchErrorCode, TimeoutWaitingForResponseErrorCode } from '@dfinity/agent';
import { GatewayError } from '../gateway-error';

/**
 * HTTP statuses after which the same request may succeed later: the IC (a boundary node, a replica) is
 * overloaded, restarting or slow. Any other 4xx is the request's own fault.
 */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * Whether an IC request that failed with `error` may succeed if made again: our own errors say so
 * (`GatewayError.transient`); @dfinity/agent's say it by their code (the fetch failed, a transient HTTP
 * status, no answer in time). Certified outcomes and rejections are never transient: the IC executed, or
 * will never execute, that request.
 */
export function isTransientIcError(error: unknown): boolean {
  if (error instanceof GatewayError) return error.transient;
  if (error instanceof AgentError) {
    const code = error.cause.code;
    if (code instanceof HttpFetchErrorCode || code instanceof TimeoutWaitingForResponseErrorCode) return true;
    return code instanceof HttpErrorCode && isTransientStatus(code.status);
  }
  return false;
}
