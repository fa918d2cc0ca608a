// Aggregation for the announcer (MetalLB aggregationLength) and the prefix keys it relies on.
import t from 'tap';
import { parsePrefix } from '../../lib/wire/index.js';
import { aggregateAddresses, aggregatePrefix, formatKey, keyToPrefix, prefixKey } from '../../lib/rib/index.js';

t.test('an address masked to the aggregation length', async (t) => {
  t.same(aggregatePrefix('10.8.3.7', 24), { afi: 1, address: '10.8.3.0', length: 24 });
  t.same(aggregatePrefix('10.8.0.0', 32), { afi: 1, address: '10.8.0.0', length: 32 });
  t.same(aggregatePrefix('10.8.255.255', 16), { afi: 1, address: '10.8.0.0', length: 16 });
  t.same(aggregatePrefix('2001:db8::1:2', 64), { afi: 2, address: '2001:db8::', length: 64 });
  t.same(aggregatePrefix('10.1.2.3', 0), { afi: 1, address: '0.0.0.0', length: 0 });
  t.throws(() => aggregatePrefix('10.8.0.0', 33), TypeError);
  t.throws(() => aggregatePrefix('not-an-address', 24), TypeError);
});

t.test('duplicates merge, first-seen order kept, each family with its own length', async (t) => {
  const out = aggregateAddresses(['10.8.0.5', '10.8.1.9', '10.8.0.200', '2001:db8::5', '2001:db8::6'], 24, 120);
  t.same(out.map((p) => `${p.address}/${p.length}`), ['10.8.0.0/24', '10.8.1.0/24', '2001:db8::/120']);
  t.same(aggregateAddresses(['10.8.0.0', '10.8.0.0']).length, 1, 'default /32 merges only equal addresses');
});

t.test('prefix keys: host bits cleared, round trip, text', async (t) => {
  t.equal(prefixKey(parsePrefix('10.0.0.0/24')), prefixKey({ afi: 1, address: '10.0.0.1', length: 24 }));
  t.equal(typeof prefixKey(parsePrefix('10.0.0.0/24')), 'number');
  t.equal(typeof prefixKey(parsePrefix('2001:db8::/32')), 'string');
  for (const text of ['0.0.0.0/0', '10.8.0.0/32', '192.168.128.0/17', '::/0', '2001:db8:ff00::/40', '2001:db8::1/128']) {
    const key = prefixKey(parsePrefix(text));
    t.not(key, undefined);
    t.equal(formatKey(key as number | string), text);
    t.same(keyToPrefix(key as number | string), parsePrefix(text));
  }
  t.equal(prefixKey({ afi: 1, address: '10.0.0.0', length: 33 }), undefined);
  t.equal(prefixKey({ afi: 2, address: '10.0.0.0', length: 8 }), undefined);
});
