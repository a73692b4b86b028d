import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import type { DeliveryState, OutgoingMessage } from 'ic-ws-client';
import type { ChatEntry, ChatMessage, Member } from '../shared/chat-message';
import { ChatState } from './chat-state';

const me: Member = { principal: Principal.fromUint8Array(Uint8Array.of(0x11, 1, 1)), nickname: 'me' };
const bob: Member = { principal: Principal.fromUint8Array(Uint8Array.of(0x11, 2, 1)), nickname: 'bob' };

function entry(id: bigint, from: Member, clientSentAtMs?: bigint): ChatEntry {
  return { id, from: from.principal, nickname: from.nickname, text: `t${id}`, sent_at_ns: 0n, client_sent_at_ms: clientSentAtMs === undefined ? [] : [clientSentAtMs] };
}

describe('ChatState', () => {
  it('takes history and members from Welcome, and a second Welcome (a reconnection) replaces them', () => {
    const state = new ChatState();
    state.apply({ Welcome: { you: me, history: [entry(0n, bob)], online: [me, bob] } });
    expect(state.snapshot.entries.map((e) => e.id)).toEqual([0n]);
    expect([...state.snapshot.online.values()].map((m) => m.nickname)).toEqual(['me', 'bob']);
    state.apply({ Posted: entry(1n, bob) });
    state.apply({ Welcome: { you: me, history: [entry(0n, bob), entry(1n, bob), entry(2n, me)], online: [me] } });
    expect(state.snapshot.entries.map((e) => e.id)).toEqual([0n, 1n, 2n]);
    expect([...state.snapshot.online.keys()]).toEqual([me.principal.toText()]);
  });

  it('measures the round trip of its own posts only, once each', () => {
    let now = 1000;
    const state = new ChatState(() => now);
    state.apply({ Welcome: { you: me, history: [], online: [me, bob] } });
    const first = state.notePostSent();
    const second = state.notePostSent();
    expect(second).toBe(first + 1n);
    now = 1042;
    // Bob's post with the same stamp says nothing about our round trip.
    state.apply({ Posted: entry(0n, bob, first) });
    expect(state.snapshot.lastRoundTripMs).toBeUndefined();
    state.apply({ Posted: entry(1n, me, first) });
    expect(state.snapshot.lastRoundTripMs).toBe(42);
    now = 1100;
    // The same post again (duplicate id) and a post of ours from before this page (unknown stamp) change nothing.
    state.apply({ Posted: entry(1n, me, first) });
    state.apply({ Posted: entry(2n, me, 5n) });
    expect(state.snapshot.lastRoundTripMs).toBe(42);
    expect(state.snapshot.entries.map((e) => e.id)).toEqual([0n, 1n, 2n]);
  });

  it('tracks joins, leaves, renames (its own too) and refusals', () => {
    const state = new ChatState();
    state.apply({ Welcome: { you: me, history: [], online: [me] } });
    state.apply({ Joined: bob });
    state.apply({ Renamed: { member: { ...me, nickname: 'Me!' }, previous: 'me' } });
    state.apply({ Left: bob });
    state.apply({ Rejected: { reason: 'too long' } });
    const s = state.snapshot;
    expect(s.me?.nickname).toBe('Me!');
    expect([...s.online.values()].map((m) => m.nickname)).toEqual(['Me!']);
    expect(s.notices).toEqual(['bob joined', 'me is now Me!', 'bob left']);
    expect(s.lastRejection).toBe('too long');
  });

  it('marks its own posts with their delivery state, and lists those not broadcast back yet', () => {
    const state = new ChatState();
    state.apply({ Welcome: { you: me, history: [], online: [me] } });
    const sent = (id: string, text: string, at: bigint, deliveryState: DeliveryState, error?: string): OutgoingMessage<ChatMessage> =>
      ({ id, data: { Post: { text, client_sent_at_ms: at } }, state: deliveryState, error: error === undefined ? undefined : { message: error } }) as unknown as OutgoingMessage<ChatMessage>;
    state.trackDelivery(sent('a:1', 'first', 10n, 'relayed'));
    state.trackDelivery(sent('a:2', 'second', 11n, 'queued'));
    state.trackDelivery({ id: 'a:3', data: { SetNickname: { nickname: 'x' } }, state: 'queued' } as unknown as OutgoingMessage<ChatMessage>);
    expect(state.unsentPosts().map((p) => [p.text, p.state])).toEqual([
      ['first', 'relayed'],
      ['second', 'queued'],
    ]);
    const posted: ChatEntry = { ...entry(0n, me, 10n), text: 'first' };
    state.apply({ Posted: posted });
    state.trackDelivery(sent('a:1', 'first', 10n, 'acknowledged'));
    expect(state.ownPostOf(posted)?.state).toBe('acknowledged');
    state.trackDelivery(sent('a:2', 'second', 11n, 'failed', 'the canister failed message 3: too long'));
    expect(state.unsentPosts().map((p) => [p.text, p.state, p.error])).toEqual([['second', 'failed', 'the canister failed message 3: too long']]);
    // Someone else's post with the same stamp and text is not ours.
    expect(state.ownPostOf({ ...entry(1n, bob, 10n), text: 'first' })).toBeUndefined();
  });
});
