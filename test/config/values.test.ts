// Address arithmetic (every prefix length of both families), range summarisation, label selectors, Go durations
// and MetalLB's community syntax.
import t from 'tap';
import {
  cidrSize,
  cidrText,
  formatAddress,
  maskAddress,
  parseAddress,
  parseCidr,
  parseCommunityValue,
  parseGoDuration,
  parsePoolAddresses,
  selectorMatches,
  summarizeRange,
  usableCount,
  type Cidr,
} from '../../lib/config/index.js';

const texts = (cidrs: readonly Cidr[]): string[] => cidrs.map(cidrText);

t.test('addresses round-trip in canonical form; zones and junk are refused', async (t) => {
  t.equal(formatAddress(parseAddress('10.8.0.255')!), '10.8.0.255');
  t.equal(formatAddress(parseAddress('2001:DB8:0:0::0:1')!), '2001:db8::1');
  t.equal(formatAddress(parseAddress('::')!), '::');
  t.equal(parseAddress('fe80::1%eth0'), undefined);
  t.equal(parseAddress('10.8.0'), undefined);
  t.equal(parseAddress('10.8.0.256'), undefined);
  t.equal(parseAddress(''), undefined);
});

t.test('CIDRs of every length, host bits cleared', async (t) => {
  for (let len = 0; len <= 32; len++) {
    const r = parseCidr(`255.255.255.255/${len}`);
    if (typeof r === 'string') return t.fail(r);
    t.equal(cidrSize(r.cidr), 1n << BigInt(32 - len), `/${len} size`);
    t.equal(r.hostBits, len < 32, `/${len} host bits`);
    t.equal(maskAddress({ afi: 1, value: 0xffffffffn }, len), r.cidr.first);
  }
  for (const len of [0, 1, 63, 64, 127, 128]) {
    const r = parseCidr(`ffff::1/${len}`);
    if (typeof r === 'string') return t.fail(r);
    t.equal(cidrSize(r.cidr), 1n << BigInt(128 - len), `IPv6 /${len}`);
  }
  t.equal(cidrText((parseCidr('2001:db8::5/64') as { cidr: Cidr }).cidr), '2001:db8::/64');
  t.match(parseCidr('10.0.0.0/33'), /prefix length must be 0..32/);
  t.match(parseCidr('::/129'), /prefix length must be 0..128/);
  t.match(parseCidr('10.0.0.0'), /not a CIDR/);
  t.match(parseCidr('10.0.0.0/'), /prefix length/);
});

t.test('ranges are summarised into the fewest CIDRs, as MetalLB does', async (t) => {
  t.same(texts((parsePoolAddresses('10.8.0.10-10.8.0.20') as { cidrs: Cidr[] }).cidrs), ['10.8.0.10/31', '10.8.0.12/30', '10.8.0.16/30', '10.8.0.20/32']);
  t.same(texts((parsePoolAddresses('10.8.0.0 - 10.8.255.255') as { cidrs: Cidr[] }).cidrs), ['10.8.0.0/16']);
  t.same(texts(summarizeRange(1, 0n, 0xffffffffn)), ['0.0.0.0/0']);
  t.same(texts(summarizeRange(1, 0xffffffffn, 0xffffffffn)), ['255.255.255.255/32']);
  t.same(texts(summarizeRange(2, 0n, (1n << 128n) - 1n)), ['::/0']);
  t.same(texts((parsePoolAddresses('2001:db8::1-2001:db8::6') as { cidrs: Cidr[] }).cidrs), ['2001:db8::1/128', '2001:db8::2/127', '2001:db8::4/127', '2001:db8::6/128']);
  t.match(parsePoolAddresses('10.0.0.5-10.0.0.1'), /start 10.0.0.5 is after end 10.0.0.1/);
  t.match(parsePoolAddresses('10.0.0.1-2001:db8::1'), /different families/);
  t.match(parsePoolAddresses('10.0.0.1-x'), /end "x" is not an IP address/);
});

t.test('avoidBuggyIPs capacity: two per /24, edges of smaller blocks', async (t) => {
  const c = (s: string): Cidr => (parseCidr(s) as { cidr: Cidr }).cidr;
  t.equal(usableCount(c('10.8.0.0/16'), true), 65536n - 512n);
  t.equal(usableCount(c('10.8.0.0/25'), true), 127n);
  t.equal(usableCount(c('10.8.0.128/25'), true), 127n);
  t.equal(usableCount(c('10.8.0.64/26'), true), 64n);
  t.equal(usableCount(c('10.8.0.0/32'), true), 0n);
  t.equal(usableCount(c('10.8.0.0/16'), false), 65536n);
  t.equal(usableCount(c('2001:db8::/120'), true), 256n, 'IPv6 has no buggy addresses');
});

t.test('label selectors: matchLabels and every operator', async (t) => {
  const labels = { zone: 'a', rack: 'r1' };
  const sel = (matchLabels: Record<string, string>, matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[] = []) => ({
    matchLabels,
    matchExpressions,
  });
  t.ok(selectorMatches(sel({}), labels), 'empty selector matches everything');
  t.ok(selectorMatches(sel({ zone: 'a' }), labels));
  t.notOk(selectorMatches(sel({ zone: 'b' }), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'rack', operator: 'In', values: ['r1', 'r2'] }]), labels));
  t.notOk(selectorMatches(sel({}, [{ key: 'gpu', operator: 'In', values: ['yes'] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'gpu', operator: 'NotIn', values: ['yes'] }]), labels), 'NotIn matches a missing label');
  t.notOk(selectorMatches(sel({}, [{ key: 'rack', operator: 'NotIn', values: ['r1'] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'zone', operator: 'Exists', values: [] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'gpu', operator: 'DoesNotExist', values: [] }]), labels));
  t.notOk(selectorMatches(sel({ zone: 'a' }, [{ key: 'zone', operator: 'DoesNotExist', values: [] }]), labels), 'all terms ANDed');
});

t.test('Go durations', async (t) => {
  t.equal(parseGoDuration('90s'), 90_000);
  t.equal(parseGoDuration('1m30s'), 90_000);
  t.equal(parseGoDuration('1.5h'), 5_400_000);
  t.equal(parseGoDuration('500ms'), 500);
  t.equal(parseGoDuration('0'), 0);
  t.equal(parseGoDuration('90'), undefined);
  t.equal(parseGoDuration('s'), undefined);
  t.equal(parseGoDuration('-3s'), undefined);
  t.equal(parseGoDuration(''), undefined);
});

t.test("MetalLB's community syntax", async (t) => {
  t.same(parseCommunityValue('65535:65282'), { standard: 0xffffff02 });
  t.same(parseCommunityValue('0:0'), { standard: 0 });
  t.same(parseCommunityValue('large:4294967295:0:1'), { large: [4294967295, 0, 1] });
  t.match(parseCommunityValue('65536:1'), /invalid community/);
  t.match(parseCommunityValue('1:2:3'), /invalid community/);
  t.match(parseCommunityValue('large:1:2:4294967296'), /invalid large community/);
  t.match(parseCommunityValue('no-export'), /invalid community/);
});
