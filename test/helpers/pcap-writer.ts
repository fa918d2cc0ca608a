/**
 * A tiny writer of synthetic captures for the capture reader's tests: classic pcap and pcapng containers (either
 * byte order, any timestamp resolution), the link-layer headers the reader understands, IPv4/IPv6/TCP headers and
 * BGP-framed messages. It writes exactly what the format documents say, independently of the reader's code.
 */

// ---------------------------------------------------------------- bytes

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A little writer of fixed-width integers in a chosen byte order. */
class Fields {
  readonly #bytes: number[] = [];
  constructor(readonly littleEndian: boolean) {}
  u8(v: number): this {
    this.#bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    this.#bytes.push(...(this.littleEndian ? b.reverse() : b));
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.#bytes.push(...(this.littleEndian ? b.reverse() : b));
    return this;
  }
  u64(v: bigint): this {
    const high = Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn);
    const low = Number(BigInt.asUintN(64, v) & 0xffffffffn);
    return this.littleEndian ? this.u32(low).u32(high) : this.u32(high).u32(low);
  }
  /** A pcapng packet timestamp: the high 32 bits, then the low 32 bits, each in the section's byte order. */
  timestamp(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }
  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.#bytes.push(b);
    return this;
  }
  pad4(): this {
    while (this.#bytes.length % 4 !== 0) this.#bytes.push(0);
    return this;
  }
  get length(): number {
    return this.#bytes.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

// ---------------------------------------------------------------- classic pcap

export interface PcapRecord {
  readonly data: Uint8Array;
  /** Capture time in nanoseconds since the epoch (default: 1 s after the epoch + 1 ms per record). */
  readonly timeNs?: bigint;
  /** Wire length; defaults to data.length. */
  readonly originalLength?: number;
}

export interface PcapOptions {
  readonly linkType: number;
  readonly littleEndian?: boolean;
  /** Write the nanosecond magic (0xa1b23c4d) and nanosecond fractions. */
  readonly nanoseconds?: boolean;
  /** Write Kuznetzov's 0xa1b2cd34 magic with 24-byte record headers. */
  readonly kuznetzov?: boolean;
  /** Extra bits OR-ed into the LinkType word (FCS information). */
  readonly linkTypeFlags?: number;
}

/** A classic pcap file (draft-ietf-opsawg-pcap). */
export function pcapFile(records: readonly PcapRecord[], options: PcapOptions): Uint8Array {
  const le = options.littleEndian ?? true;
  const magic = options.kuznetzov ? 0xa1b2cd34 : options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  const f = new Fields(le).u32(magic).u16(2).u16(4).u32(0).u32(0).u32(262144);
  f.u32((options.linkType | (options.linkTypeFlags ?? 0)) >>> 0);
  records.forEach((record, i) => {
    const ns = record.timeNs ?? 1_000_000_000n + BigInt(i) * 1_000_000n;
    const seconds = Number(ns / 1_000_000_000n);
    const fraction = Number(ns % 1_000_000_000n);
    f.u32(seconds).u32(options.nanoseconds ? fraction : Math.floor(fraction / 1000));
    f.u32(record.data.length).u32(record.originalLength ?? record.data.length);
    if (options.kuznetzov) f.u32(1).u16(0x0800).u8(0).u8(0);
    f.raw(record.data);
  });
  return f.bytes();
}

// ---------------------------------------------------------------- pcapng

export interface InterfaceOptions {
  readonly linkType: number;
  readonly snapLength?: number;
  /** Raw if_tsresol byte (default: option omitted, i.e. microseconds). */
  readonly tsresol?: number;
  /** if_tsoffset in seconds. */
  readonly tsoffset?: bigint;
}

/** Builds a pcapng file block by block (draft-ietf-opsawg-pcapng). */
export class PcapngWriter {
  readonly #blocks: Uint8Array[] = [];
  #le = true;

  /** Starts a section (SHB) in the given byte order; interfaces restart at 0. */
  section(littleEndian = true, options: Uint8Array = new Uint8Array()): this {
    this.#le = littleEndian;
    const body = new Fields(littleEndian).u32(0x1a2b3c4d).u16(1).u16(0).u64(-1n).raw(options).pad4();
    return this.#block(0x0a0d0d0a, body.bytes());
  }

  interface(options: InterfaceOptions): this {
    const body = new Fields(this.#le).u16(options.linkType).u16(0).u32(options.snapLength ?? 0);
    if (options.tsresol !== undefined) body.u16(9).u16(1).u8(options.tsresol).pad4();
    if (options.tsoffset !== undefined) body.u16(14).u16(8).u64(options.tsoffset);
    if (options.tsresol !== undefined || options.tsoffset !== undefined) body.u16(0).u16(0);
    return this.#block(1, body.bytes());
  }

  /** Enhanced Packet Block; `timestamp` is in the interface's units. */
  enhancedPacket(interfaceId: number, timestamp: bigint, data: Uint8Array, originalLength = data.length): this {
    const body = new Fields(this.#le).u32(interfaceId).timestamp(timestamp).u32(data.length).u32(originalLength);
    body.raw(data).pad4();
    return this.#block(6, body.bytes());
  }

  /** Simple Packet Block (interface 0, no timestamp). */
  simplePacket(data: Uint8Array, originalLength = data.length): this {
    return this.#block(3, new Fields(this.#le).u32(originalLength).raw(data).pad4().bytes());
  }

  /** Obsolete Packet Block (Appendix A). */
  obsoletePacket(interfaceId: number, timestamp: bigint, data: Uint8Array): this {
    const body = new Fields(this.#le).u16(interfaceId).u16(0).timestamp(timestamp).u32(data.length).u32(data.length);
    return this.#block(2, body.raw(data).pad4().bytes());
  }

  /** Any other block type, e.g. Name Resolution (4), Interface Statistics (5), or an unassigned one. */
  block(type: number, body: Uint8Array): this {
    return this.#block(type, new Fields(this.#le).raw(body).pad4().bytes());
  }

  bytes(): Uint8Array {
    return concat(...this.#blocks);
  }

  #block(type: number, body: Uint8Array): this {
    const total = body.length + 12;
    this.#blocks.push(new Fields(this.#le).u32(type).u32(total).raw(body).u32(total).bytes());
    return this;
  }
}

// ---------------------------------------------------------------- link layers

export interface VlanTag {
  readonly tpid: number;
  readonly vid: number;
}

/** An Ethernet II frame, optionally with a stack of VLAN tags (outermost first). */
export function ethernet(etherType: number, payload: Uint8Array, vlans: readonly VlanTag[] = []): Uint8Array {
  const f = new Fields(false).raw(Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2));
  for (const tag of vlans) f.u16(tag.tpid).u16(tag.vid);
  return f.u16(etherType).raw(payload).bytes();
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113). */
export function sll(etherType: number, payload: Uint8Array): Uint8Array {
  const address = Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0);
  return new Fields(false).u16(0).u16(1).u16(6).raw(address).u16(etherType).raw(payload).bytes();
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276). */
export function sll2(etherType: number, payload: Uint8Array): Uint8Array {
  return new Fields(false)
    .u16(etherType)
    .u16(0)
    .u32(3)
    .u16(1)
    .u8(0)
    .u8(6)
    .raw(Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0))
    .raw(payload)
    .bytes();
}

/** BSD loopback header: a 4-byte address family in the given byte order (NULL: host order; LOOP: big-endian). */
export function nullHeader(family: number, payload: Uint8Array, littleEndian: boolean): Uint8Array {
  return new Fields(littleEndian).u32(family).raw(payload).bytes();
}

// ---------------------------------------------------------------- IP and TCP

/** Parses IPv4 dotted-quad or IPv6 text (with "::") into bytes. */
export function addressBytes(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const [head = '', tail] = text.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const f = new Fields(false);
  for (const g of all) f.u16(g);
  return f.bytes();
}

export interface Ipv4Options {
  readonly src: string;
  readonly dst: string;
  readonly payload: Uint8Array;
  readonly protocol?: number;
  /** IP options (padded to 4 bytes). */
  readonly options?: Uint8Array;
  /** Flags + fragment offset word (default 0x4000, DF). */
  readonly fragment?: number;
  /** Override the Total Length field. */
  readonly totalLength?: number;
}

export function ipv4(o: Ipv4Options): Uint8Array {
  const options = new Fields(false).raw(o.options ?? new Uint8Array()).pad4().bytes();
  const headerLength = 20 + options.length;
  return new Fields(false)
    .u8(0x40 | (headerLength / 4))
    .u8(0)
    .u16(o.totalLength ?? headerLength + o.payload.length)
    .u16(0x1234)
    .u16(o.fragment ?? 0x4000)
    .u8(64)
    .u8(o.protocol ?? 6)
    .u16(0)
    .raw(addressBytes(o.src))
    .raw(addressBytes(o.dst))
    .raw(options)
    .raw(o.payload)
    .bytes();
}

export interface ExtensionHeader {
  /** Next Header value identifying this header (0, 43, 44, 51, 60). */
  readonly type: number;
  /** Body after the 2 generic bytes; its length must make the header a multiple of 8 (4 for AH). */
  readonly body: Uint8Array;
}

export interface Ipv6Options {
  readonly src: string;
  readonly dst: string;
  readonly payload: Uint8Array;
  readonly nextHeader?: number;
  readonly extensions?: readonly ExtensionHeader[];
  /** Override the Payload Length field. */
  readonly payloadLength?: number;
}

export function ipv6(o: Ipv6Options): Uint8Array {
  const extensions = o.extensions ?? [];
  const chain = new Fields(false);
  extensions.forEach((ext, i) => {
    const next = extensions[i + 1]?.type ?? o.nextHeader ?? 6;
    const total = 2 + ext.body.length;
    const lengthField = ext.type === 51 ? total / 4 - 2 : ext.type === 44 ? 0 : total / 8 - 1;
    chain.u8(next).u8(lengthField).raw(ext.body);
  });
  const rest = concat(chain.bytes(), o.payload);
  return new Fields(false)
    .u32(0x60000000)
    .u16(o.payloadLength ?? rest.length)
    .u8(extensions[0]?.type ?? o.nextHeader ?? 6)
    .u8(64)
    .raw(addressBytes(o.src))
    .raw(addressBytes(o.dst))
    .raw(rest)
    .bytes();
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface TcpOptions {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack?: number;
  readonly flags: number;
  readonly payload?: Uint8Array;
  /** TCP options (padded to 4 bytes). */
  readonly options?: Uint8Array;
}

export function tcp(o: TcpOptions): Uint8Array {
  const options = new Fields(false).raw(o.options ?? new Uint8Array()).pad4().bytes();
  return new Fields(false)
    .u16(o.srcPort)
    .u16(o.dstPort)
    .u32(o.seq >>> 0)
    .u32((o.ack ?? 0) >>> 0)
    .u8(((20 + options.length) / 4) << 4)
    .u8(o.flags)
    .u16(65535)
    .u16(0)
    .u16(0)
    .raw(options)
    .raw(o.payload ?? new Uint8Array())
    .bytes();
}

/** One side of a TCP conversation. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * Builds the IP packets of one TCP connection, tracking both sides' sequence numbers the way a real stack would
 * (SYN and FIN each consume one number; every segment but the first SYN acknowledges the peer).
 */
export class TcpConversation {
  readonly #next: { client: number; server: number };
  readonly #synSent = { client: false, server: false };

  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
    isn: { client: number; server: number } = { client: 1000, server: 5000 },
  ) {
    this.#next = { ...isn };
  }

  /** Next sequence number `side` will send. */
  next(side: 'client' | 'server'): number {
    return this.#next[side];
  }

  /**
   * One segment from `side`. `seq` overrides the sequence number (for retransmits and reordering) without
   * advancing the sender's state.
   */
  segment(side: 'client' | 'server', flags: number, payload: Uint8Array = new Uint8Array(), seq?: number): Uint8Array {
    const other = side === 'client' ? 'server' : 'client';
    const [from, to] = side === 'client' ? [this.client, this.server] : [this.server, this.client];
    const withAck = flags & SYN && !this.#synSent[other] ? flags : flags | ACK;
    const sequence = seq ?? this.#next[side];
    if (seq === undefined) {
      this.#next[side] = (sequence + payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    }
    if (flags & SYN) this.#synSent[side] = true;
    const segment = tcp({
      srcPort: from.port,
      dstPort: to.port,
      seq: sequence,
      ack: withAck & ACK ? this.#next[other] : 0,
      flags: withAck,
      payload,
    });
    return from.address.includes(':')
      ? ipv6({ src: from.address, dst: to.address, payload: segment })
      : ipv4({ src: from.address, dst: to.address, payload: segment });
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): Uint8Array[] {
    return [this.segment('client', SYN), this.segment('server', SYN), this.segment('client', ACK)];
  }
}

// ---------------------------------------------------------------- BGP framing

/** A BGP message: 16-byte marker, length, type, body (RFC 4271 §4.1). */
export function bgpMessage(type: number, body: Uint8Array = new Uint8Array()): Uint8Array {
  return new Fields(false).raw(new Uint8Array(16).fill(0xff)).u16(19 + body.length).u8(type).raw(body).bytes();
}

/** A KEEPALIVE (type 4, header only). */
export function keepalive(): Uint8Array {
  return bgpMessage(4);
}

/** An UPDATE-typed message with a distinctive body of `size` bytes (content is irrelevant to framing). */
export function update(size: number, fill = 0x42): Uint8Array {
  return bgpMessage(2, new Uint8Array(size).fill(fill));
}

// ---------------------------------------------------------------- deterministic randomness

/** mulberry32: a small seeded PRNG, so fuzz tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
