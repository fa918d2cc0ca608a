/**
 * ExaBGP 4.2 as an interop peer: a scriptable speaker that announces and withdraws at the test's command and
 * records every UPDATE, OPEN, NOTIFICATION and state change it receives.
 *
 * ExaBGP runs in the foreground inside a test namespace, configured through `exabgp.<section>.<key>` environment
 * variables (no daemonizing, no privilege drop, no CLI pipes, log to stdout → our log file). One API `process`, a
 * small Python helper written into the instance directory (ExaBGP already needs python3), joins it to the test:
 * - commands: the test writes text API lines ("neighbor A announce route …") into a FIFO; the helper, which holds
 *   the FIFO open read-write so a writer's close is never end-of-file, copies each line to ExaBGP;
 * - acknowledgements: with `exabgp.api.ack` on, ExaBGP answers every command with `done` or `error`; the helper
 *   appends them to `acks.log`, so `announce()` resolves only once ExaBGP accepted the command, or rejects;
 * - received messages: `encoder json` with `receive { parsed; update; notification; open; }` and
 *   `neighbor-changes`; the helper appends them to `received.jsonl`, which `messages()` / `routes()` replay.
 *
 * Known limits of 4.2.21: it resets the TCP connection on a received ROUTE-REFRESH if it advertised route refresh
 * (it does not by default here; peers.md); it answers a Cease carrying an RFC 9003 shutdown message with
 * NOTIFICATION 1/0 (see `notification()` below); it sends `asPath` verbatim (see `routeText`).
 */
import { constants } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import type { Netns, NsProcess } from '../netns.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  familyOf,
  localAddressFor,
  originFrom,
  peerFamilies,
  toRib,
  waitReady,
  type BgpDaemon,
  type BgpState,
  type Family,
  type NotificationView,
  type PathView,
  type PeerView,
  type RibView,
  type RouteSpec,
  type SpeakerSpec,
} from './types.js';

export const EXABGP = 'exabgp';
const PYTHON = '/usr/bin/python3';

const HELPER = `# ExaBGP API helper written by the tsbgpd interop harness (test/helpers/daemons/exabgp.ts).
import os, sys, threading
fifo, received, acks = sys.argv[1], sys.argv[2], sys.argv[3]
def commands():
    # O_RDWR: never blocks, and our own write end means a test closing the FIFO is not end-of-file.
    with open(os.open(fifo, os.O_RDWR), 'r', buffering=1) as f:
        for line in f:
            sys.stdout.write(line)
            sys.stdout.flush()
threading.Thread(target=commands, daemon=True).start()
with open(received, 'a', buffering=1) as r, open(acks, 'a', buffering=1) as a:
    for line in sys.stdin:
        (r if line.startswith('{') else a).write(line)
`;

/**
 * The text API form of a route: `route P next-hop N origin … as-path [ … ] …` (also valid in `static {}`).
 * ExaBGP sends `as-path` verbatim — it does not prepend its own AS — and without one it sends its AS on eBGP.
 */
export function routeText(r: RouteSpec): string {
  const words = ['route', r.prefix, 'next-hop', r.nextHop ?? 'self'];
  if (r.origin !== undefined) words.push('origin', r.origin);
  if (r.asPath !== undefined && r.asPath.length > 0) words.push('as-path', `[ ${r.asPath.join(' ')} ]`);
  if (r.med !== undefined) words.push('med', String(r.med));
  if (r.localPref !== undefined) words.push('local-preference', String(r.localPref));
  if (r.communities !== undefined && r.communities.length > 0)
    words.push('community', `[ ${r.communities.join(' ')} ]`);
  if (r.largeCommunities !== undefined && r.largeCommunities.length > 0)
    words.push('large-community', `[ ${r.largeCommunities.join(' ')} ]`);
  return words.join(' ');
}

/** exabgp.conf for `spec`; `helper` is the API process command line. */
export function exabgpConfig(spec: SpeakerSpec, helper: string): string {
  const lines = ['process api {', `  run ${helper};`, '  encoder json;', '}'];
  for (const p of spec.peers) {
    if (p.connectRetry !== undefined) throw new Error('ExaBGP has no ConnectRetryTime setting (PeerSpec.connectRetry)');
    if (p.routeReflectorClient === true)
      throw new Error('ExaBGP is not a route reflector (PeerSpec.routeReflectorClient)');
    lines.push('', `neighbor ${p.address} {`);
    if (p.description !== undefined) lines.push(`  description "${p.description}";`);
    lines.push(
      `  router-id ${spec.routerId};`,
      `  local-address ${localAddressFor(spec, p)};`,
      `  local-as ${spec.as};`,
      `  peer-as ${p.as};`,
    );
    if (p.holdTime !== undefined) lines.push(`  hold-time ${p.holdTime};`);
    if (p.passive === true) lines.push('  passive true;');
    if (p.as4 === false) lines.push('  capability { asn4 disable; }');
    lines.push(
      `  family { ${peerFamilies(p)
        .map((f) => `${f} unicast;`)
        .join(' ')} }`,
    );
    lines.push('  api { processes [ api ]; neighbor-changes; receive { parsed; update; notification; open; } }');
    const routes = (spec.routes ?? []).filter((r) => peerFamilies(p).includes(familyOf(r.prefix)));
    if (routes.length > 0) lines.push('  static {', ...routes.map((r) => `    ${routeText(r)};`), '  }');
    lines.push('}');
  }
  lines.push(...(spec.extraConfig ?? []), '');
  return lines.join('\n');
}

/** One JSON message ExaBGP handed to the API process. */
export type ExabgpMessage = Readonly<Record<string, unknown>>;

export class ExaBgp implements BgpDaemon {
  readonly kind = 'exabgp' as const;
  readonly logFile: string;
  readonly fifo: string;
  readonly receivedFile: string;
  readonly acksFile: string;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NsProcess,
    readonly spec: SpeakerSpec,
  ) {
    this.logFile = process.logFile;
    this.fifo = `${dir}/api.in`;
    this.receivedFile = `${dir}/received.jsonl`;
    this.acksFile = `${dir}/acks.log`;
  }

  static async start(ns: Netns, spec: SpeakerSpec, name = 'exabgp'): Promise<ExaBgp> {
    const dir = ns.subdir(name);
    await writeFile(`${dir}/api.py`, HELPER);
    await writeFile(`${dir}/received.jsonl`, '');
    await writeFile(`${dir}/acks.log`, '');
    await ns.run('mkfifo', [`${dir}/api.in`]);
    const helper = `${PYTHON} ${dir}/api.py ${dir}/api.in ${dir}/received.jsonl ${dir}/acks.log`;
    const conf = `${dir}/exabgp.conf`;
    await writeFile(conf, exabgpConfig(spec, helper));
    const passive = spec.peers.filter((p) => p.passive === true).map((p) => localAddressFor(spec, p));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.drop': 'false',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.api.cli': 'false',
      'exabgp.api.ack': 'true',
      'exabgp.log.destination': 'stdout',
      'exabgp.log.level': spec.debug === true ? 'DEBUG' : 'INFO',
      // Listen only where a passive neighbor needs it; an empty value means "do not listen".
      'exabgp.tcp.bind': [...new Set(passive)].join(' '),
    };
    const proc = ns.spawn(EXABGP, [conf], { log: `${name}.log`, env });
    const exa = new ExaBgp(ns, dir, proc, spec);
    ns.onDestroy(() => exa.stop());
    await waitReady(`ExaBGP (${name})`, proc, () => exa.apiReady());
    return exa;
  }

  /** Send one text API command and wait for ExaBGP's `done` (rejects on `error` or after `timeoutMs`). */
  command(line: string, timeoutMs = 5000): Promise<void> {
    const run = this.#queue.then(() => this.#command(line, timeoutMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Announce `route` to every neighbor, or only to `neighbor`. */
  announce(route: RouteSpec, neighbor?: string): Promise<void> {
    return this.command(`${neighbor === undefined ? '' : `neighbor ${neighbor} `}announce ${routeText(route)}`);
  }

  /** Withdraw a route announced earlier (the prefix and next hop identify it). */
  withdraw(route: RouteSpec | string, neighbor?: string): Promise<void> {
    const r = typeof route === 'string' ? { prefix: route } : route;
    const words = `withdraw route ${r.prefix} next-hop ${r.nextHop ?? 'self'}`;
    return this.command(`${neighbor === undefined ? '' : `neighbor ${neighbor} `}${words}`);
  }

  /** Every JSON message received so far, oldest first. */
  async messages(): Promise<ExabgpMessage[]> {
    const text = await readFile(this.receivedFile, 'utf8');
    const out: ExabgpMessage[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(asObject(JSON.parse(line)));
      } catch {
        // a line cut short while being written; it is complete on the next read
      }
    }
    return out;
  }

  /** The UPDATE messages received (type "update"), oldest first. */
  async updates(): Promise<ExabgpMessage[]> {
    return (await this.messages()).filter((m) => m['type'] === 'update');
  }

  async peers(): Promise<PeerView[]> {
    const views = new Map<string, PeerView>();
    for (const m of await this.messages()) {
      const neighbor = asObject(m['neighbor']);
      const address = asString(asObject(neighbor['address'])['peer']);
      if (address === undefined) continue;
      const prev = views.get(address);
      if (m['type'] === 'state') {
        const s = asString(neighbor['state']);
        const state: BgpState = s === 'up' ? 'Established' : s === 'connected' ? 'OpenSent' : 'Idle';
        const next = { ...(prev ?? emptyPeer(address)), state, raw: m };
        // "peer reset, message [notification sent (1,0)] error[…]": the only record of a NOTIFICATION ExaBGP sent.
        const reset = /notification (sent|received) \((\d+),(\d+)\)/.exec(asString(neighbor['reason']) ?? '');
        if (reset !== null && (reset[1] === 'sent' || next.lastNotification?.direction !== 'received')) {
          next.lastNotification = {
            direction: reset[1] === 'sent' ? 'sent' : 'received',
            code: Number(reset[2]),
            subcode: Number(reset[3]),
            text: asString(neighbor['reason']) ?? '',
            shutdownMessage: undefined,
          };
        }
        views.set(address, next);
      } else if (m['type'] === 'open') {
        const o = asObject(neighbor['open']);
        if (asString(neighbor['direction']) === 'receive') {
          views.set(address, {
            ...(prev ?? emptyPeer(address)),
            remoteAs: asNumber(o['asn']),
            remoteRouterId: asString(o['router_id']),
          });
        }
      } else if (m['type'] === 'notification') {
        const n = notification(asObject(neighbor['notification']), asString(neighbor['direction']));
        views.set(address, { ...(prev ?? emptyPeer(address)), lastNotification: n });
      }
    }
    return [...views.values()];
  }

  async peer(address: string): Promise<PeerView | undefined> {
    return (await this.peers()).find((p) => p.address === address);
  }

  /** The routes received (an Adj-RIB-In rebuilt from the UPDATEs), cleared when a session goes down. */
  async routes(family?: Family): Promise<RibView> {
    const rib = new Map<string, PathView>(); // `${peer} ${prefix}` → path
    for (const m of await this.messages()) {
      const neighbor = asObject(m['neighbor']);
      const peer = asString(asObject(neighbor['address'])['peer']) ?? '';
      if (m['type'] === 'state' && asString(neighbor['state']) === 'down') {
        for (const key of [...rib.keys()]) if (key.startsWith(`${peer} `)) rib.delete(key);
        continue;
      }
      if (m['type'] !== 'update') continue;
      const update = asObject(asObject(neighbor['message'])['update']);
      for (const families of Object.values(asObject(update['withdraw']))) {
        for (const n of asArray(families)) rib.delete(`${peer} ${asString(asObject(n)['nlri']) ?? ''}`);
      }
      const attrs = asObject(update['attribute']);
      for (const byNextHop of Object.values(asObject(update['announce']))) {
        for (const [nextHop, nlris] of Object.entries(asObject(byNextHop))) {
          for (const n of asArray(nlris)) {
            const prefix = asString(asObject(n)['nlri']);
            if (prefix !== undefined) rib.set(`${peer} ${prefix}`, pathView(prefix, nextHop, peer, attrs, m));
          }
        }
      }
    }
    return toRib([...rib.values()], family);
  }

  async stop(): Promise<void> {
    await this.process.stop(5000);
  }

  async #command(line: string, timeoutMs: number): Promise<void> {
    const before = (await readFile(this.acksFile, 'utf8')).split('\n').filter(Boolean).length;
    const fd = await open(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      await fd.write(`${line}\n`);
    } finally {
      await fd.close();
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const acks = (await readFile(this.acksFile, 'utf8')).split('\n').filter(Boolean);
      const ack = acks[before];
      if (ack === 'done') return;
      if (ack !== undefined) throw new Error(`ExaBGP answered "${ack}" to: ${line}`);
      if (!this.process.running) throw new Error(`ExaBGP exited before answering: ${line}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`ExaBGP did not acknowledge within ${timeoutMs} ms: ${line}`);
  }

  /** The helper holds the FIFO open for reading once ExaBGP started it; until then a non-blocking open fails. */
  private async apiReady(): Promise<boolean> {
    try {
      const fd = await open(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      await fd.close();
      return true;
    } catch {
      return false;
    }
  }
}

function emptyPeer(address: string): PeerView {
  return {
    address,
    state: 'Idle',
    remoteAs: undefined,
    remoteRouterId: undefined,
    lastNotification: undefined,
    raw: undefined,
  };
}

/**
 * ExaBGP reports a received NOTIFICATION with its Data as "0x…" hex of its own rendering, not the raw bytes, so
 * no RFC 9003 shutdown message can be recovered here — and 4.2.21 cannot even decode a Cease that carries one
 * (a bytes/str formatting bug): it answers NOTIFICATION 1/0 "can not decode update message of type 3".
 */
function notification(n: Record<string, unknown>, direction: string | undefined): NotificationView {
  const code = asNumber(n['code']);
  const subcode = asNumber(n['subcode']);
  const data = asString(n['data']) ?? '';
  return {
    direction: direction === 'send' ? 'sent' : 'received',
    code,
    subcode,
    text: `${code ?? '?'}/${subcode ?? '?'}${data === '' || data === '0x' ? '' : ` data ${data}`}`,
    shutdownMessage: undefined,
  };
}

function pathView(prefix: string, nextHop: string, peer: string, a: Record<string, unknown>, raw: unknown): PathView {
  const asPath = asArray(a['as-path']).flatMap((x) => (Array.isArray(x) ? x.map(Number) : [Number(x)]));
  return {
    prefix,
    nextHop,
    asPath,
    asPathText: asPath.join(' '),
    origin: originFrom(asString(a['origin'])),
    med: asNumber(a['med']),
    localPref: asNumber(a['local-preference']),
    communities: asArray(a['community']).map((c) => asArray(c).join(':')),
    largeCommunities: asArray(a['large-community']).map((c) => asArray(c).join(':')),
    best: true,
    from: peer,
    raw,
  };
}
