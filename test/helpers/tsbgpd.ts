/**
 * tsbgpd under test: a `Speaker` running in a node child inside a test namespace (`Netns.spawnNode`), driven
 * over the JSON-lines channel and read through the harness's typed views, so `waitEstablished`, `waitRoute` and
 * `waitNoRoute` work on it exactly as on FRR or BIRD.
 *
 * What it owns
 * - The spec: `TsbgpdSpec` is the harness's `SpeakerSpec` (the same words every daemon is configured with), its
 *   peers `TsbgpdPeerSpec`s that add what only tsbgpd has (`capabilities`, `port`). The child
 *   (`fixtures/tsbgpd-child.ts`) turns it into `new Speaker(...)` + `addPeer` + `announce`; how each field maps is
 *   documented there. `Tsbgpd.start` writes it to `<dir>/tsbgpd.json`, so a failed test keeps it for reading.
 * - The protocol: one request type per operation (`TsbgpdRequest`), answered `{id, ok: true, …}` or
 *   `{id, error}`; the answers' shapes (`TsbgpdPeerStatus`, `TsbgpdEvent`, paths as `PathView` without `raw`)
 *   are declared here and imported (types only) by the child, so both ends compile against one definition.
 * - The handle: `peers()`/`peer()`/`routes()` (the `BgpDaemon` views), `status()` (tsbgpd's own counters:
 *   OPENs sent, last NOTIFICATION each way, local endpoint), `events()` (state changes and NOTIFICATIONs with
 *   times, for flap and reconnect-loop checks), `announce`/`withdraw`, `addPeer`/`shutdownPeer`/`enablePeer`/
 *   `removePeer`, `pause`/`resume` (SIGSTOP/SIGCONT of the child) and `stop`.
 *
 * Every request has a timeout, so a wedged or SIGSTOPped child fails a test instead of hanging it; `stop()`
 * resumes a paused child before asking it to stop (Cease 6/2, then exit), then SIGTERM/SIGKILL if it does not.
 */
import { writeFileSync } from 'node:fs';
import type { AdvertisedCapabilities, RemoteAs } from '../../lib/fsm/index.js';
import type { MessageCounts, NotificationRecord } from '../../lib/session/index.js';
import type { JsonObject } from './json-lines.js';
import type { Netns, NodeProcess, TestLike } from './netns.js';
import { within } from './netns.js';
import {
  asArray,
  asObject,
  logTail,
  toRib,
  type BgpDaemon,
  type BgpState,
  type Family,
  type NotificationView,
  type PathView,
  type PeerSpec,
  type PeerView,
  type RibView,
  type RouteSpec,
  type SpeakerSpec,
} from './daemons/types.js';

export const TSBGPD_CHILD = new URL('./fixtures/tsbgpd-child.ts', import.meta.url).pathname;

/** A neighbor of tsbgpd: the harness's `PeerSpec` plus what only tsbgpd configures. */
export interface TsbgpdPeerSpec extends PeerSpec {
  /** Capabilities beyond the defaults (route refresh on, 4-octet AS on); e.g. `{ routeRefresh: false }`. */
  readonly capabilities?: AdvertisedCapabilities;
  /** The neighbor's TCP port (default 179). */
  readonly port?: number;
}

/** tsbgpd configured in the harness's words; see the child for how each field maps onto the Speaker. */
export interface TsbgpdSpec extends SpeakerSpec {
  readonly peers: readonly TsbgpdPeerSpec[];
}

/** `PeerStatus` (lib/speaker) in JSON: what `Speaker.peer()` reports, minus the codec contexts. */
export type TsbgpdPeerStatus = {
  readonly address: string;
  readonly state: BgpState;
  /** As configured (a number, or `internal`/`external`/`any` for dynamic neighbours). */
  readonly remoteAs?: RemoteAs;
  readonly peerAsn?: number;
  readonly peerRouterId?: string;
  /** Negotiated hold time and keepalive interval, seconds. */
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  /** What the session negotiated (RFC 5492 capabilities both sides sent). */
  readonly negotiated?: {
    readonly fourOctetAs: boolean;
    readonly routeRefresh: boolean;
    readonly extendedMessage: boolean;
    readonly families: readonly string[];
  };
  /** Our end of the Established connection: port 179 when the peer dialled, an ephemeral one when we did. */
  readonly localEndpoint?: { readonly address: string; readonly port: number };
  /** Messages by type since the peer was configured (over every connection). */
  readonly messages: { readonly received: MessageCounts; readonly sent: MessageCounts };
  readonly prefixes: { readonly received: number; readonly accepted: number; readonly sent: number };
  readonly lastNotificationSent?: NotificationRecord;
  readonly lastNotificationReceived?: NotificationRecord;
  readonly lastDownReason?: string;
  readonly flaps: number;
  readonly policyBlocked: { readonly in?: string; readonly out?: string };
};

/** Something that happened to a peer, as the child saw the Speaker's events; `at` in ms since the epoch. */
export type TsbgpdEvent =
  | { readonly at: number; readonly peer: string; readonly type: 'state'; readonly from: BgpState; readonly to: BgpState }
  | {
      readonly at: number;
      readonly peer: string;
      readonly type: 'notification-sent' | 'notification-received';
      readonly code: number;
      readonly subcode: number;
      readonly shutdownMessage?: string;
    }
  | { readonly at: number; readonly peer: string; readonly type: 'up' }
  | { readonly at: number; readonly peer: string; readonly type: 'down'; readonly reason: string };

/**
 * A Loc-RIB or Adj-RIB-In path in JSON: the harness's `PathView` without `raw`. Adj-RIB-In paths carry
 * `accepted`: whether they passed import policy and loop detection (the Loc-RIB lists only those that did).
 */
export type TsbgpdPath = Omit<PathView, 'raw'> & { readonly accepted?: boolean };

/** Requests the child answers. */
export type TsbgpdRequest =
  | { readonly op: 'peers' }
  | { readonly op: 'routes' }
  | { readonly op: 'adj-rib-in'; readonly peer: string }
  | { readonly op: 'announce'; readonly route: RouteSpec }
  | { readonly op: 'withdraw'; readonly prefix: string }
  | { readonly op: 'add-peer'; readonly peer: TsbgpdPeerSpec }
  | { readonly op: 'shutdown-peer'; readonly peer: string; readonly message?: string }
  | { readonly op: 'enable-peer'; readonly peer: string }
  | { readonly op: 'remove-peer'; readonly peer: string }
  | { readonly op: 'events'; readonly since?: number }
  | { readonly op: 'stop'; readonly message?: string };

/** The first message of the child: the Speaker is listening (or why it could not start). */
export type TsbgpdReady =
  | { readonly ready: true; readonly pid: number; readonly listen: { readonly address: string; readonly port: number } }
  | { readonly ready: false; readonly error: string };

const REQUEST_TIMEOUT_MS = 10_000;
/** Node with tap's TypeScript loader takes 2–3 s of CPU to start; several start at once on a 2-core machine. */
const READY_TIMEOUT_MS = 45_000;

export class Tsbgpd implements BgpDaemon {
  readonly kind = 'tsbgpd' as const;
  readonly logFile: string;
  #stopping: Promise<void> | undefined;
  #paused = false;

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NodeProcess,
    readonly spec: TsbgpdSpec,
  ) {
    this.logFile = process.logFile;
  }

  /** Start a tsbgpd child in `ns` and wait until its Speaker listens on `spec.address`. */
  static async start(ns: Netns, spec: TsbgpdSpec, name = 'tsbgpd'): Promise<Tsbgpd> {
    const dir = ns.subdir(name);
    const specFile = `${dir}/tsbgpd.json`;
    writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
    const proc = ns.spawnNode(TSBGPD_CHILD, [specFile], {}, { log: `${name}/${name}.log` });
    const handle = new Tsbgpd(ns, dir, proc, spec);
    ns.onDestroy(() => handle.stop());
    let why: string;
    try {
      const first = await proc.channel.next((m) => typeof m['ready'] === 'boolean', READY_TIMEOUT_MS);
      if (first['ready'] === true) return handle;
      why = String(first['error']);
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    await handle.stop();
    throw new Error(`tsbgpd (${name}) did not start: ${why}${await logTail(proc.logFile)}`);
  }

  /** Send a request and return the reply; rejects with the child's error, or after `timeoutMs`. */
  async request(request: TsbgpdRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonObject> {
    if (this.#paused) throw new Error(`tsbgpd is paused (SIGSTOP): ${request.op} would not be answered`);
    const reply = await this.process.channel.request(request, timeoutMs);
    if (typeof reply['error'] === 'string') throw new Error(`tsbgpd ${request.op}: ${reply['error']}`);
    return reply;
  }

  /** Every configured peer's status, in tsbgpd's own terms. */
  async statuses(): Promise<TsbgpdPeerStatus[]> {
    // The child is ours and built from the same types: its replies are trusted to have this shape.
    return asArray((await this.request({ op: 'peers' }))['peers']) as TsbgpdPeerStatus[];
  }

  async status(address: string): Promise<TsbgpdPeerStatus | undefined> {
    return (await this.statuses()).find((s) => s.address === address);
  }

  async peers(): Promise<PeerView[]> {
    return (await this.statuses()).map(peerView);
  }

  async peer(address: string): Promise<PeerView | undefined> {
    const s = await this.status(address);
    return s === undefined ? undefined : peerView(s);
  }

  /** The Loc-RIB: every path that passed import policy and loop detection, best first per prefix. */
  async routes(family?: Family): Promise<RibView> {
    return toRib(pathViews((await this.request({ op: 'routes' }))['paths']), family);
  }

  /** What `address` sent us (RFC 4271 §3.2 Adj-RIB-In), as received, each with the import outcome. */
  async adjRibIn(address: string): Promise<(PathView & { readonly accepted: boolean })[]> {
    const paths = pathViews((await this.request({ op: 'adj-rib-in', peer: address }))['paths']);
    return paths.map((p) => ({ ...p, accepted: (p.raw as TsbgpdPath).accepted === true }));
  }

  /** Speaker events numbered from 0; `since` skips the first ones (e.g. the count of a previous call). */
  async events(since = 0): Promise<TsbgpdEvent[]> {
    return asArray((await this.request({ op: 'events', since }))['events']) as TsbgpdEvent[];
  }

  async announce(route: RouteSpec): Promise<void> {
    await this.request({ op: 'announce', route });
  }

  async withdraw(prefix: string): Promise<void> {
    await this.request({ op: 'withdraw', prefix });
  }

  async addPeer(peer: TsbgpdPeerSpec): Promise<void> {
    await this.request({ op: 'add-peer', peer });
  }

  /** Cease / Administrative Shutdown (6/2) with an optional RFC 9003 message; the peer stays configured. */
  async shutdownPeer(address: string, message?: string): Promise<void> {
    await this.request({ op: 'shutdown-peer', peer: address, ...(message !== undefined ? { message } : {}) });
  }

  async enablePeer(address: string): Promise<void> {
    await this.request({ op: 'enable-peer', peer: address });
  }

  /** Cease / Peer De-configured (6/3). */
  async removePeer(address: string): Promise<void> {
    await this.request({ op: 'remove-peer', peer: address });
  }

  /** SIGSTOP the child: its timers and sockets freeze (a peer's hold timer will see it as dead). */
  pause(): void {
    this.process.signal('SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    this.process.signal('SIGCONT');
    this.#paused = false;
  }

  /** Stop the Speaker (Cease 6/2 to every peer, with `message` if given) and the child; idempotent. */
  stop(message?: string): Promise<void> {
    this.#stopping ??= this.#stop(message);
    return this.#stopping;
  }

  async #stop(message: string | undefined): Promise<void> {
    if (!this.process.running) return;
    if (this.#paused) this.resume();
    try {
      await this.request({ op: 'stop', ...(message !== undefined ? { message } : {}) }, 5000);
    } catch {
      // The child is wedged or already gone: the signals below settle it.
    }
    if ((await within(this.process.exited, 3000)) === undefined) await this.process.stop(2000);
  }
}

/** Start tsbgpd in `ns`, its stop registered with `t`'s teardown (and again, harmlessly, in `ns.destroy`). */
export async function startTsbgpd(t: TestLike | undefined, ns: Netns, spec: TsbgpdSpec, name = 'tsbgpd'): Promise<Tsbgpd> {
  const handle = await Tsbgpd.start(ns, spec, name);
  t?.teardown(() => handle.stop());
  return handle;
}

function pathViews(value: unknown): PathView[] {
  return asArray(value).map((p) => ({ ...(asObject(p) as TsbgpdPath), raw: p }));
}

/** The harness's view of a tsbgpd peer; the last NOTIFICATION is whichever of sent/received came later. */
function peerView(s: TsbgpdPeerStatus): PeerView {
  const sent = s.lastNotificationSent;
  const received = s.lastNotificationReceived;
  const last =
    sent !== undefined && (received === undefined || sent.at >= received.at)
      ? notification(sent, 'sent')
      : received !== undefined
        ? notification(received, 'received')
        : undefined;
  return {
    address: s.address,
    state: s.state,
    remoteAs: s.peerAsn ?? (typeof s.remoteAs === 'number' ? s.remoteAs : undefined),
    remoteRouterId: s.peerRouterId,
    lastNotification: last,
    raw: s,
  };
}

function notification(n: NotificationRecord, direction: 'sent' | 'received'): NotificationView {
  return { direction, code: n.code, subcode: n.subcode, text: n.name, shutdownMessage: n.shutdownMessage };
}
