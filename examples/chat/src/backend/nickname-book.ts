import type { Principal } from '@dfinity/principal';
import { MAX_NICKNAME_LENGTH, defaultNickname } from '../shared/chat-message';

/** The part of azle's `StableBTreeMap<string, string>` the book uses. */
export interface TextMap {
  get(key: string): string | undefined;
  insert(key: string, value: string): unknown;
}

/** Why a nickname was refused, or `undefined` when it is acceptable (after trimming). */
export function nicknameProblem(nickname: string): string | undefined {
  if (nickname.length === 0) return 'a nickname cannot be empty';
  if ([...nickname].length > MAX_NICKNAME_LENGTH) return `a nickname has at most ${MAX_NICKNAME_LENGTH} characters`;
  // Control characters would let a nickname fake line breaks in other people's view.
  if (/\p{Cc}/u.test(nickname)) return 'a nickname cannot contain control characters';
  return undefined;
}

/** Nicknames by principal, in stable memory: a returning user keeps theirs across reconnects and upgrades. */
export class NicknameBook {
  constructor(private readonly map: TextMap) {}

  /** The principal's nickname, or its default `guest-xxxxx`. */
  nicknameOf(principal: Principal): string {
    return this.map.get(principal.toText()) ?? defaultNickname(principal);
  }

  /** Sets a nickname already checked with {@link nicknameProblem}. */
  set(principal: Principal, nickname: string): void {
    this.map.insert(principal.toText(), nickname);
  }
}
