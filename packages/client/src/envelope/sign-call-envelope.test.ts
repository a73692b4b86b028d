import { requestIdOf, SignIdentity, type PublicKey, type Signature } from '@dfinity/agent';
import { DelegationChain, DelegationIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { decodeClientRequestFrame, encodeClientRequestFrame, ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '../../tests/support/noble';
import { signCallEnvelope } from './sign-call-envelope';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const arg = Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 0);

function signedMessage(content: Parameters<typeof requestIdOf>[0]): Uint8Array {
  const sep = new TextEncoder().encode('\x0Aic-request');
  const id = requestIdOf(content);
  const out = new Uint8Array(sep.length + id.length);
  out.set(sep, 0);
  out.set(id, sep.length);
  return out;
}

describe('signCallEnvelope', () => {
  it('builds the agent-js call envelope, signed over its request id', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const envelope = await signCallEnvelope(identity, { canisterId, methodName: 'ws_message', arg });
    expect(envelope.content).toMatchObject({ request_type: 'call', method_name: 'ws_message', arg });
    expect(envelope.content.canister_id.toText()).toBe(canisterId.toText());
    expect(envelope.content.sender.toText()).toBe(identity.getPrincipal().toText());
    expect(envelope.content.nonce).toHaveLength(16);
    const expiryMs = Number(envelope.content.ingress_expiry / 1_000_000n);
    expect(expiryMs).toBeGreaterThan(Date.now() + 60_000);
    expect(expiryMs).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(envelope.sender_pubkey).toEqual(new Uint8Array(identity.getPublicKey().toDer()));
    expect(envelope.sender_delegation).toBeUndefined();
    const ok = ed25519.verify(envelope.sender_sig!, signedMessage({ ...envelope.content }), identity.getPublicKey().rawKey);
    expect(ok).toBe(true);
  });

  it('survives the client request frame unchanged (the IC recomputes the same request id)', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const envelope = await signCallEnvelope(identity, { canisterId, methodName: 'ws_open', arg });
    const decoded = decodeClientRequestFrame(encodeClientRequestFrame({ envelope })).envelope;
    expect(requestIdOf({ ...decoded.content })).toEqual(requestIdOf({ ...envelope.content }));
    expect(decoded.sender_sig).toEqual(envelope.sender_sig);
  });

  it('carries the delegation chain of a delegation identity', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 3_600_000), { targets: [canisterId] });
    const identity = DelegationIdentity.fromDelegation(session, chain);
    const envelope = await signCallEnvelope(identity, { canisterId, methodName: 'ws_message', arg });
    expect(envelope.content.sender.toText()).toBe(root.getPrincipal().toText());
    expect(envelope.sender_pubkey).toEqual(new Uint8Array(root.getPublicKey().toDer()));
    expect(envelope.sender_delegation).toHaveLength(1);
    expect(envelope.sender_delegation![0]!.delegation.targets?.[0]?.toText()).toBe(canisterId.toText());
    // The session key signs the request; the root key signed the delegation.
    expect(ed25519.verify(envelope.sender_sig!, signedMessage({ ...envelope.content }), session.getPublicKey().rawKey)).toBe(true);
    const roundTrip = decodeClientRequestFrame(encodeClientRequestFrame({ envelope })).envelope;
    expect(roundTrip.sender_delegation![0]!.signature).toEqual(envelope.sender_delegation![0]!.signature);
  });

  it('reports an identity that cannot sign as SIGNING_FAILED', async () => {
    class BrokenIdentity extends SignIdentity {
      private readonly inner = Ed25519KeyIdentity.generate();
      getPublicKey(): PublicKey {
        return this.inner.getPublicKey();
      }
      sign(): Promise<Signature> {
        return Promise.reject(new Error('the hardware key was unplugged'));
      }
    }
    await expect(signCallEnvelope(new BrokenIdentity(), { canisterId, methodName: 'ws_open', arg })).rejects.toMatchObject({
      code: ErrorCode.SigningFailed,
    });
  });
});
