/**
 * Link-layer decoding: from a captured frame and its LINKTYPE to the IPv4 or IPv6 packet inside it.
 *
 * Link types are the tcpdump.org LINKTYPE registry values stored in capture files:
 * - ETHERNET (1): IEEE 802.3 / Ethernet II, with any stack of 802.1Q (0x8100), 802.1ad (0x88a8) or the
 *   pre-standard QinQ (0x9100) tags;
 * - LINUX_SLL (113) and LINUX_SLL2 (276): the Linux "cooked" headers of `tcpdump -i any`;
 * - NULL (0) and LOOP (108): BSD loopback, a 4-byte address family (host byte order for NULL, network order for
 *   LOOP; both are accepted in either order since NULL files move between machines);
 * - RAW (101, and the platform DLT values 12 and 14 that some old files carry) and IPV4 (228) / IPV6 (229).
 * Anything that is not IP (ARP, LLC, LLDP, …) yields undefined.
 */

/** LINKTYPE_* values understood by {@link decodeLinkLayer}. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** DLT_RAW as written by some platforms' libpcap before LINKTYPE_RAW (101) was standardised. */
const LEGACY_RAW_LINKTYPES: ReadonlySet<number> = new Set([12, 14]);

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q C-tag, 802.1ad S-tag, and the pre-802.1ad QinQ tag: each adds 4 bytes before the real EtherType. */
const VLAN_ETHERTYPES: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);

/** BSD address-family values seen in NULL/LOOP headers: AF_INET is 2 everywhere; AF_INET6 differs by OS. */
const AF_INET = 2;
const AF_INET6_VALUES: ReadonlySet<number> = new Set([24 /* NetBSD, OpenBSD */, 28 /* FreeBSD */, 30 /* Darwin */]);

const ETHERNET_HEADER_LENGTH = 14;
const SLL_HEADER_LENGTH = 16;
const SLL2_HEADER_LENGTH = 20;
const NULL_HEADER_LENGTH = 4;

/** A network-layer packet found inside a frame. */
export interface NetworkPacket {
  /** IP version announced by the link layer (EtherType, address family or link type). */
  readonly version: 4 | 6;
  /** The IP packet, from its first header byte to the end of the captured frame (a view, not a copy). */
  readonly bytes: Uint8Array;
}

/**
 * Strips the link-layer header of a captured frame.
 *
 * @param linkType the LINKTYPE_* of the interface the frame was captured on.
 * @param frame the captured bytes.
 * @returns the IPv4/IPv6 packet, or undefined for non-IP frames, unknown link types and frames too short to hold
 *   their own link-layer header.
 */
export function decodeLinkLayer(linkType: number, frame: Uint8Array): NetworkPacket | undefined {
  switch (linkType) {
    case LinkType.ETHERNET:
      return fromEtherType(frame, 12);
    case LinkType.LINUX_SLL:
      // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
      return frame.length < SLL_HEADER_LENGTH ? undefined : fromEtherType(frame, 14);
    case LinkType.LINUX_SLL2:
      // protocol (2) comes first; then reserved (2), ifindex (4), ARPHRD (2), packet type, address length, address.
      return frame.length < SLL2_HEADER_LENGTH ? undefined : network(etherTypeVersion(read16(frame, 0)), frame, 20);
    case LinkType.NULL:
    case LinkType.LOOP:
      return fromAddressFamily(frame);
    case LinkType.RAW:
      return fromVersionNibble(frame);
    case LinkType.IPV4:
      return network(4, frame, 0);
    case LinkType.IPV6:
      return network(6, frame, 0);
    default:
      return LEGACY_RAW_LINKTYPES.has(linkType) ? fromVersionNibble(frame) : undefined;
  }
}

/**
 * Reads the EtherType at `at`, skipping VLAN tags. Ethernet frames start their EtherType at 12; Linux SLL has its
 * protocol field at 14 (and can carry an untagged-by-the-kernel VLAN header after it just like Ethernet).
 */
function fromEtherType(frame: Uint8Array, at: number): NetworkPacket | undefined {
  let position = at;
  if (position + 2 > frame.length) return undefined;
  let etherType = read16(frame, position);
  // Each tag is TPID (already read) + TCI (2), then the next EtherType; the loop always advances, so it ends.
  while (VLAN_ETHERTYPES.has(etherType)) {
    position += 4;
    if (position + 2 > frame.length) return undefined;
    etherType = read16(frame, position);
  }
  return network(etherTypeVersion(etherType), frame, position + 2);
}

function etherTypeVersion(etherType: number): 4 | 6 | undefined {
  if (etherType === ETHERTYPE_IPV4) return 4;
  if (etherType === ETHERTYPE_IPV6) return 6;
  return undefined;
}

function fromAddressFamily(frame: Uint8Array): NetworkPacket | undefined {
  if (frame.length < NULL_HEADER_LENGTH) return undefined;
  let family = ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
  // Families are small numbers: a value with its high half set was written little-endian (NULL is host order).
  if (family > 0xffff) {
    family = ((frame[3]! << 24) | (frame[2]! << 16) | (frame[1]! << 8) | frame[0]!) >>> 0;
  }
  if (family === AF_INET) return network(4, frame, NULL_HEADER_LENGTH);
  if (AF_INET6_VALUES.has(family)) return network(6, frame, NULL_HEADER_LENGTH);
  return undefined;
}

function fromVersionNibble(frame: Uint8Array): NetworkPacket | undefined {
  const first = frame[0];
  if (first === undefined) return undefined;
  const version = first >> 4;
  return version === 4 || version === 6 ? network(version, frame, 0) : undefined;
}

function network(version: 4 | 6 | undefined, frame: Uint8Array, start: number): NetworkPacket | undefined {
  if (version === undefined || start > frame.length) return undefined;
  return { version, bytes: frame.subarray(start) };
}

function read16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}
