import { IDL } from '@dfinity/candid';

/**
 * The ws-chat canister's app message (a record, so tests cover more than text). Browser-safe on purpose:
 * the Chromium test bundles it into the page.
 */
export const ChatMessageIdl = IDL.Record({ text: IDL.Text, count: IDL.Nat32, tags: IDL.Vec(IDL.Text) });

/** The TypeScript side of {@link ChatMessageIdl}. */
export interface ChatMessage {
  text: string;
  count: number;
  tags: string[];
}
