import { describe, expect, it } from 'vitest';
import { HISTORY_LENGTH, MAX_TEXT_LENGTH, type ChatMessage } from '../shared/chat-message';
import { chatHarness, user } from './testing/chat-harness';

/** The variant name of each message, for compact assertions. */
function kinds(received: [string, ChatMessage][]): string[] {
  return received.map(([to, message]) => `${to} ${Object.keys(message)[0]}`);
}

describe('ChatRoom over ic-ws-canister', () => {
  it('welcomes a connection with history and who is online, and announces each member once', () => {
    const chat = chatHarness();
    const alice = chat.open(1);
    expect(kinds(chat.received())).toEqual(['u1:1 Welcome', 'u1:1 Joined']);
    chat.say(alice, { Post: { text: 'first', client_sent_at_ms: 1n } });
    chat.received();

    chat.open(2);
    const received = chat.received();
    expect(kinds(received)).toEqual(['u2:1 Welcome', 'u1:1 Joined', 'u2:1 Joined']);
    const welcome = received[0]![1] as Extract<ChatMessage, { Welcome: unknown }>;
    expect(welcome.Welcome.you.nickname).toBe(`guest-${user(2).toText().slice(0, 5)}`);
    expect(welcome.Welcome.history.map((e) => e.text)).toEqual(['first']);
    expect(welcome.Welcome.online.map((m) => m.principal.toText())).toEqual([user(1).toText(), user(2).toText()]);

    // A second tab of the same identity is welcomed but is no new member.
    chat.open(2, 2n);
    expect(kinds(chat.received())).toEqual(['u2:2 Welcome']);
  });

  it('broadcasts a post to every connection with the nickname, IC time and the echoed client time', () => {
    const chat = chatHarness();
    const alice = chat.open(1);
    chat.open(2);
    chat.received();
    expect(chat.say(alice, { Post: { text: '  hello  ', client_sent_at_ms: 1234n } })).toEqual({ Ok: null });
    const received = chat.received();
    expect(kinds(received)).toEqual(['u1:1 Posted', 'u2:1 Posted']);
    expect(received[1]![1]).toEqual({
      Posted: { id: 0n, from: user(1), nickname: `guest-${user(1).toText().slice(0, 5)}`, text: 'hello', sent_at_ns: chat.host.time(), client_sent_at_ms: [1234n] },
    });
  });

  it('keeps the last 50 posts for newcomers', () => {
    const chat = chatHarness();
    const alice = chat.open(1);
    for (let i = 0; i < HISTORY_LENGTH + 5; i++) chat.say(alice, { Post: { text: `m${i}`, client_sent_at_ms: 0n } });
    chat.received();
    chat.open(2);
    const welcome = chat.received()[0]![1] as Extract<ChatMessage, { Welcome: unknown }>;
    expect(welcome.Welcome.history).toHaveLength(HISTORY_LENGTH);
    expect(welcome.Welcome.history[0]!.text).toBe('m5');
    expect(welcome.Welcome.history.at(-1)!.id).toBe(BigInt(HISTORY_LENGTH + 4));
  });

  it('renames: everyone is told, later posts carry the new nickname, the same nickname again is a no-op', () => {
    const chat = chatHarness();
    const alice = chat.open(1);
    chat.open(2);
    chat.received();
    chat.say(alice, { SetNickname: { nickname: ' Alice ' } });
    const renamed = chat.received();
    expect(kinds(renamed)).toEqual(['u1:1 Renamed', 'u2:1 Renamed']);
    expect(renamed[0]![1]).toEqual({ Renamed: { member: { principal: user(1), nickname: 'Alice' }, previous: `guest-${user(1).toText().slice(0, 5)}` } });
    chat.say(alice, { SetNickname: { nickname: 'Alice' } });
    chat.say(alice, { Post: { text: 'hi', client_sent_at_ms: 0n } });
    const after = chat.received();
    expect(kinds(after)).toEqual(['u1:1 Posted', 'u2:1 Posted']);
    expect((after[0]![1] as Extract<ChatMessage, { Posted: unknown }>).Posted.nickname).toBe('Alice');
  });

  it.each([
    ['a blank post', { Post: { text: '   ', client_sent_at_ms: 0n } }, /cannot be empty/],
    ['a post over 500 characters', { Post: { text: 'x'.repeat(MAX_TEXT_LENGTH + 1), client_sent_at_ms: 0n } }, /at most 500/],
    ['a nickname over 32 characters', { SetNickname: { nickname: 'n'.repeat(33) } }, /at most 32/],
    ['a nickname with a line break', { SetNickname: { nickname: 'bad\nname' } }, /control characters/],
    ['a canister-only message', { Rejected: { reason: 'canister-only message' } }, /only send Post and SetNickname/],
  ] as [string, ChatMessage, RegExp][])('refuses %s to its sender only, and changes nothing', (_label, message, reason) => {
    const chat = chatHarness();
    const alice = chat.open(1);
    chat.open(2);
    chat.received();
    expect(chat.say(alice, message)).toEqual({ Ok: null });
    const received = chat.received();
    expect(kinds(received)).toEqual(['u1:1 Rejected']);
    expect((received[0]![1] as Extract<ChatMessage, { Rejected: unknown }>).Rejected.reason).toMatch(reason);
    chat.open(3);
    const welcome = chat.received()[0]![1] as Extract<ChatMessage, { Welcome: unknown }>;
    expect(welcome.Welcome.history).toEqual([]);
    expect(welcome.Welcome.online.map((m) => m.nickname)).not.toContain('bad\nname');
  });

  it('announces a member gone only when its last connection closes', () => {
    const chat = chatHarness();
    const tab1 = chat.open(1, 1n);
    const tab2 = chat.open(1, 2n);
    chat.open(2);
    chat.received();
    chat.close(tab1);
    expect(kinds(chat.received())).toEqual([]);
    chat.close(tab2);
    const received = chat.received();
    expect(kinds(received)).toEqual(['u2:1 Left']);
    expect(received[0]![1]).toEqual({ Left: { principal: user(1), nickname: `guest-${user(1).toText().slice(0, 5)}` } });
  });
});
