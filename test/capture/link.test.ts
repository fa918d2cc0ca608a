// Link-layer decoding: Ethernet (+VLAN/QinQ), Linux SLL/SLL2, BSD NULL/LOOP, raw IP link types.
import t, { type Test } from 'tap';
import { decodeLinkLayer, LinkType } from '../../lib/capture/index.js';
import { ethernet, ipv4, ipv6, nullHeader, sll, sll2 } from '../helpers/pcap-writer.js';

const v4 = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: Uint8Array.of(1, 2, 3) });
const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: Uint8Array.of(1, 2, 3) });

function check(t: Test, linkType: number, frame: Uint8Array, version: 4 | 6, packet: Uint8Array): void {
  const decoded = decodeLinkLayer(linkType, frame);
  t.equal(decoded?.version, version, `link ${linkType}: version`);
  t.same(decoded && [...decoded.bytes], [...packet], `link ${linkType}: packet bytes`);
}

t.test('Ethernet, untagged, 802.1Q, QinQ (802.1ad and 0x9100)', async (t) => {
  check(t, LinkType.ETHERNET, ethernet(0x0800, v4), 4, v4);
  check(t, LinkType.ETHERNET, ethernet(0x86dd, v6), 6, v6);
  check(t, LinkType.ETHERNET, ethernet(0x0800, v4, [{ tpid: 0x8100, vid: 10 }]), 4, v4);
  check(t, LinkType.ETHERNET, ethernet(0x86dd, v6, [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 10 }]), 6, v6);
  check(t, LinkType.ETHERNET, ethernet(0x0800, v4, [{ tpid: 0x9100, vid: 1 }, { tpid: 0x8100, vid: 2 }]), 4, v4);
  t.equal(decodeLinkLayer(LinkType.ETHERNET, ethernet(0x0806, v4)), undefined, 'ARP is not IP');
  t.equal(decodeLinkLayer(LinkType.ETHERNET, ethernet(46, v4)), undefined, '802.3 length field, LLC');
  t.equal(decodeLinkLayer(LinkType.ETHERNET, ethernet(0x8100, new Uint8Array())), undefined, 'tag cut short');
});

t.test('Linux cooked SLL and SLL2', async (t) => {
  check(t, LinkType.LINUX_SLL, sll(0x0800, v4), 4, v4);
  check(t, LinkType.LINUX_SLL, sll(0x86dd, v6), 6, v6);
  check(t, LinkType.LINUX_SLL, sll(0x8100, Uint8Array.of(0, 5, 0x08, 0x00, ...v4)), 4, v4);
  check(t, LinkType.LINUX_SLL2, sll2(0x0800, v4), 4, v4);
  check(t, LinkType.LINUX_SLL2, sll2(0x86dd, v6), 6, v6);
  t.equal(decodeLinkLayer(LinkType.LINUX_SLL2, sll2(0x0806, v4)), undefined);
});

t.test('BSD NULL and LOOP: both byte orders, AF_INET and every AF_INET6 value', async (t) => {
  for (const linkType of [LinkType.NULL, LinkType.LOOP]) {
    for (const littleEndian of [true, false]) {
      check(t, linkType, nullHeader(2, v4, littleEndian), 4, v4);
      for (const family of [24, 28, 30]) check(t, linkType, nullHeader(family, v6, littleEndian), 6, v6);
      t.equal(decodeLinkLayer(linkType, nullHeader(7, v4, littleEndian)), undefined, 'unknown family');
    }
  }
});

t.test('raw IP link types', async (t) => {
  for (const linkType of [LinkType.RAW, 12, 14]) {
    check(t, linkType, v4, 4, v4);
    check(t, linkType, v6, 6, v6);
    t.equal(decodeLinkLayer(linkType, Uint8Array.of(0x50, 0)), undefined, 'version 5');
  }
  check(t, LinkType.IPV4, v4, 4, v4);
  check(t, LinkType.IPV6, v6, 6, v6);
});

t.test('unknown link types and frames too short for their header', async (t) => {
  t.equal(decodeLinkLayer(105 /* 802.11 */, v4), undefined);
  for (const linkType of [0, 1, 12, 101, 108, 113, 276]) {
    for (let n = 0; n < 20; n++) {
      t.doesNotThrow(() => decodeLinkLayer(linkType, new Uint8Array(n).fill(0x08)));
    }
  }
  t.equal(decodeLinkLayer(LinkType.LINUX_SLL, sll(0x0800, v4).subarray(0, 15)), undefined);
  t.same(decodeLinkLayer(LinkType.ETHERNET, ethernet(0x0800, new Uint8Array()))?.bytes.length, 0);
});
