// Differential fuzzing of the RIB's raw UPDATE path against decodeUpdate. On a live session the Speaker hands
// UPDATE bodies to `rib.ingestUpdate` undecoded: when an UPDATE's attribute block matches one seen before, its
// prefixes stream into the RIB without a full decode. That path must reject exactly what `decodeUpdate` rejects
// (RFC 7606: a session reset is a session reset whichever path saw the UPDATE), and throw nothing but BgpErrors.
// The MP attributes get a sweep of their own: their flags octets are not part of the raw path's block key, so
// every flags value is tried on a block the RIB has already cached (RFC 4760 §3–§4: optional non-transitive;
// RFC 4271 §6.3 / RFC 7606 §3 c, §5.3: anything else is an Attribute Flags Error and a session reset).
import t from 'tap';
import { loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { failureReport, fuzz } from '../../bench/lib/fuzz-inputs.js';
import { Rib } from '../../lib/rib/index.js';
import { BgpError, createContext, decodeUpdate, familyKey } from '../../lib/wire/index.js';

const corpus = loadCorpus();
const seed = Number(process.env['FUZZ_SEED'] ?? 4760);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const byte = (n: number): string => n.toString(16).padStart(2, '0');

t.test('mutated UPDATEs: the raw path throws only BgpErrors and agrees with decodeUpdate', async (t) => {
  const stats = fuzz({ seed, inputs: Math.round(15000 * scale), corpus, targets: ['rib'] });
  const s = stats.byTarget.rib;
  t.equal(stats.failureCount, 0, `${s.inputs} inputs from seed ${seed}: no disagreement`, { failures: failureReport(stats) });
  t.ok(s.accepted > s.inputs / 20 && s.inputs - s.accepted > s.inputs / 20, `${s.accepted} accepted, ${s.inputs - s.accepted} rejected`);
});

/** A RIB with one established peer that has already seen `primers`, so their attribute blocks are cached. */
function primedRib(...primers: Uint8Array[]): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '192.0.2.254' });
  rib.addPeer({ id: 'p', address: '192.0.2.1', asn: 65001 });
  rib.peerUp('p', { families: [familyKey(1, 1), familyKey(2, 1)], txContext: createContext() });
  for (const primer of primers) rib.ingestUpdate('p', primer, createContext());
  return rib;
}

function rejects(fn: () => unknown): BgpError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof BgpError) return e;
    throw e;
  }
  return undefined;
}

/** The attribute header for `flags`: two length octets when Extended Length is set (RFC 4271 §4.3). */
const header = (flags: number, type: string, length: number): string =>
  flags & 0x10 ? `${byte(flags)} ${type} 00${byte(length)}` : `${byte(flags)} ${type} ${byte(length)}`;

// ORIGIN IGP, AS_PATH [65001], then an MP attribute: MP_REACH_NLRI announcing 2001:db8:1:2::/64 (RFC 4760 §3), or
// MP_UNREACH_NLRI withdrawing it (§4) beside NEXT_HOP and an IPv4 route 10.0.0.0/24.
const ORIGIN_ASPATH = '40010100 4002060201 0000fde9';
const mpReach = (flags: number): Uint8Array =>
  hex(
    `0000 00${byte(flags & 0x10 ? 0x2f : 0x2e)} ${ORIGIN_ASPATH} ${header(flags, '0e', 0x1e)}` +
      '0002 01 10 20010db8000000000000000000000001 00 40 20010db800010002',
  );
const mpUnreach = (flags: number): Uint8Array =>
  hex(`0000 00${byte(flags & 0x10 ? 0x24 : 0x23)} ${ORIGIN_ASPATH} 400304 c0000201 ${header(flags, '0f', 0x0c)} 0002 01 40 20010db800010002 18 0a0000`);

t.test('the decoder refuses MP attributes flagged transitive (RFC 4760: optional non-transitive)', async (t) => {
  t.match(rejects(() => decodeUpdate(mpReach(0xc0), createContext())), { code: 3, subcode: 4 });
  t.match(rejects(() => decodeUpdate(mpUnreach(0xc0), createContext())), { code: 3, subcode: 4 });
  t.equal(rejects(() => primedRib(mpReach(0x80))), undefined, 'the well-flagged UPDATEs are fine');
  t.equal(rejects(() => primedRib(mpUnreach(0x80))), undefined);
});

t.test('a cached attribute block does not excuse wrong MP_REACH_NLRI flags', async (t) => {
  const rib = primedRib(mpReach(0x80));
  t.match(rejects(() => rib.ingestUpdate('p', mpReach(0xc0), createContext())), { code: 3, subcode: 4 });
});

t.test('a cached attribute block does not excuse wrong MP_UNREACH_NLRI flags', async (t) => {
  const rib = primedRib(mpUnreach(0x80));
  t.match(rejects(() => rib.ingestUpdate('p', mpUnreach(0xc0), createContext())), { code: 3, subcode: 4 });
});

/** What a RIB holds from the peer: its Adj-RIB-In, attributes as received. */
const held = (rib: Rib) => [...rib.adjRibIn('p')].map((e) => ({ prefix: e.prefix, received: e.received }));

// For each of the 256 flags octets: the RIB that has the block cached (the raw path) must answer as decodeUpdate
// does — the same NOTIFICATION, or acceptance — and, when it accepts, hold exactly what a RIB that decodes the
// UPDATE in full holds. Only Optional set, Transitive clear passes; Partial, Extended Length and the low bits do not
// matter to the decoder, so they must not matter to the raw path either.
for (const [name, build, primers, fresh] of [
  ['MP_REACH_NLRI', mpReach, [mpReach(0x80)], []],
  ['MP_UNREACH_NLRI', mpUnreach, [mpUnreach(0x80), mpReach(0x80)], [mpReach(0x80)]],
] as const) {
  t.test(`${name}: every flags octet on a cached block gets the full decoder's outcome`, async (t) => {
    let accepted = 0;
    for (let flags = 0; flags < 256; flags++) {
      const body = build(flags);
      const expected = rejects(() => decodeUpdate(body, createContext()));
      const fast = primedRib(...primers);
      const got = rejects(() => fast.ingestUpdate('p', body, createContext()));
      const wellFlagged = (flags & 0xc0) === 0x80;
      t.equal(expected === undefined, wellFlagged, `flags 0x${byte(flags)}: decodeUpdate ${wellFlagged ? 'accepts' : 'rejects'}`);
      t.same(
        got && { code: got.code, subcode: got.subcode },
        expected && { code: expected.code, subcode: expected.subcode },
        `flags 0x${byte(flags)}: the raw path answers alike`,
      );
      if (got !== undefined || expected !== undefined) continue;
      accepted++;
      const slow = primedRib(...fresh);
      slow.ingestUpdate('p', body, createContext());
      t.same(held(fast), held(slow), `flags 0x${byte(flags)}: the same routes and attributes as a full decode`);
    }
    t.equal(accepted, 64, 'the 64 octets with Optional set and Transitive clear are accepted');
  });
}
