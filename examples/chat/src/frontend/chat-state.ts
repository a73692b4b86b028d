import type { DeliveryState, OutgoingMessage } from 'ic-ws-client';
import type { ChatEntry, ChatMessage, Member } from '../shared/chat-message';

/** A post this browser sent, and where it is on its way to the canister. */
export interface OwnPost {
  /** The client's message id (stable across re-sends and page reloads). */
  id: string;
  text: string;
  clientSentAtMs: bigint;
  state: DeliveryState;
  /** Why it failed, once `failed`. */
  error: string | undefined;
}

/** What the page shows, derived only from verified canister messages (and the app's own clock). */
export interface ChatSnapshot {
  /** Who this browser is, once the canister welcomed it. */
  me: Member | undefined;
  /** Posts, oldest first (the canister's history, then live posts). */
  entries: ChatEntry[];
  /** Connected members by principal text. */
  online: Map<string, Member>;
  /** Round trip of this browser's last post (send -> certified broadcast back), ms. */
  lastRoundTripMs: number | undefined;
  /** The canister's last refusal of something this browser sent. */
  lastRejection: string | undefined;
  /** Event lines for the log (joins, leaves, renames). */
  notices: string[];
  /** This browser's posts by message id, in send order (restored ones after a reload first). */
  ownPosts: Map<string, OwnPost>;
}

// Notices kept for the log; older ones scroll away.
const MAX_NOTICES = 20;

/**
 * The chat's state machine on the client side: applies each canister message to a {@link ChatSnapshot}.
 * `Welcome` resets it (a reconnection gets a fresh Welcome with the history), so nothing is shown twice.
 * Round trips are measured only for posts this browser sent in this page's life (`notePostSent`): another
 * member's clock says nothing about ours.
 */
export class ChatState {
  readonly snapshot: ChatSnapshot = {
    me: undefined,
    entries: [],
    online: new Map(),
    lastRoundTripMs: undefined,
    lastRejection: undefined,
    notices: [],
    ownPosts: new Map(),
  };
  private readonly pendingSends = new Set<bigint>();

  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  /** Records the `client_sent_at_ms` of a post just sent; returns it, for the message. */
  notePostSent(): bigint {
    let sentAt = BigInt(Math.round(this.nowMs()));
    // Two posts in one millisecond still get distinct stamps, so each round trip is matched to its post.
    while (this.pendingSends.has(sentAt)) sentAt += 1n;
    this.pendingSends.add(sentAt);
    return sentAt;
  }

  /** Applies one verified message from the canister. */
  apply(message: ChatMessage): void {
    const s = this.snapshot;
    if ('Welcome' in message) {
      s.me = message.Welcome.you;
      s.entries = [...message.Welcome.history];
      s.online = new Map(message.Welcome.online.map((m) => [m.principal.toText(), m]));
    } else if ('Posted' in message) {
      const entry = message.Posted;
      if (s.entries.some((e) => e.id === entry.id)) return;
      s.entries.push(entry);
      this.measureRoundTrip(entry);
    } else if ('Joined' in message) {
      s.online.set(message.Joined.principal.toText(), message.Joined);
      this.notice(`${message.Joined.nickname} joined`);
    } else if ('Left' in message) {
      s.online.delete(message.Left.principal.toText());
      this.notice(`${message.Left.nickname} left`);
    } else if ('Renamed' in message) {
      const { member, previous } = message.Renamed;
      s.online.set(member.principal.toText(), member);
      if (s.me && s.me.principal.toText() === member.principal.toText()) s.me = member;
      this.notice(`${previous} is now ${member.nickname}`);
    } else if ('Rejected' in message) {
      s.lastRejection = message.Rejected.reason;
    }
    // Post and SetNickname only travel from clients to the canister.
  }

  /**
   * Records where one of this browser's sent messages is (a `delivery` event, or a message restored from the
   * persistent outbox after a reload). Only posts are shown; nickname changes are not tracked.
   */
  trackDelivery(message: OutgoingMessage<ChatMessage>): void {
    if (message.data === undefined || !('Post' in message.data)) return;
    const { text, client_sent_at_ms } = message.data.Post;
    this.snapshot.ownPosts.set(message.id, {
      id: message.id,
      text,
      clientSentAtMs: client_sent_at_ms,
      state: message.state,
      error: message.error?.message,
    });
  }

  /** The delivery of this browser's post that became `entry`, if it was sent from this browser. */
  ownPostOf(entry: ChatEntry): OwnPost | undefined {
    const sentAt = entry.client_sent_at_ms[0];
    if (!this.isMine(entry) || sentAt === undefined) return undefined;
    for (const post of this.snapshot.ownPosts.values()) if (post.clientSentAtMs === sentAt && post.text === entry.text) return post;
    return undefined;
  }

  /** This browser's posts the canister has not broadcast back (yet): waiting, on their way, or failed. */
  unsentPosts(): OwnPost[] {
    const shown = new Set(this.snapshot.entries.filter((entry) => this.isMine(entry)).map((entry) => `${entry.client_sent_at_ms[0]}|${entry.text}`));
    return [...this.snapshot.ownPosts.values()].filter((post) => !shown.has(`${post.clientSentAtMs}|${post.text}`));
  }

  /** Whether an entry was posted by this browser's identity. */
  isMine(entry: ChatEntry): boolean {
    return this.snapshot.me !== undefined && entry.from.toText() === this.snapshot.me.principal.toText();
  }

  private measureRoundTrip(entry: ChatEntry): void {
    const sentAt = entry.client_sent_at_ms[0];
    if (!this.isMine(entry) || sentAt === undefined || !this.pendingSends.delete(sentAt)) return;
    this.snapshot.lastRoundTripMs = Math.max(0, this.nowMs() - Number(sentAt));
  }

  private notice(text: string): void {
    this.snapshot.notices.push(text);
    if (this.snapshot.notices.length > MAX_NOTICES) this.snapshot.notices.shift();
  }
}
