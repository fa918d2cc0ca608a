// Prefix lists with FRR's semantics: the ge/le table, first match in sequence order, implicit deny, family
// separation, FRR's "an existing empty list permits", and the validation of ranges.
import t from 'tap';
import type { Prefix } from '../../lib/wire/index.js';
import { PrefixList } from '../../lib/policy/index.js';
import type { PrefixListEntry } from '../../lib/policy/index.js';

function prefix(text: string): Prefix {
  const [address, len] = text.split('/') as [string, string];
  return { afi: address.includes(':') ? 2 : 1, address, length: Number(len) };
}

function list(afi: 1 | 2, entries: PrefixListEntry[]): PrefixList {
  return new PrefixList({ name: 'PL', afi, entries });
}

t.test('ge/le table (IPv4, entry 10.8.0.0/16)', async (t) => {
  // [ge, le, prefix, expected]
  const table: [number | undefined, number | undefined, string, boolean][] = [
    // neither: exact length only
    [undefined, undefined, '10.8.0.0/16', true],
    [undefined, undefined, '10.8.0.0/17', false],
    [undefined, undefined, '10.8.1.0/24', false],
    [undefined, undefined, '10.0.0.0/8', false],
    // le alone: 16 ≤ len ≤ le
    [undefined, 32, '10.8.0.0/16', true],
    [undefined, 32, '10.8.3.4/32', true],
    [undefined, 24, '10.8.3.0/24', true],
    [undefined, 24, '10.8.3.128/25', false],
    [undefined, 24, '10.0.0.0/8', false],
    [undefined, 16, '10.8.0.0/16', true],
    [undefined, 16, '10.8.0.0/17', false],
    // ge alone: ge ≤ len ≤ 32
    [24, undefined, '10.8.0.0/16', false],
    [24, undefined, '10.8.1.0/23', false],
    [24, undefined, '10.8.1.0/24', true],
    [24, undefined, '10.8.1.1/32', true],
    [16, undefined, '10.8.0.0/16', true],
    // both: ge ≤ len ≤ le
    [20, 24, '10.8.0.0/19', false],
    [20, 24, '10.8.0.0/20', true],
    [20, 24, '10.8.0.0/24', true],
    [20, 24, '10.8.0.0/25', false],
    // outside the /16 never matches, whatever the length
    [undefined, 32, '10.9.0.0/16', false],
    [undefined, 32, '10.9.0.1/32', false],
    [17, 32, '11.8.0.0/24', false],
    // ge/le of 0 count as not given (FRR)
    [0, 0, '10.8.0.0/16', true],
    [0, 0, '10.8.0.0/24', false],
  ];
  for (const [ge, le, p, expected] of table) {
    const entry: PrefixListEntry = { seq: 5, action: 'permit', prefix: '10.8.0.0/16', ...(ge !== undefined && { ge }), ...(le !== undefined && { le }) };
    t.equal(list(1, [entry]).permits(prefix(p)), expected, `ge ${ge ?? '-'} le ${le ?? '-'}: ${p} → ${expected}`);
  }
});

t.test('host bits of the route are ignored beyond the entry length', async (t) => {
  const l = list(1, [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 32 }]);
  t.ok(l.permits(prefix('10.8.255.255/32')));
  t.ok(l.permits({ afi: 1, address: '10.8.0.1', length: 24 }), 'a /24 carrying host bits');
});

t.test('any: 0.0.0.0/0 le 32 matches every IPv4 prefix', async (t) => {
  const l = list(1, [{ seq: 5, action: 'permit', prefix: '0.0.0.0/0', le: 32 }]);
  for (const p of ['0.0.0.0/0', '10.0.0.0/8', '192.168.3.1/32', '255.255.255.255/32']) t.ok(l.permits(prefix(p)), p);
  t.notOk(l.permits(prefix('::/0')), 'not an IPv6 prefix');
  // Without le only the default route itself.
  const exact = list(1, [{ seq: 5, action: 'permit', prefix: '0.0.0.0/0' }]);
  t.ok(exact.permits(prefix('0.0.0.0/0')));
  t.notOk(exact.permits(prefix('10.0.0.0/8')));
});

t.test('first match in sequence order decides; no match denies', async (t) => {
  const l = list(1, [
    { seq: 5, action: 'deny', prefix: '10.8.1.0/24' },
    { seq: 10, action: 'permit', prefix: '10.8.0.0/16', le: 32 },
    { seq: 15, action: 'deny', prefix: '10.8.0.0/16', le: 32 },
  ]);
  t.notOk(l.permits(prefix('10.8.1.0/24')), 'seq 5 denies');
  t.ok(l.permits(prefix('10.8.1.0/25')), 'seq 5 is exact; seq 10 permits');
  t.ok(l.permits(prefix('10.8.2.0/24')));
  t.notOk(l.permits(prefix('192.168.0.0/16')), 'implicit deny');
  t.equal(l.firstMatch(prefix('10.8.2.0/24'))?.seq, 10);
  t.equal(l.firstMatch(prefix('192.168.0.0/16')), undefined);
});

t.test('IPv6 lists', async (t) => {
  const l = list(2, [
    { seq: 5, action: 'deny', prefix: '2001:db8:1::/48', le: 128 },
    { seq: 10, action: 'permit', prefix: '2001:db8::/32', ge: 48, le: 64 },
  ]);
  t.notOk(l.permits(prefix('2001:db8:1::/48')));
  t.notOk(l.permits(prefix('2001:db8:1:2::/64')));
  t.ok(l.permits(prefix('2001:db8:2::/48')));
  t.ok(l.permits(prefix('2001:db8:ffff:1::/64')));
  t.notOk(l.permits(prefix('2001:db8:2::/47')), 'shorter than ge');
  t.notOk(l.permits(prefix('2001:db8:2::/65')), 'longer than le');
  t.notOk(l.permits(prefix('2001:db9::/48')), 'outside the /32');
  t.notOk(l.permits(prefix('10.0.0.0/8')), 'IPv4 prefix');
  const deep = list(2, [{ seq: 5, action: 'permit', prefix: '2001:db8:0:0:1::/80' }]);
  t.ok(deep.permits(prefix('2001:db8::1:0:0:0/80')));
  t.notOk(deep.permits(prefix('2001:db8::2:0:0:0/80')), 'differs in the fifth group');
});

t.test('an existing empty list permits everything (FRR prefix_list_apply)', async (t) => {
  const l = list(1, []);
  t.ok(l.permits(prefix('10.0.0.0/8')));
  t.ok(l.permits(prefix('2001:db8::/32')));
});

t.test('addresses as host prefixes (next-hop matching)', async (t) => {
  const l = list(1, [{ seq: 5, action: 'permit', prefix: '192.168.3.0/24', le: 32 }]);
  t.ok(l.permitsAddress(1, '192.168.3.15'));
  t.notOk(l.permitsAddress(1, '192.168.4.15'));
  const exact24 = list(1, [{ seq: 5, action: 'permit', prefix: '192.168.3.0/24' }]);
  t.notOk(exact24.permitsAddress(1, '192.168.3.15'), 'a /32 is not the /24');
});

t.test('malformed route text never throws', async (t) => {
  const l = list(1, [{ seq: 5, action: 'permit', prefix: '0.0.0.0/0', le: 32 }]);
  for (const address of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', 'a.b.c.d', '1..2.3', '1.2.3.4 ']) {
    t.notOk(l.permits({ afi: 1, address, length: 32 }), JSON.stringify(address));
  }
  const l6 = list(2, [{ seq: 5, action: 'permit', prefix: '::/0', le: 128 }]);
  t.notOk(l6.permits({ afi: 2, address: 'zz::', length: 128 }));
});

t.test('invalid entries are refused at construction', async (t) => {
  const bad: [PrefixListEntry, RegExp][] = [
    [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16', ge: 8 }, /mask length/],
    [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 8 }, /mask length/],
    [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16', ge: 28, le: 24 }, /ge is greater than le/],
    [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 33 }, /0 to 32/],
    [{ seq: 5, action: 'permit', prefix: '2001:db8::/32' }, /not an IPv4 prefix/],
    [{ seq: 5, action: 'permit', prefix: '10.8.0.0' }, /not an IPv4 prefix/],
  ];
  for (const [entry, re] of bad) t.throws(() => list(1, [entry]), re, JSON.stringify(entry));
});
