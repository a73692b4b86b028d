import type { DeliveryState, IcWebSocketState } from 'ic-ws-client';
import type { ChatEntry } from '../shared/chat-message';
import type { ChatState, OwnPost } from './chat-state';

/** The page's elements, found by `data-testid` (the same handles the browser test uses). */
function element<T extends HTMLElement>(root: ParentNode, testId: string): T {
  const found = root.querySelector<T>(`[data-testid="${testId}"]`);
  if (!found) throw new Error(`index.html has no element with data-testid="${testId}"`);
  return found;
}

/** The mark next to one of this browser's posts. */
const DELIVERY_MARKS: Record<DeliveryState, { mark: string; title: string }> = {
  queued: { mark: '◷', title: 'waiting for the connection' },
  relayed: { mark: '…', title: 'sent, waiting for the canister' },
  acknowledged: { mark: '✓', title: 'the canister took it' },
  failed: { mark: '✗', title: 'not delivered' },
};

const STATE_LABELS: Record<IcWebSocketState, string> = {
  connecting: 'connecting',
  open: 'connected',
  reconnecting: 'reconnecting',
  closing: 'closing',
  closed: 'disconnected',
};

/**
 * Renders a {@link ChatState} into index.html and reports the user's input. User text only ever goes into
 * `textContent`, never into HTML.
 */
export class ChatView {
  private readonly connection = element(document, 'connection-state');
  private readonly connectionDetail = element(document, 'connection-detail');
  private readonly latency = element(document, 'latency');
  private readonly verifier = element(document, 'bls-verifier');
  private readonly me = element(document, 'me');
  private readonly online = element<HTMLUListElement>(document, 'online-list');
  private readonly notices = element<HTMLUListElement>(document, 'notices');
  private readonly messages = element<HTMLOListElement>(document, 'message-list');
  private readonly problem = element(document, 'problem');
  private readonly postForm = element<HTMLFormElement>(document, 'post-form');
  private readonly messageInput = element<HTMLInputElement>(document, 'message-input');
  private readonly sendButton = element<HTMLButtonElement>(document, 'send-button');
  private readonly nicknameForm = element<HTMLFormElement>(document, 'nickname-form');
  private readonly nicknameInput = element<HTMLInputElement>(document, 'nickname-input');
  private readonly nicknameButton = element<HTMLButtonElement>(document, 'nickname-button');
  private readonly side = element(document, 'people');

  /** Calls `handler` with each non-empty message the user submits; clears the input when it returns true. */
  onPost(handler: (text: string) => boolean): void {
    this.postForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.messageInput.value.trim();
      if (text === '') return;
      if (handler(text)) this.messageInput.value = '';
    });
  }

  /** Calls `handler` with each nickname the user submits. */
  onNickname(handler: (nickname: string) => void): void {
    this.nicknameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const nickname = this.nicknameInput.value.trim();
      if (nickname !== '') handler(nickname);
    });
  }

  /** Shows the connection state; `detail` says why (or when the next attempt is). */
  showConnection(state: IcWebSocketState, detail = ''): void {
    this.connection.textContent = STATE_LABELS[state];
    this.connection.dataset.state = state;
    this.connectionDetail.textContent = detail;
    // While not connected: no input (nothing could go out), and who is online and the round trip are only
    // what they were when the connection was lost, so they are shown greyed out.
    const connected = state === 'open';
    for (const control of [this.messageInput, this.sendButton, this.nicknameInput, this.nicknameButton]) control.disabled = !connected;
    this.side.dataset.stale = String(!connected);
    this.latency.dataset.stale = String(!connected);
    this.side.title = connected ? '' : 'as of the last connection';
  }

  /** Shows which BLS verifier checks certificates (`wasm`, or the `noble` fallback and why). */
  showVerifier(verifier: { kind: string; fallbackReason?: string } | undefined): void {
    this.verifier.textContent = verifier?.kind ?? '…';
    this.verifier.title = verifier?.fallbackReason ?? '';
  }

  /** Shows a problem the user should know about (`''` hides it). */
  showProblem(text: string): void {
    this.problem.textContent = text;
    this.problem.hidden = text === '';
  }

  /** Redraws everything the state holds. */
  render(state: ChatState): void {
    const s = state.snapshot;
    this.me.textContent = s.me ? `${s.me.nickname} (${s.me.principal.toText()})` : '…';
    if (s.me && document.activeElement !== this.nicknameInput) this.nicknameInput.value = s.me.nickname;
    this.latency.textContent = s.lastRoundTripMs === undefined ? '–' : `${s.lastRoundTripMs} ms`;
    this.online.replaceChildren(
      ...[...s.online.values()].map((member) => listItem(member.nickname, member.principal.toText())),
    );
    this.notices.replaceChildren(...s.notices.map((notice) => listItem(notice)));
    this.renderEntries(state, s.entries);
    this.showProblem(s.lastRejection === undefined ? '' : `The canister refused: ${s.lastRejection}`);
  }

  private renderEntries(state: ChatState, entries: readonly ChatEntry[]): void {
    const atBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 40;
    this.messages.replaceChildren(
      ...entries.map((entry) => this.entryItem(entry, state.isMine(entry), state.ownPostOf(entry))),
      // Own posts the canister has not broadcast back yet: waiting, on their way, or failed.
      ...state.unsentPosts().map((post) => this.unsentItem(post, state.snapshot.me?.nickname ?? 'you')),
    );
    // Follow new messages unless the user scrolled up to read.
    if (atBottom) this.messages.scrollTop = this.messages.scrollHeight;
  }

  private entryItem(entry: ChatEntry, mine: boolean, own: OwnPost | undefined): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset.testid = 'message';
    item.dataset.id = entry.id.toString();
    item.className = mine ? 'message mine' : 'message';
    const author = document.createElement('span');
    author.className = 'author';
    author.dataset.testid = 'message-author';
    author.textContent = entry.nickname;
    author.title = entry.from.toText();
    const time = document.createElement('time');
    const sentAt = new Date(Number(entry.sent_at_ns / 1_000_000n));
    time.dateTime = sentAt.toISOString();
    time.textContent = sentAt.toLocaleTimeString();
    item.append(author, time);
    if (own !== undefined) item.append(deliveryMark(own));
    item.append(messageText(entry.text));
    return item;
  }

  private unsentItem(post: OwnPost, nickname: string): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset.testid = 'message';
    item.dataset.delivery = post.state;
    item.className = `message mine unsent ${post.state}`;
    const author = document.createElement('span');
    author.className = 'author';
    author.dataset.testid = 'message-author';
    author.textContent = nickname;
    item.append(author, deliveryMark(post), messageText(post.text));
    if (post.error !== undefined) {
      const why = document.createElement('p');
      why.className = 'why';
      why.dataset.testid = 'delivery-error';
      why.textContent = post.error;
      item.append(why);
    }
    return item;
  }
}

function deliveryMark(post: OwnPost): HTMLSpanElement {
  const mark = document.createElement('span');
  const { mark: symbol, title } = DELIVERY_MARKS[post.state];
  mark.className = 'delivery';
  mark.dataset.testid = 'delivery-state';
  mark.dataset.state = post.state;
  mark.dataset.messageId = post.id;
  mark.textContent = symbol;
  mark.title = post.error ?? title;
  return mark;
}

function messageText(value: string): HTMLParagraphElement {
  const text = document.createElement('p');
  text.className = 'text';
  text.dataset.testid = 'message-text';
  text.textContent = value;
  return text;
}

function listItem(text: string, title?: string): HTMLLIElement {
  const item = document.createElement('li');
  item.textContent = text;
  if (title !== undefined) item.title = title;
  return item;
}
