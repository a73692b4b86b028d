import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { appMessage, idOf, principal, serviceMessage, setup } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

describe('ws_message', () => {
  it('decodes app messages with the app IDL and hands them to onMessage in order', () => {
    const { events, open, sendText } = setup();
    const key = open(1);
    expect(sendText(key, 1n, 'hello')).toEqual({ Ok: null });
    expect(sendText(key, 2n, 'world')).toEqual({ Ok: null });
    expect(events.filter((e) => e.type === 'message')).toEqual([
      { type: 'message', client: idOf(key), message: 'hello' },
      { type: 'message', client: idOf(key), message: 'world' },
    ]);
  });

  it('refuses a caller that does not own client_key, without closing the client', () => {
    const { ws, events, open } = setup();
    const key = open(1);
    const result = ws.wsMessage({ msg: appMessage(key, 1n, IDL.encode([IDL.Text], ['x'])) }, principal(2));
    expect(result).toEqual({ Err: WsErrorMessage.CallerNotClient });
    expect(ws.isConnected(key)).toBe(true);
    expect(events.filter((e) => e.type === 'message')).toEqual([]);
  });

  it('refuses a client key that is not connected', () => {
    const { sendText } = setup();
    expect(sendText({ client_principal: principal(1), client_nonce: 9n }, 1n, 'x')).toEqual({ Err: WsErrorMessage.ClientNotConnected });
  });

  it.each([
    ['a replayed sequence number', 1n],
    ['a skipped sequence number', 3n],
    ['zero', 0n],
  ])('closes the client with WrongSequenceNumber on %s', (_, wrong) => {
    const { ws, gateway, events, open, sendText } = setup();
    const key = open(1);
    expect(sendText(key, 1n, 'first')).toEqual({ Ok: null });
    expect(sendText(key, wrong, 'bad')).toEqual({ Err: WsErrorMessage.WrongSequenceNumber });
    expect(ws.isConnected(key)).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'close', client: idOf(key), reason: 'WrongSequenceNumber' });
    expect(events.filter((e) => e.type === 'message')).toHaveLength(1);
    const messages = gateway.pollAll();
    expect(messages.at(-1)?.service).toEqual({ CloseMessage: { reason: { WrongSequenceNumber: null } } });
    expect(messages.at(-1)?.sequenceNum).toBe(2n);
  });

  it('records a keep-alive service message without calling onMessage', () => {
    const { ws, events, open, sendService } = setup();
    const key = open(1);
    expect(sendService(key, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 1n } })).toEqual({ Ok: null });
    expect(ws.isConnected(key)).toBe(true);
    expect(events.filter((e) => e.type === 'message')).toEqual([]);
  });

  it.each([
    ['an OpenMessage', { OpenMessage: { client_key: { client_principal: principal(1), client_nonce: 1n } } }],
    ['an AckMessage', { AckMessage: { last_incoming_sequence_num: 0n } }],
    ['a CloseMessage', { CloseMessage: { reason: { ClosedByApplication: null } } }],
  ] as const)('closes the client with InvalidServiceMessage on %s from the client', (_, content) => {
    const { ws, gateway, events, open, sendService } = setup();
    const key = open(1);
    expect(sendService(key, 1n, content)).toEqual({ Err: WsErrorMessage.InvalidServiceMessage });
    expect(ws.isConnected(key)).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'close', client: idOf(key), reason: 'InvalidServiceMessage' });
    expect(gateway.pollAll().at(-1)?.service).toEqual({ CloseMessage: { reason: { InvalidServiceMessage: null } } });
  });

  it('closes the client with InvalidServiceMessage on undecodable service content', () => {
    const { ws, open } = setup();
    const key = open(1);
    const msg = { ...serviceMessage(key, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 0n } }), content: Uint8Array.of(1, 2, 3) };
    expect(ws.wsMessage({ msg }, key.client_principal)).toEqual({ Err: WsErrorMessage.InvalidServiceMessage });
    expect(ws.isConnected(key)).toBe(false);
  });

  it('answers Err for an app message that does not decode, keeps the client and counts the sequence number', () => {
    const { ws, events, open, sendText } = setup();
    const key = open(1);
    const bad = ws.wsMessage({ msg: appMessage(key, 1n, IDL.encode([IDL.Nat], [5n])) }, key.client_principal);
    expect(bad).toEqual({ Err: WsErrorMessage.InvalidAppMessage });
    expect(ws.isConnected(key)).toBe(true);
    expect(sendText(key, 2n, 'next')).toEqual({ Ok: null });
    expect(events.at(-1)).toEqual({ type: 'message', client: idOf(key), message: 'next' });
  });

  it('refuses a hostile vec null of 2^32 elements as an invalid app message, quickly', () => {
    const { ws, open } = setup();
    const key = open(1);
    const hostile = Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0x01, 0x6d, 0x7f, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10);
    expect(ws.wsMessage({ msg: appMessage(key, 1n, hostile) }, key.client_principal)).toEqual({ Err: WsErrorMessage.InvalidAppMessage });
    expect(ws.isConnected(key)).toBe(true);
  });

  it('keeps the sequences of two connections of one principal apart', () => {
    const { open, sendText } = setup();
    const a = open(1, 1n);
    const b = open(1, 2n);
    expect(sendText(a, 1n, 'a1')).toEqual({ Ok: null });
    expect(sendText(b, 1n, 'b1')).toEqual({ Ok: null });
    expect(sendText(a, 2n, 'a2')).toEqual({ Ok: null });
  });

  it('lets onMessage reply: the reply is queued with the next sequence number and certified once', () => {
    let ws!: ReturnType<typeof setup>['ws'];
    const harness = setup({ onMessage: (client, text) => ws.send(client, `echo ${text}`) });
    ws = harness.ws;
    const key = harness.open(1);
    const before = harness.host.certifiedDataHistory.length;
    harness.sendText(key, 1n, 'hi');
    expect(harness.host.certifiedDataHistory.length).toBe(before + 1);
    const messages = harness.gateway.pollAll();
    expect(messages.map((m) => [m.sequenceNum, m.app ?? Object.keys(m.service ?? {})[0]])).toEqual([
      [1n, 'OpenMessage'],
      [2n, 'echo hi'],
    ]);
  });
});
