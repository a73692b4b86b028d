import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { GatewayError, describeError } from './gateway-error';

describe('describeError', () => {
  it("appends a foreign error's causes, as fetch() hides its reason in them", () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(describeError(new TypeError('fetch failed', { cause: reset }))).toBe('fetch failed: other side closed');
    expect(describeError('plain text')).toBe('plain text');
  });

  it('keeps our own errors as they are: their message already names the cause', () => {
    const wrapped = new GatewayError(ErrorCode.RelayFailed, 'relay failed: fetch failed: reset', { cause: new Error('reset') });
    expect(describeError(wrapped)).toBe('relay failed: fetch failed: reset');
  });
});
