/**
 * Witness construction for arbitrary hash trees: keep what a reader asked for, prune the rest. The devnet's
 * `read_state` answers with exactly this (the IC replica does the same).
 */
import { empty, flattenForks, fork, forkHash, labeled, NodeType, pruned, reconstruct, type HashTree } from './hash-tree';
import { compareBytes, labelBytes, type LabelInput } from './label-bytes';

/**
 * Returns a copy of `tree` that keeps, in full, the subtree at each of `paths`, keeps the labels that prove
 * a missing path absent (neighbouring labels, with their subtrees pruned), and replaces everything else by
 * pruned nodes. `reconstruct` of the result equals `reconstruct(tree)`; a lookup of each asked path gives the
 * same answer as on `tree`. A leaf that an asked path runs into before its end is kept, value included: per
 * the spec, that leaf is what proves the rest of the path absent.
 */
export function prunePaths(tree: HashTree, paths: Iterable<readonly LabelInput[]>): HashTree {
  return pruneAt(tree, Array.from(paths, (path) => path.map(labelBytes)));
}

/** A rebuilt subtree: kept (some of it revealed), or dropped and known only by its hash. */
type Rebuilt = { readonly kept: true; readonly tree: HashTree } | { readonly kept: false; readonly hash: Uint8Array; readonly tree: HashTree };

function pruneAt(tree: HashTree, paths: readonly Uint8Array[][]): HashTree {
  if (paths.some((path) => path.length === 0)) return tree;
  if (paths.length === 0) return hide(tree);
  // A leaf, empty or pruned node answers any deeper path by itself (absent, absent, unknown).
  if (tree[0] !== NodeType.Fork && tree[0] !== NodeType.Labeled) return tree;

  const forest = flattenForks(tree);
  const descend = new Map<number, Uint8Array[][]>();
  const labelOnly = new Set<number>();
  const asIs = new Set<number>();
  for (const path of paths) {
    const head = path[0] as Uint8Array;
    let at = forest.findIndex((node) => node[0] === NodeType.Labeled && compareBytes(node[1], head) >= 0);
    const hit = forest[at];
    if (hit !== undefined && hit[0] === NodeType.Labeled && compareBytes(hit[1], head) === 0) {
      const rest = descend.get(at) ?? [];
      rest.push(path.slice(1));
      descend.set(at, rest);
      continue;
    }
    // Absent (or unknowable): keep the labels on both sides and whatever unlabelled nodes lie between.
    if (at === -1) at = forest.length;
    let before = at - 1;
    while (before >= 0 && forest[before]?.[0] !== NodeType.Labeled) asIs.add(before--);
    if (before >= 0) labelOnly.add(before);
    if (at < forest.length) labelOnly.add(at);
  }

  let index = 0;
  const rebuild = (node: HashTree): Rebuilt => {
    if (node[0] === NodeType.Empty) return { kept: false, hash: reconstruct(node), tree: node };
    if (node[0] === NodeType.Fork) {
      const left = rebuild(node[1]);
      const right = rebuild(node[2]);
      if (!left.kept && !right.kept) return { kept: false, hash: forkHash(left.hash, right.hash), tree: node };
      return { kept: true, tree: fork(collapse(left), collapse(right)) };
    }
    const position = index++;
    if (node[0] === NodeType.Labeled) {
      const subpaths = descend.get(position);
      if (subpaths) return { kept: true, tree: labeled(node[1], pruneAt(node[2], subpaths)) };
      if (labelOnly.has(position)) return { kept: true, tree: labeled(node[1], hide(node[2])) };
    }
    if (asIs.has(position)) return { kept: true, tree: node };
    return { kept: false, hash: reconstruct(node), tree: node };
  };
  return collapse(rebuild(tree));
}

function collapse(rebuilt: Rebuilt): HashTree {
  if (rebuilt.kept || rebuilt.tree[0] === NodeType.Empty || rebuilt.tree[0] === NodeType.Pruned) return rebuilt.tree;
  return pruned(rebuilt.hash);
}

// Empty stays empty (one byte, and it reveals nothing a pruned hash would hide).
function hide(tree: HashTree): HashTree {
  if (tree[0] === NodeType.Empty) return empty();
  if (tree[0] === NodeType.Pruned) return tree;
  return pruned(reconstruct(tree));
}
