/**
 * The vocabulary shared by the daemon helpers (FRR, BIRD, GoBGP, OpenBGPD, ExaBGP): what a test says it wants
 * (`SpeakerSpec`, `PeerSpec`, `RouteSpec`) and what it reads back (`PeerView`, `PathView`), the same for every
 * daemon so an interop test reads the same whichever peer it faces. Each daemon module turns a spec into its own
 * config file and parses its own CLI into these views; `raw` keeps the daemon's own words for diagnostics.
 *
 * Names follow RFC 4271: session states are §8.2.2's (`Idle` … `Established`), path attributes §5.1's.
 * Only unicast families are modelled (AFI 1/2, SAFI 1). A spec field that a daemon cannot express makes its config
 * builder throw — a test never silently runs without what it asked for.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Netns, NsProcess } from '../netns.js';

export type Family = 'ipv4' | 'ipv6';
export type Origin = 'igp' | 'egp' | 'incomplete';
export type DaemonKind = 'frr' | 'bird' | 'gobgp' | 'openbgpd' | 'exabgp';

/** RFC 4271 §8.2.2 session states. */
export type BgpState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface PeerSpec {
  /** The neighbor's address (IPv4 or IPv6); the session runs over this family. */
  readonly address: string;
  readonly as: number;
  /** Our end of the session; default: the speaker's `address` or `address6`, matching the neighbor's family. */
  readonly localAddress?: string;
  /** Wait for the neighbor to connect; never open the connection ourselves. */
  readonly passive?: boolean;
  /** Hold time to offer in OPEN (keepalive = hold / 3). */
  readonly holdTime?: number;
  /** Address families to negotiate (MP capability, RFC 4760); default: the family of `address`. */
  readonly families?: readonly Family[];
  /** RFC 4456: this neighbor is our route-reflector client. */
  readonly routeReflectorClient?: boolean;
  /**
   * eBGP multihop. Default per daemon: BIRD uses `multihop` (a neighbor on `lo` is not "directly connected" for
   * it), the others a TTL of 1, which works on `lo` and on a veth.
   */
  readonly multihop?: boolean;
  /**
   * ConnectRetryTime in seconds (RFC 4271 §10). Default 5 for FRR, BIRD and GoBGP, whose own defaults (120 s)
   * would stall a test whose peer was not yet listening at the first attempt. OpenBGPD and ExaBGP have no knob.
   */
  readonly connectRetry?: number;
  /** false: do not announce the 4-octet AS capability (RFC 6793) — a "2-byte AS" speaker. */
  readonly as4?: boolean;
  /**
   * FRR only: put a permit-everything route map in and out on the session, the way an operator satisfies
   * RFC 8212 (with `SpeakerSpec.rfc8212`). The other daemons here accept and export everything anyway.
   */
  readonly permitAny?: boolean;
  readonly description?: string;
}

/** A route the speaker originates. */
export interface RouteSpec {
  readonly prefix: string;
  /** Default: the daemon's "self". */
  readonly nextHop?: string;
  readonly origin?: Origin;
  /**
   * Prepended to the (empty) AS_PATH of the originated route; the speaker adds its own AS in front on eBGP.
   * ExaBGP is the exception: it sends `asPath` verbatim as the whole AS_PATH (so a test can send any path,
   * including one that does not start with ExaBGP's AS) — include its AS yourself for a well-formed eBGP path.
   */
  readonly asPath?: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  /** RFC 1997 communities as `asn:value`. */
  readonly communities?: readonly string[];
  /** RFC 8092 large communities as `global:local1:local2`. */
  readonly largeCommunities?: readonly string[];
}

export interface SpeakerSpec {
  readonly as: number;
  readonly routerId: string;
  /** IPv4 address the daemon binds and listens on. */
  readonly address: string;
  /** IPv6 address the daemon binds and listens on, if any. */
  readonly address6?: string;
  readonly peers: readonly PeerSpec[];
  readonly routes?: readonly RouteSpec[];
  /** FRR only: keep RFC 8212 (no eBGP route without policy) on; by default the builder turns it off. */
  readonly rfc8212?: boolean;
  /** Verbose daemon logging (FRR `debug bgp …`, BIRD `debug all`, ExaBGP debug level). */
  readonly debug?: boolean;
  /** Raw lines appended to the generated config — an escape hatch; prefer adding a typed option. */
  readonly extraConfig?: readonly string[];
}

/** The last NOTIFICATION a daemon reports for a session (RFC 4271 §4.5), in as much detail as its CLI gives. */
export interface NotificationView {
  readonly direction: 'sent' | 'received' | undefined;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  /** The daemon's own description ("Cease/Administrative Shutdown"). */
  readonly text: string;
  /** RFC 9003 shutdown communication, when one came with it. */
  readonly shutdownMessage: string | undefined;
}

export interface PeerView {
  readonly address: string;
  readonly state: BgpState;
  readonly remoteAs: number | undefined;
  readonly remoteRouterId: string | undefined;
  readonly lastNotification: NotificationView | undefined;
  /** The daemon's own record of this neighbor (JSON object or CLI text). */
  readonly raw: unknown;
}

/** One path for a prefix as the daemon's RIB shows it. */
export interface PathView {
  readonly prefix: string;
  readonly nextHop: string | undefined;
  /** AS numbers in order; AS_SET members are flattened in place (see `asPathText` for the exact form). */
  readonly asPath: readonly number[];
  readonly asPathText: string;
  readonly origin: Origin | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  /** Selected as best by the daemon's decision process (RFC 4271 §9.1.2). */
  readonly best: boolean;
  /** Address of the neighbor it was learned from; undefined for a locally originated route. */
  readonly from: string | undefined;
  readonly raw: unknown;
}

/** prefix → paths, prefixes in the daemon's canonical text form (`10.0.0.0/24`, `2001:db8::/32`). */
export type RibView = ReadonlyMap<string, readonly PathView[]>;

/** What every daemon handle offers; each adds its own raw CLI access (`vtysh`, `birdc`, `cli`, `bgpctl`, …). */
export interface BgpDaemon {
  readonly kind: DaemonKind | 'tsbgpd';
  readonly ns: Netns;
  /** This instance's directory (config, sockets, log). */
  readonly dir: string;
  readonly process: NsProcess;
  readonly logFile: string;
  readonly spec: SpeakerSpec;
  peers(): Promise<PeerView[]>;
  peer(address: string): Promise<PeerView | undefined>;
  routes(family?: Family): Promise<RibView>;
  /** Graceful stop (SIGTERM, SIGKILL after a grace period); idempotent. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the daemon modules.

export function familyOf(address: string): Family {
  const v = isIP(address.split('/')[0] ?? '');
  if (v === 0) throw new Error(`not an IP address or prefix: ${address}`);
  return v === 4 ? 'ipv4' : 'ipv6';
}

export function peerFamilies(peer: PeerSpec): readonly Family[] {
  return peer.families ?? [familyOf(peer.address)];
}

/** Our end of the session with `peer`. */
export function localAddressFor(spec: SpeakerSpec, peer: PeerSpec): string {
  if (peer.localAddress !== undefined) return peer.localAddress;
  if (familyOf(peer.address) === 'ipv4') return spec.address;
  if (spec.address6 === undefined) throw new Error(`IPv6 neighbor ${peer.address} needs SpeakerSpec.address6`);
  return spec.address6;
}

const STATES: ReadonlyMap<string, BgpState> = new Map([
  ['idle', 'Idle'],
  ['connect', 'Connect'],
  ['active', 'Active'],
  ['opensent', 'OpenSent'],
  ['openconfirm', 'OpenConfirm'],
  ['established', 'Established'],
]);

/**
 * Map a daemon's spelling of a session state ("ESTABLISHED", "BGP_FSM_OPENSENT", "OpenSent", "Idle (Admin)") to
 * RFC 4271's; anything unknown (BIRD's "Close", "Down") is Idle.
 */
export function normalizeState(text: string): BgpState {
  const key = text
    .toLowerCase()
    .replace(/^(bgp_fsm_|session_state_)/, '')
    .replace(/[^a-z].*$/, '');
  return STATES.get(key) ?? 'Idle';
}

/** RFC 1997 community as text from its 32-bit value. */
export function communityText(value: number): string {
  return `${Math.floor(value / 0x10000)}:${value % 0x10000}`;
}

/** Flatten an AS_PATH written as text ("65001 {65002 65003}") into numbers. */
export function asPathNumbers(text: string): number[] {
  return (text.match(/\d+/g) ?? []).map(Number);
}

export function originFrom(text: string | number | undefined): Origin | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'number') return (['igp', 'egp', 'incomplete'] as const)[text];
  const t = text.toLowerCase();
  if (t.startsWith('i') && t !== 'incomplete') return 'igp';
  if (t.startsWith('e')) return 'egp';
  if (t === '?' || t.startsWith('inc')) return 'incomplete';
  return undefined;
}

export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Group paths by prefix, keeping only `family` when given. */
export function toRib(paths: readonly PathView[], family?: Family): RibView {
  const rib = new Map<string, PathView[]>();
  for (const p of paths) {
    if (family !== undefined && familyOf(p.prefix) !== family) continue;
    const list = rib.get(p.prefix);
    if (list === undefined) rib.set(p.prefix, [p]);
    else list.push(p);
  }
  return rib;
}

/** Parse JSON from a CLI, with the command and the start of the text in the error when it is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: not JSON: ${text.slice(0, 300)}`);
  }
}

/**
 * Poll `probe` until it resolves true, the process exits, or `timeoutMs` passes — the "control socket answers"
 * wait every daemon start does. The error carries the tail of the daemon's log.
 */
export async function waitReady(
  what: string,
  proc: NsProcess,
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!proc.running)
      throw new Error(
        `${what} exited (${JSON.stringify(proc.status)}) before it was ready${await logTail(proc.logFile)}`,
      );
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms (${lastError})${await logTail(proc.logFile)}`);
}

export async function logTail(file: string, lines = 20): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
    return `\n--- ${file}\n${text}`;
  } catch {
    return '';
  }
}

/** A name usable as an identifier in configs (BIRD protocol names, ExaBGP process names). */
export function identifier(address: string): string {
  return `peer_${address.replace(/[^0-9a-zA-Z]/g, '_')}`;
}
