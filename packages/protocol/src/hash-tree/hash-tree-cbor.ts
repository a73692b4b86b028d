/**
 * CBOR codec of the IC hash tree. Decoding is strict because witnesses and certificates arrive from an
 * untrusted gateway: every node is checked (tag, arity, byte strings, 32-byte pruned hashes), depth and
 * label size are bounded, and the result is well-formed, or a `ProtocolError` is thrown. Never a half-valid
 * tree, never a stack overflow.
 */
import { cborDecode, type CborValue } from '../cbor/cbor-reader';
import { CBOR_MAJOR_ARRAY, CBOR_MAJOR_BYTES, cborHeadLength, writeCborHead } from '../cbor/cbor-head';
import { ErrorCode, ProtocolError } from '../errors';
import { HASH_LENGTH, NodeType, type HashTree } from './hash-tree';
import { assertWellFormed } from './well-formed';

/** Limits applied by {@link decodeHashTree}. */
export interface HashTreeDecodeOptions {
  /**
   * Deepest allowed node nesting (the root is depth 1). Real trees stay far below: a 1 000 000-key
   * certified map witness is about 60 deep.
   * @default 128
   */
  maxDepth?: number;
  /**
   * Longest allowed label, in bytes. IC labels are principals, request ids and message keys (under 100 bytes).
   * @default 1024
   */
  maxLabelBytes?: number;
}

/** The defaults of {@link HashTreeDecodeOptions}. */
export const HASH_TREE_DECODE_DEFAULTS: Required<HashTreeDecodeOptions> = { maxDepth: 128, maxLabelBytes: 1024 };

/** Options of {@link encodeHashTree}. */
export interface HashTreeEncodeOptions {
  /**
   * Prefix the bytes with the CBOR self-describe tag 55799, as the IC and the ic-ws witness format do.
   * @default true
   */
  selfDescribe?: boolean;
}

/**
 * Encodes a hash tree as CBOR (by default with the self-describe tag, as `tree` in a message batch): the bytes
 * the generic encoder gives (definite lengths, shortest heads), written directly, in one pass after sizing:
 * canisters build a witness per poll, and in an interpreter a generic encoder costs several times more.
 */
export function encodeHashTree(tree: HashTree, options: HashTreeEncodeOptions = {}): Uint8Array {
  const prefix = (options.selfDescribe ?? true) ? SELF_DESCRIBE_PREFIX : EMPTY;
  const out = new Uint8Array(prefix.length + encodedTreeLength(tree));
  out.set(prefix, 0);
  writeTree(out, prefix.length, tree);
  return out;
}

const SELF_DESCRIBE_PREFIX = Uint8Array.of(0xd9, 0xd9, 0xf7);
const EMPTY = new Uint8Array(0);
function encodedTreeLength(tree: HashTree): number {
  switch (tree[0]) {
    case NodeType.Empty:
      return 2;
    case NodeType.Fork:
      return 2 + encodedTreeLength(tree[1]) + encodedTreeLength(tree[2]);
    case NodeType.Labeled:
      return 2 + cborHeadLength(tree[1].length) + tree[1].length + encodedTreeLength(tree[2]);
    case NodeType.Leaf:
    case NodeType.Pruned:
      return 2 + cborHeadLength(tree[1].length) + tree[1].length;
    default:
      throw new ProtocolError(ErrorCode.HashTreeMalformed, `unknown hash-tree node tag ${String((tree as readonly unknown[])[0])}`);
  }
}

// Writes `tree` at `at`; returns where it ends. Node tags 0..4 are one-byte CBOR integers.
function writeTree(out: Uint8Array, at: number, tree: HashTree): number {
  const tag = tree[0];
  out[at] = CBOR_MAJOR_ARRAY | (tag === NodeType.Empty ? 1 : tag === NodeType.Fork || tag === NodeType.Labeled ? 3 : 2);
  out[at + 1] = tag;
  at += 2;
  switch (tree[0]) {
    case NodeType.Empty:
      return at;
    case NodeType.Fork:
      return writeTree(out, writeTree(out, at, tree[1]), tree[2]);
    case NodeType.Labeled:
      return writeTree(out, writeBytes(out, at, tree[1]), tree[2]);
    default:
      return writeBytes(out, at, tree[1]);
  }
}

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeCborHead(out, at, CBOR_MAJOR_BYTES, bytes.length);
  out.set(bytes, at);
  return at + bytes.length;
}

/**
 * Decodes and validates CBOR bytes (self-describe tag optional) as a well-formed hash tree. Throws a
 * `ProtocolError`: `CBOR_MALFORMED` for bad CBOR, `HASH_TREE_MALFORMED` for a bad node or a tree that is too
 * deep or not well-formed, `FIELD_TOO_LARGE` for an oversized label.
 */
export function decodeHashTree(bytes: Uint8Array, options: HashTreeDecodeOptions = {}): HashTree {
  return hashTreeFromCbor(cborDecode(bytes), options);
}

/**
 * Validates an already decoded CBOR value as a hash tree: for trees embedded in a larger CBOR document, such
 * as the `tree` field of an IC certificate. Same checks and errors as {@link decodeHashTree}.
 */
export function hashTreeFromCbor(value: CborValue, options: HashTreeDecodeOptions = {}): HashTree {
  const limits = { ...HASH_TREE_DECODE_DEFAULTS, ...options };
  const tree = toNode(value, 1, limits);
  assertWellFormed(tree);
  return tree;
}

function malformed(message: string, depth: number): ProtocolError {
  return new ProtocolError(ErrorCode.HashTreeMalformed, `hash tree node at depth ${depth}: ${message}`);
}

const ARITY: Record<NodeType, number> = { 0: 1, 1: 3, 2: 3, 3: 2, 4: 2 };

function toNode(value: CborValue, depth: number, limits: Required<HashTreeDecodeOptions>): HashTree {
  // Checked before descending, so hostile nesting costs at most maxDepth stack frames.
  if (depth > limits.maxDepth) throw malformed(`nesting deeper than ${limits.maxDepth}`, depth);
  if (!Array.isArray(value) || value.length === 0) throw malformed('expected a non-empty array', depth);
  const tag = value[0];
  if (typeof tag !== 'number' || !Number.isInteger(tag) || tag < 0 || tag > 4) {
    throw malformed(`unknown node tag ${typeof tag === 'number' || typeof tag === 'bigint' ? String(tag) : typeof tag}`, depth);
  }
  const type = tag as NodeType;
  if (value.length !== ARITY[type]) {
    throw malformed(`node tag ${type} needs ${ARITY[type]} elements, got ${value.length}`, depth);
  }
  switch (type) {
    case NodeType.Empty:
      return [NodeType.Empty];
    case NodeType.Fork:
      return [NodeType.Fork, toNode(value[1] as CborValue, depth + 1, limits), toNode(value[2] as CborValue, depth + 1, limits)];
    case NodeType.Labeled: {
      const label = bytesField(value[1], 'label', depth);
      if (label.length > limits.maxLabelBytes) {
        throw new ProtocolError(
          ErrorCode.FieldTooLarge,
          `hash tree node at depth ${depth}: label of ${label.length} bytes, at most ${limits.maxLabelBytes} allowed`,
        );
      }
      return [NodeType.Labeled, label, toNode(value[2] as CborValue, depth + 1, limits)];
    }
    case NodeType.Leaf:
      return [NodeType.Leaf, bytesField(value[1], 'leaf value', depth)];
    case NodeType.Pruned: {
      const hash = bytesField(value[1], 'pruned hash', depth);
      if (hash.length !== HASH_LENGTH) throw malformed(`pruned hash of ${hash.length} bytes, expected ${HASH_LENGTH}`, depth);
      return [NodeType.Pruned, hash];
    }
  }
}

function bytesField(value: CborValue | undefined, what: string, depth: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${what} must be a byte string`, depth);
  return value;
}
