// shared-mime-info's type hierarchy: aliases, subclasses and the known types, read from each `mime/` directory.
import path from 'node:path';
import type { FileReader } from './file-reader.js';

export interface MimeTree {
  /** alias → canonical type */
  aliases: Map<string, string>;
  /** type → direct parents, highest-precedence directory first */
  parents: Map<string, string[]>;
  /** Every type the database defines (its `types` files), plus aliases. */
  known: Set<string>;
}

export interface MimeSources {
  aliases?: string | undefined;
  subclasses?: string | undefined;
  types?: string | undefined;
}

function pairs(text: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of (text ?? '').split('\n')) {
    // MIME types compare case-insensitively; keeping everything lowercase makes every lookup a plain Map get.
    const [a, b, extra] = line.trim().toLowerCase().split(/\s+/);
    if (a !== undefined && b !== undefined && extra === undefined && !a.startsWith('#')) out.push([a, b]);
  }
  return out;
}

/** Merges the files of several `mime/` directories, highest precedence first. */
export function parseMimeTree(sources: readonly MimeSources[]): MimeTree {
  const tree: MimeTree = { aliases: new Map(), parents: new Map(), known: new Set() };
  for (const source of sources) {
    for (const [alias, canonical] of pairs(source.aliases)) {
      if (!tree.aliases.has(alias)) tree.aliases.set(alias, canonical);
      tree.known.add(alias);
    }
    for (const [child, parent] of pairs(source.subclasses)) {
      const list = tree.parents.get(child) ?? [];
      if (!list.includes(parent)) list.push(parent);
      tree.parents.set(child, list);
    }
    for (const line of (source.types ?? '').split('\n')) if (line.includes('/')) tree.known.add(line.trim().toLowerCase());
  }
  return tree;
}

export async function loadMimeTree(reader: FileReader, dirs: readonly string[]): Promise<MimeTree> {
  const read = (dir: string, name: string) => reader.readText(path.join(dir, name));
  const sources = await Promise.all(dirs.map(async (dir) => ({ aliases: await read(dir, 'aliases'), subclasses: await read(dir, 'subclasses'), types: await read(dir, 'types') })));
  return parseMimeTree(sources);
}

/** The canonical name: lowercase (MIME types compare case-insensitively), and an alias stands for its target. */
export function canonicalMime(tree: MimeTree, type: string): string {
  const lower = type.trim().toLowerCase();
  return tree.aliases.get(lower) ?? lower;
}

export function isKnownMime(tree: MimeTree, type: string): boolean {
  return tree.known.has(canonicalMime(tree, type));
}

function directParents(tree: MimeTree, type: string): string[] {
  return (tree.parents.get(type) ?? []).map((parent) => canonicalMime(tree, parent));
}

/**
 * The type, then its ancestors breadth-first (nearest first), for application lookup. Every text/* type also
 * falls back to text/plain, as the shared-mime-info spec says. application/octet-stream is left out on purpose:
 * GLib does not fall back to it either, and "whatever opens any binary" is not the viewer the user would get.
 */
export function mimeLineage(tree: MimeTree, type: string): string[] {
  const lineage = [canonicalMime(tree, type)];
  for (let i = 0; i < lineage.length; i++) {
    for (const parent of directParents(tree, lineage[i] ?? '')) if (!lineage.includes(parent)) lineage.push(parent);
  }
  if (lineage[0]?.startsWith('text/') === true && !lineage.includes('text/plain')) lineage.push('text/plain');
  return lineage;
}

/** Whether `type` is `ancestor` or descends from it (every non-inode type descends from application/octet-stream). */
export function isSubtypeOf(tree: MimeTree, type: string, ancestor: string): boolean {
  const target = canonicalMime(tree, ancestor);
  const self = canonicalMime(tree, type);
  if (target === 'application/octet-stream' && !self.startsWith('inode/')) return true;
  return mimeLineage(tree, self).includes(target);
}
