import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { protocolErrorOf } from '../../tests/support/hostile-bytes';
import type { ClientKey, WebsocketMessage } from '../candid/types';
import { encodeWebsocketMessage } from '../cbor/websocket-message';
import { ErrorCode } from '../errors';
import { CertifiedMap } from '../hash-tree/certified-map';
import { labeled, leaf, lookupPath, reconstruct } from '../hash-tree/hash-tree';
import { decodeHashTree, encodeHashTree } from '../hash-tree/hash-tree-cbor';
import { formatOutgoingKey } from '../key';
import { BatchWitness } from './batch-witness';
import { checkMessageKey, verifyCertifiedMessage, type CertifiedMessageExpectation } from './certified-message';
import { CERTIFIED_LABEL, certifiedMessageHash, certifiedMessagesRootHash, encodeMessagesWitness } from './certified-messages-tree';

const gateway = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const otherGateway = Principal.fromText('aaaaa-aa');
const clientKey: ClientKey = { client_principal: Principal.fromText('2vxsx-fae'), client_nonce: 7n };

function message(sequenceNum: bigint, key: ClientKey = clientKey): WebsocketMessage {
  return { client_key: key, sequence_num: sequenceNum, timestamp: 1n, is_service_message: false, content: Uint8Array.of(sequenceNum > 255n ? 0 : Number(sequenceNum)) };
}

/** A canister's queue for `gateway` holding `messages` (nonces 0, 1, ...), and one batch of all of them. */
function queue(messages: readonly (WebsocketMessage | Uint8Array)[], forGateway = gateway) {
  const map = new CertifiedMap();
  const entries = messages.map((m, nonce) => {
    const key = formatOutgoingKey(forGateway, BigInt(nonce));
    const content = m instanceof Uint8Array ? m : encodeWebsocketMessage(m);
    map.set(key, certifiedMessageHash(content));
    return { key, content };
  });
  const tree = encodeMessagesWitness(map, entries.map((e) => e.key));
  return { map, entries, tree, certifiedData: certifiedMessagesRootHash(map) };
}

const expectFirst: CertifiedMessageExpectation = { gatewayPrincipal: gateway, clientKey, sequenceNum: 1n };

describe('the certified messages tree', () => {
  it('puts each message under the label, its hash as the leaf, and the witness hashes to the certified data', () => {
    const { entries, tree, certifiedData } = queue([message(1n), message(2n)]);
    const decoded = decodeHashTree(tree);
    expect(reconstruct(decoded)).toEqual(certifiedData);
    for (const { key, content } of entries) {
      expect(lookupPath(decoded, [CERTIFIED_LABEL, key])).toEqual({ status: 'found', value: certifiedMessageHash(content) });
    }
  });
});

describe('verifyCertifiedMessage', () => {
  it('returns the decoded message and its key nonce; one decoded witness serves the whole batch', () => {
    const { entries, tree, certifiedData } = queue([message(1n), message(2n), message(3n)]);
    const witness = BatchWitness.decode(tree);
    let keyNonceAbove: bigint | undefined;
    for (const [i, { key, content }] of entries.entries()) {
      const sequenceNum = BigInt(i + 1);
      const verified = verifyCertifiedMessage({ witness, certifiedData, key, content }, { gatewayPrincipal: gateway, clientKey, keyNonceAbove, sequenceNum });
      expect(verified.message).toEqual(message(sequenceNum));
      expect(verified.keyNonce).toBe(BigInt(i));
      keyNonceAbove = verified.keyNonce;
    }
    expect(witness.hasBytes(tree)).toBe(true);
  });

  it('accepts the witness as bytes too', () => {
    const { entries, tree, certifiedData } = queue([message(1n)]);
    const { key, content } = entries[0]!;
    expect(verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, expectFirst).message.sequence_num).toBe(1n);
  });

  it("accepts any sequence number only when told to ('any')", () => {
    const { entries, tree, certifiedData } = queue([message(9n)]);
    const { key, content } = entries[0]!;
    expect(verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, { ...expectFirst, sequenceNum: 'any' }).message.sequence_num).toBe(9n);
    const error = protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, expectFirst));
    expect(error.code).toBe(ErrorCode.WrongSequenceNumber);
  });

  it('refuses content with one flipped bit (WITNESS_INVALID)', () => {
    const { entries, tree, certifiedData } = queue([message(1n)]);
    const { key, content } = entries[0]!;
    for (let bit = 0; bit < content.length * 8; bit += 7) {
      const flipped = content.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content: flipped }, expectFirst)).code).toBe(
        ErrorCode.WitnessInvalid,
      );
    }
  });

  it('refuses a witness whose root is not the certified data (WITNESS_INVALID)', () => {
    const { entries, tree } = queue([message(1n)]);
    const { key, content } = entries[0]!;
    const stale = queue([message(1n), message(2n)]).certifiedData;
    expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData: stale, key, content }, expectFirst)).code).toBe(
      ErrorCode.WitnessInvalid,
    );
  });

  it('refuses a consistent forged witness: its root is not the certified data (WITNESS_INVALID)', () => {
    const { entries, certifiedData } = queue([message(1n)]);
    const { key } = entries[0]!;
    const content = encodeWebsocketMessage(message(1n, { ...clientKey, client_nonce: 8n }));
    const forged = encodeHashTree(labeled(CERTIFIED_LABEL, labeled(key, leaf(certifiedMessageHash(content)))));
    expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: forged, certifiedData, key, content }, expectFirst)).code).toBe(
      ErrorCode.WitnessInvalid,
    );
  });

  it('refuses a witness that does not reveal the key, or the same leaf under another label (WITNESS_INVALID)', () => {
    const { map, entries, certifiedData } = queue([message(1n), message(2n)]);
    const [first, second] = entries;
    const witnessOfSecond = encodeMessagesWitness(map, [second!.key]);
    expect(
      protocolErrorOf(() => verifyCertifiedMessage({ witness: witnessOfSecond, certifiedData, key: first!.key, content: first!.content }, expectFirst)).code,
    ).toBe(ErrorCode.WitnessInvalid);
    const elsewhere = encodeHashTree(labeled('elsewhere', map.witness([first!.key])));
    const root = reconstruct(decodeHashTree(elsewhere));
    expect(
      protocolErrorOf(() => verifyCertifiedMessage({ witness: elsewhere, certifiedData: root, key: first!.key, content: first!.content }, expectFirst)).code,
    ).toBe(ErrorCode.WitnessInvalid);
  });

  it('refuses undecodable witness bytes (WITNESS_INVALID)', () => {
    const { entries, certifiedData } = queue([message(1n)]);
    const { key, content } = entries[0]!;
    const error = protocolErrorOf(() => verifyCertifiedMessage({ witness: Uint8Array.of(0xff), certifiedData, key, content }, expectFirst));
    expect(error.code).toBe(ErrorCode.WitnessInvalid);
    expect((error.cause as { code?: string }).code).toBe(ErrorCode.CborMalformed);
  });

  it('refuses certified content for another client key (WRONG_CLIENT_KEY)', () => {
    const stranger = { ...clientKey, client_nonce: 8n };
    const { entries, tree, certifiedData } = queue([message(1n, stranger)]);
    const { key, content } = entries[0]!;
    expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, expectFirst)).code).toBe(
      ErrorCode.WrongClientKey,
    );
    const otherPrincipal = { ...clientKey, client_principal: gateway };
    const other = queue([message(1n, otherPrincipal)]);
    expect(
      protocolErrorOf(() =>
        verifyCertifiedMessage({ witness: other.tree, certifiedData: other.certifiedData, key: other.entries[0]!.key, content: other.entries[0]!.content }, expectFirst),
      ).code,
    ).toBe(ErrorCode.WrongClientKey);
  });

  it("refuses a genuine message keyed for another gateway (WRONG_GATEWAY)", () => {
    const { entries, tree, certifiedData } = queue([message(1n)], otherGateway);
    const { key, content } = entries[0]!;
    expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, expectFirst)).code).toBe(
      ErrorCode.WrongGateway,
    );
  });

  it('refuses a replayed or reordered key (NONCE_NOT_GROWING)', () => {
    const { entries, tree, certifiedData } = queue([message(1n), message(2n)]);
    const { key, content } = entries[1]!;
    for (const keyNonceAbove of [1n, 2n]) {
      expect(
        protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, { ...expectFirst, sequenceNum: 2n, keyNonceAbove })).code,
      ).toBe(ErrorCode.NonceNotGrowing);
    }
  });

  it('refuses a dropped message: the next one has the wrong sequence number (WRONG_SEQUENCE_NUMBER)', () => {
    const { entries, tree, certifiedData } = queue([message(1n), message(2n), message(3n)]);
    const { key, content } = entries[2]!;
    const error = protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, { ...expectFirst, sequenceNum: 2n, keyNonceAbove: 0n }));
    expect(error.code).toBe(ErrorCode.WrongSequenceNumber);
  });

  it('refuses certified content that is not a WebsocketMessage (INVALID_CANISTER_MESSAGE)', () => {
    const { entries, tree, certifiedData } = queue([Uint8Array.of(1, 2, 3)]);
    const { key, content } = entries[0]!;
    expect(protocolErrorOf(() => verifyCertifiedMessage({ witness: tree, certifiedData, key, content }, expectFirst)).code).toBe(
      ErrorCode.InvalidCanisterMessage,
    );
  });

  it('refuses a malformed key before reading the witness (INVALID_CANISTER_MESSAGE, cause INVALID_KEY)', () => {
    const { certifiedData, entries } = queue([message(1n)]);
    const error = protocolErrorOf(() =>
      verifyCertifiedMessage({ witness: Uint8Array.of(0xff), certifiedData, key: 'not-a-key', content: entries[0]!.content }, expectFirst),
    );
    expect(error.code).toBe(ErrorCode.InvalidCanisterMessage);
    expect((error.cause as { code?: string }).code).toBe(ErrorCode.InvalidKey);
  });
});

describe('checkMessageKey', () => {
  it('gives the nonce of a key of the gateway above the last one', () => {
    expect(checkMessageKey(formatOutgoingKey(gateway, 3n), { gatewayPrincipal: gateway })).toBe(3n);
    expect(checkMessageKey(formatOutgoingKey(gateway, 3n), { gatewayPrincipal: gateway, keyNonceAbove: 2n })).toBe(3n);
  });

  it.each([
    ['a malformed key', 'x', {}, ErrorCode.InvalidCanisterMessage],
    ["another gateway's key", formatOutgoingKey(otherGateway, 3n), {}, ErrorCode.WrongGateway],
    ['a key not above the last', formatOutgoingKey(gateway, 3n), { keyNonceAbove: 3n }, ErrorCode.NonceNotGrowing],
  ])('refuses %s', (_name, key, extra, code) => {
    expect(protocolErrorOf(() => checkMessageKey(key, { gatewayPrincipal: gateway, ...extra })).code).toBe(code);
  });
});
