import { SignIdentity, type PublicKey, type Signature } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import {
  CanisterWsOpenArgumentsIdl,
  decodeClientRequestFrame,
  encodeServiceMessageContent,
  ErrorCode,
  wsServiceMethods,
  type CanisterWsMessageArguments,
  type ClientKey,
} from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import type { IcWsClientError } from '../client-error';
import { WsMessageArgEncoder } from '../envelope/ws-call-args';
import { MessageSender } from './message-sender';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const gateway = Ed25519KeyIdentity.generate().getPrincipal();
const Chat = IDL.Text;

/** An identity whose signatures wait until the test releases them. */
class GatedIdentity extends SignIdentity {
  private readonly inner = Ed25519KeyIdentity.generate();
  gate: Promise<void>;
  release!: () => void;
  constructor() {
    super();
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  getPublicKey(): PublicKey {
    return this.inner.getPublicKey();
  }
  async sign(blob: Uint8Array): Promise<Signature> {
    await this.gate;
    return this.inner.sign(blob);
  }
}

function setup(identity: SignIdentity, write?: (frame: Uint8Array) => void) {
  const clientKey: ClientKey = { client_principal: identity.getPrincipal(), client_nonce: 9n };
  const frames: Uint8Array[] = [];
  const errors: IcWsClientError[] = [];
  let idle!: () => void;
  const sender = new MessageSender({
    identity,
    canisterId,
    clientKey,
    argEncoder: new WsMessageArgEncoder(Chat),
    write: write ?? ((frame) => (frames.push(frame), frames.length === expected && idle())),
    onError: (e) => errors.push(e),
  });
  let expected = 0;
  const written = (count: number) => {
    expected = count;
    return new Promise<void>((resolve) => {
      idle = resolve;
      if (frames.length >= count) resolve();
    });
  };
  return { sender, frames, errors, written, clientKey };
}

function decodeMessage(frame: Uint8Array): CanisterWsMessageArguments['msg'] {
  const { envelope } = decodeClientRequestFrame(frame);
  expect(envelope.content.method_name).toBe('ws_message');
  const [args] = IDL.decode(wsServiceMethods(Chat).ws_message.argTypes, envelope.content.arg) as unknown as [CanisterWsMessageArguments];
  return args.msg;
}

describe('MessageSender', () => {
  it('sends ws_open with the client nonce and the handshake gateway', async () => {
    const { sender, frames, written } = setup(Ed25519KeyIdentity.generate());
    sender.sendOpen(gateway);
    await written(1);
    const { envelope } = decodeClientRequestFrame(frames[0]!);
    expect(envelope.content.method_name).toBe('ws_open');
    const [args] = IDL.decode([CanisterWsOpenArgumentsIdl], envelope.content.arg) as unknown as [{ client_nonce: bigint; gateway_principal: Principal }];
    expect(args.client_nonce).toBe(9n);
    expect(args.gateway_principal.toText()).toBe(gateway.toText());
  });

  it('numbers messages 1, 2, 3 and writes them in that order even when signing is slow', async () => {
    const identity = new GatedIdentity();
    const { sender, frames, written, clientKey } = setup(identity);
    expect([sender.send(IDL.encode([Chat], ['a']), false), sender.send(IDL.encode([Chat], ['b']), false)]).toEqual([1n, 2n]);
    const keepAlive = encodeServiceMessageContent({ KeepAliveMessage: { last_incoming_sequence_num: 4n } });
    expect(sender.send(keepAlive, true)).toBe(3n);
    expect(frames).toHaveLength(0);
    expect(sender.sentSequenceNum).toBe(0n);
    identity.release();
    await written(3);
    const messages = frames.map(decodeMessage);
    expect(messages.map((m) => m.sequence_num)).toEqual([1n, 2n, 3n]);
    expect(messages.map((m) => m.is_service_message)).toEqual([false, false, true]);
    expect(IDL.decode([Chat], messages[1]!.content)).toEqual(['b']);
    expect(messages[0]!.client_key.client_nonce).toBe(clientKey.client_nonce);
    expect(sender.sentSequenceNum).toBe(3n);
  });

  it('stops at the first write failure and reports CONNECTION_LOST', async () => {
    let writes = 0;
    const { sender, errors, written } = setup(Ed25519KeyIdentity.generate(), () => {
      writes += 1;
      throw new Error('socket closed');
    });
    sender.send(IDL.encode([Chat], ['a']), false);
    sender.send(IDL.encode([Chat], ['b']), false);
    await sender.settled();
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.ConnectionLost]);
    expect(writes).toBe(1);
    expect(sender.sentSequenceNum).toBe(0n);
  });

  it('writes nothing after stop', async () => {
    const identity = new GatedIdentity();
    const { sender, frames } = setup(identity);
    sender.send(IDL.encode([Chat], ['a']), false);
    sender.stop();
    identity.release();
    await sender.settled();
    expect(frames).toHaveLength(0);
  });
});
