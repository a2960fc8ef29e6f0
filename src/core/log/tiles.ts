/**
 * Hash tiles: how the log stores its tree (docs/LOG.md §Storage). Pure: no storage.
 *
 * Coordinates are those of c2sp.org/tlog-tiles: tile level L holds the hashes of tree level 8L,
 * 256 per tile; tile (L, N) covers the level-8L nodes [256N, 256N + 256). The LevelDB value of a
 * full tile is its tlog-tiles bytes (the 256 hashes of tree level 8L, 8 KiB) followed by the
 * tile's interior nodes (128 hashes of level 8L + 1, 64 of 8L + 2, … 2 of 8L + 7): 510 hashes,
 * {@link TILE_BYTES} bytes. Storing the interior lets a store answer any proof from O(log n)
 * stored hashes with no hashing (recomputing them would cost ~250 node hashes per tile read);
 * the tile's own root (level 8L + 8) is a hash of tile level L + 1.
 *
 * Only full tiles are stored, each once, never rewritten. The right edge (the partial tile of
 * every level) lives in memory as {@link Edge}: a buffer per tile level in the same layout,
 * filled as leaves arrive. It can always be recomputed from the last entries and the stored full
 * tiles ({@link edgeInputs}), which the store does when it opens.
 *
 * Sizes and indexes are safe integers up to 2^53 − 1; no 32-bit bitwise operators are used on
 * them.
 */
import { LifelongError } from '../errors.ts'
import { sha256NodeAt } from './sha256.ts'
import type { Frontier } from './merkle.ts'

/** Tree levels per tile (c2sp.org/tlog-tiles: 8, so 256 hashes at a tile's bottom). */
export const TILE_HEIGHT = 8
/** Hashes at a tile's bottom level. */
export const TILE_WIDTH = 256
/** Hashes in a stored tile: 256 + 128 + … + 2. */
export const TILE_HASHES = 510
/** Bytes of a stored tile. */
export const TILE_BYTES = TILE_HASHES * 32

const HASH = 32

/** Byte offset in a tile of its level k (0 ≤ k < 8), position 0. */
export function tileLevelOffset (k: number): number {
  return HASH * (512 - 2 ** (9 - k))
}

const LEVEL_OFFSET = Array.from({ length: TILE_HEIGHT }, (_, k) => tileLevelOffset(k))

/** Where the hash of a complete subtree is kept. */
export interface NodeLocation {
  /** Tile level: floor(level / 8). */
  readonly tileLevel: number
  /** Tile index at that level. */
  readonly tileIndex: number
  /** Byte offset of the hash in the tile. */
  readonly offset: number
}

/** The tile and offset holding the hash of the complete subtree `(level, index)`. */
export function locateNode (level: number, index: number): NodeLocation {
  const tileLevel = Math.floor(level / TILE_HEIGHT)
  const k = level - TILE_HEIGHT * tileLevel
  const width = TILE_WIDTH / 2 ** k
  const tileIndex = Math.floor(index / width)
  return { tileLevel, tileIndex, offset: LEVEL_OFFSET[k]! + HASH * (index - tileIndex * width) }
}

/** Full (stored) tiles at tile level L in a tree of `size` leaves. */
export function fullTiles (size: number, tileLevel: number): number {
  return Math.floor(size / 2 ** (TILE_HEIGHT * (tileLevel + 1)))
}

/**
 * The right edge of a tree: for each tile level, the buffer of its partial tile (undefined if
 * it holds no hash). Positions below the counts a size implies never change once written, so
 * readers of a committed size may hold a reference while appends continue in place.
 */
export type Edge = Array<Uint8Array | undefined>

/** Receives a tile that an append completed (level L, index N, its {@link TILE_BYTES} bytes). */
export type TileSink = (tileLevel: number, tileIndex: number, tile: Uint8Array) => void

const ROOT = new Uint8Array(HASH)

/**
 * Appends the hash `src[srcOffset…+32]` as node `index` of tree level 8L, hashing every node it
 * completes within the tile; a completed tile goes to `onTile`, is replaced by a fresh buffer in
 * `edge`, and its root is appended one tile level up. Writes only positions at or above the
 * current counts, so readers of an earlier size are unaffected.
 */
export function pushNode (edge: Edge, tileLevel: number, index: number, src: Uint8Array, srcOffset: number, onTile: TileSink): void {
  let tile = edge[tileLevel]
  if (tile === undefined) {
    tile = new Uint8Array(TILE_BYTES)
    edge[tileLevel] = tile
  }
  const tileIndex = Math.floor(index / TILE_WIDTH)
  let p = index - tileIndex * TILE_WIDTH
  for (let i = 0, o = HASH * p; i < HASH; i++) tile[o + i] = src[srcOffset + i]!
  for (let k = 0; p % 2 === 1; k++) {
    const left = LEVEL_OFFSET[k]! + HASH * (p - 1)
    p = (p - 1) / 2
    if (k + 1 < TILE_HEIGHT) {
      sha256NodeAt(tile, left, tile, left + HASH, tile, LEVEL_OFFSET[k + 1]! + HASH * p)
    } else {
      sha256NodeAt(tile, left, tile, left + HASH, ROOT, 0)
      onTile(tileLevel, tileIndex, tile)
      edge[tileLevel] = undefined
      pushNode(edge, tileLevel + 1, tileIndex, ROOT, 0, onTile)
      return
    }
  }
}

/**
 * Appends `count` leaf hashes (`hashes[32i…]`) to a tree of `size` leaves whose right edge is
 * `edge` (modified in place: pass a copy of the array to keep the old one).
 */
export function appendToEdge (edge: Edge, size: number, hashes: Uint8Array, count: number, onTile: TileSink): void {
  for (let i = 0; i < count; i++) pushNode(edge, 0, size + i, hashes, HASH * i, onTile)
}

/**
 * The frontier (one hash per set bit of `size`, largest subtree first) of the tree of `size`
 * leaves whose right edge is `edge`: copies, safe to keep.
 */
export function edgeFrontier (edge: Edge, size: number): Frontier {
  const hashes: Uint8Array[] = []
  for (let level = bitLength(size) - 1; level >= 0; level--) {
    const count = Math.floor(size / 2 ** level)
    if (count % 2 === 0) continue
    const { tileLevel, offset } = locateNode(level, count - 1)
    const tile = edge[tileLevel]
    if (tile === undefined) throw new LifelongError('internal', 'LOG_EDGE_MISSING', `the right edge has no tile at level ${tileLevel} for size ${size}`)
    hashes.push(new Uint8Array(tile.subarray(offset, offset + HASH)))
  }
  return { size, hashes }
}

/**
 * What rebuilding the edge of a tree of `size` leaves needs, per tile level with a partial
 * tile: the range `[from, to)` of its bottom nodes (tree level 8L), which are leaf hashes for
 * L = 0 and roots of the full tiles (L − 1, from … to − 1) above that.
 */
export function edgeInputs (size: number): Array<{ tileLevel: number, from: number, to: number }> {
  const out: Array<{ tileLevel: number, from: number, to: number }> = []
  for (let tileLevel = 0;; tileLevel++) {
    const count = Math.floor(size / 2 ** (TILE_HEIGHT * tileLevel))
    if (count === 0) return out
    const from = TILE_WIDTH * Math.floor(count / TILE_WIDTH)
    if (from < count) out.push({ tileLevel, from, to: count })
  }
}

/** The root of a full tile (its level-8 node), into `out` at `outOffset`. */
export function tileRoot (tile: Uint8Array, out: Uint8Array, outOffset: number): void {
  const left = LEVEL_OFFSET[TILE_HEIGHT - 1]!
  sha256NodeAt(tile, left, tile, left + HASH, out, outOffset)
}

function bitLength (n: number): number {
  if (n < 2 ** 32) return 32 - Math.clz32(n)
  return 64 - Math.clz32(Math.floor(n / 2 ** 32))
}
