/**
 * The fuzzer's seeds: every distinct message of the real-router captures in fixtures/pcap, each with the codec
 * context its session negotiated (from the OPENs, as `tsbgpd decode` works it out), parsed into grammar trees;
 * the donor elements of each role for transplants; the Capabilities parameters (RFC 5492) on their own; and the
 * smaller captures whole, for the capture reader. Also the contexts (RFC 6793, RFC 7911, RFC 8654) every decoder
 * is run under.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBgpCapture } from '../../lib/capture/index.js';
import { ContextTracker } from '../../lib/inspect/index.js';
import { createContext, decodeMessage, familyKey, type BgpMessage, type CodecContext } from '../../lib/wire/index.js';
import { clone, list, parseMessage, walk, type Donors, type Tree } from './fuzz-grammar.js';

// ---------------------------------------------------------------------------------------------------------------
// The corpus: every distinct message of the fixture captures, with the context its session negotiated.

export interface Seed {
  readonly bytes: Uint8Array;
  readonly ctx: CodecContext;
  readonly tree: Tree;
}
export interface Corpus {
  readonly seeds: readonly Seed[];
  readonly byType: ReadonlyMap<number, readonly Seed[]>;
  readonly donors: Donors;
  /** Capabilities parameters' values (RFC 5492), as trees with a plain list body. */
  readonly capabilities: readonly Tree[];
  /** The smaller fixture captures, whole, for the capture reader. */
  readonly captures: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

/** The repository root: the nearest ancestor of this file with fixtures/pcap (works from bench/ and dist/bench/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'fixtures', 'pcap'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('fixtures/pcap not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

const MAX_SEEDS_PER_CAPTURE = 150;
const MAX_CAPTURE_BYTES = 12_000;

export function loadCorpus(root = repoRoot()): Corpus {
  const dir = join(root, 'fixtures', 'pcap');
  const seeds: Seed[] = [];
  const seen = new Set<string>();
  const captures: { name: string; bytes: Uint8Array }[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort()) {
    const file = new Uint8Array(readFileSync(join(dir, name)));
    if (file.length <= MAX_CAPTURE_BYTES) captures.push({ name, bytes: file });
    const tracker = new ContextTracker();
    let taken = 0;
    for (const ev of readBgpCapture(file)) {
      if (ev.kind !== 'message' || taken >= MAX_SEEDS_PER_CAPTURE) continue;
      const ctx = tracker.contextFor(ev.src, ev.dst, ev.bytes[18] === 2 ? ev.bytes.subarray(19) : undefined).ctx;
      let message: BgpMessage;
      try {
        message = decodeMessage(ev.bytes, ctx);
      } catch {
        continue;
      }
      if (message.type === 1) tracker.recordOpen(ev.src, ev.dst, message);
      const key = `${contextName(ctx)}:${Buffer.from(ev.bytes).toString('hex')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const bytes = ev.bytes.slice();
      seeds.push({ bytes, ctx, tree: parseMessage(bytes, ctx) });
      taken++;
    }
  }
  const byType = new Map<number, Seed[]>();
  const donors: Donors = new Map();
  const capabilities: Tree[] = [];
  for (const s of seeds) {
    const sameType = byType.get(s.tree.type);
    if (sameType === undefined) byType.set(s.tree.type, [s]);
    else sameType.push(s);
    walk(s.tree.body, (n) => {
      if (n.role === undefined) return;
      const pool = donors.get(n.role);
      if (pool === undefined) donors.set(n.role, [n]);
      else pool.push(n);
    });
    walk(s.tree.body, (n) => {
      if (n.k === 'list' && n.kids.length > 0 && n.kids.every((k) => k.role === 'cap')) {
        capabilities.push({ type: 0, body: list(0, n.kids.map(clone)) });
      }
    });
  }
  return { seeds, byType, donors, capabilities, captures };
}

// ---------------------------------------------------------------------------------------------------------------
// Contexts: every combination a session can negotiate that changes how bytes decode.

export const CONTEXTS: readonly CodecContext[] = [true, false].flatMap((fourOctetAs) =>
  [[], [familyKey(1, 1)], [familyKey(2, 1)], [familyKey(1, 1), familyKey(2, 1)]].flatMap((addPath) =>
    [false, true].map((extendedMessage) => createContext({ fourOctetAs, addPath: new Set(addPath), extendedMessage })),
  ),
);

export function contextName(ctx: CodecContext): string {
  return `as${ctx.fourOctetAs ? 4 : 2}/ap[${[...ctx.addPath].join(',')}]/${ctx.extendedMessage ? 'ext' : 'std'}`;
}

