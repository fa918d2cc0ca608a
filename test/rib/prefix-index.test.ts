// The prefix index: ids for IPv4 and IPv6 prefixes, keys and NLRI octets back from an id, reference counting with
// deferred freeing (`sweep`), id reuse, growth past the initial capacity (and the owners told), and removal from
// the open-addressing table keeping every other prefix findable.
import t from 'tap';
import { encodePrefixes, parsePrefix, type Prefix } from '../../lib/wire/index.js';
import { PrefixIndex } from '../../lib/rib/prefix-index.js';
import { formatKey, prefixKey, type PrefixKey } from '../../lib/rib/prefix-key.js';

const key = (text: string): PrefixKey => prefixKey(parsePrefix(text)) as PrefixKey;

t.test('ids, keys, NLRI octets and lengths round-trip for both families', async (t) => {
  const index = new PrefixIndex();
  for (const text of ['0.0.0.0/0', '10.0.0.0/8', '10.1.2.0/24', '192.0.2.1/32', '::/0', '2001:db8::/32', '2001:db8:1:2::/64']) {
    const k = key(text);
    const id = index.add(k);
    t.equal(index.find(k), id, `${text} found`);
    t.equal(index.add(k), id, `${text} not added twice`);
    t.equal(formatKey(index.key(id)), text);
    t.same(index.prefix(id), parsePrefix(text));
    t.equal(index.isV4(id), !text.includes(':'));
    const p: Prefix = parsePrefix(text);
    const expected = encodePrefixes([p], p.afi, false);
    const out = new Uint8Array(32);
    t.equal(index.write(out, 0, id, -1), expected.length, `${text} length written`);
    t.same([...out.subarray(0, expected.length)], [...expected], `${text} NLRI octets`);
    t.equal(index.wireLength(id), expected.length);
  }
  const out = new Uint8Array(16);
  const id = index.find(key('10.1.2.0/24'));
  t.equal(index.write(out, 0, id, 0x01020304), 8, 'with a Path Identifier');
  t.same([...out.subarray(0, 8)], [1, 2, 3, 4, 24, 10, 1, 2]);
  t.equal(index.find(key('10.1.3.0/24')), -1);
  t.equal(index.find4(0x0a010200, 23), -1, 'same address, other length');
});

t.test('an id is freed by sweep once released by every holder, and then reused', async (t) => {
  const index = new PrefixIndex();
  const a = index.add(key('10.0.0.0/24'));
  index.retain(a);
  index.retain(a);
  index.release(a);
  index.sweep();
  t.ok(index.live(a), 'one holder left');
  index.release(a);
  t.ok(index.live(a), 'still valid until the sweep');
  t.equal(index.find(key('10.0.0.0/24')), a);
  index.sweep();
  t.notOk(index.live(a));
  t.equal(index.find(key('10.0.0.0/24')), -1);
  t.equal(index.size, 0);
  const b = index.add(key('2001:db8::/48'));
  t.equal(b, a, 'the freed id is reused');
  t.equal(formatKey(index.key(b)), '2001:db8::/48');
  const c = index.add(key('10.9.0.0/16'));
  index.releaseIfUnused(c);
  index.sweep();
  t.equal(index.find(key('10.9.0.0/16')), -1, 'an id nobody retained is freed');
  t.throws(() => index.key(c), RangeError);
});

t.test('growth keeps every prefix and tells the owners; removals keep the others findable', async (t) => {
  const index = new PrefixIndex();
  const capacities: number[] = [];
  index.capacityChanged = (c) => capacities.push(c);
  const n = 50000;
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = index.add4(((0x0b000000 + i * 256) >>> 0), 24);
    index.retain(id);
    ids.push(id);
  }
  t.ok(capacities.length > 0 && (capacities.at(-1) as number) >= n, 'capacity grew past the ids');
  t.ok(ids.every((id) => id < index.capacity));
  // Free every third prefix: linear probing must shift the rest back, not lose them.
  for (let i = 0; i < n; i += 3) index.release(ids[i] as number);
  index.sweep();
  let lost = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const found = index.find4(((0x0b000000 + i * 256) >>> 0), 24);
    if (i % 3 === 0) kept += found === -1 ? 0 : 1;
    else lost += found === ids[i] ? 0 : 1;
  }
  t.equal(lost, 0, 'every remaining prefix is found under its id');
  t.equal(kept, 0, 'every freed prefix is gone');
  t.equal(index.size, n - Math.ceil(n / 3));
});

t.test('neighbouring prefixes of several lengths (an announcer\'s /32s beside /31s and /24s) are all kept apart', async (t) => {
  const index = new PrefixIndex();
  const keys: [number, number][] = [];
  for (let i = 0; i < 65536; i++) keys.push([(0x0a080000 + i) >>> 0, 32]); // 10.8.0.0/16 as /32s
  for (let i = 0; i < 65536; i += 2) keys.push([(0x0a080000 + i) >>> 0, 31]);
  for (let i = 0; i < 256; i++) keys.push([(0x0a080000 + i * 256) >>> 0, 24]);
  keys.push([0, 0]);
  const ids = keys.map(([a, l]) => index.add4(a, l));
  t.equal(new Set(ids).size, keys.length, 'one id each');
  let wrong = 0;
  keys.forEach(([a, l], i) => (wrong += index.find4(a, l) === ids[i] ? 0 : 1));
  t.equal(wrong, 0, 'each found under its own id');
  t.equal(index.find4(0x0a080001, 31), -1, 'an odd /31 was never added');
});
