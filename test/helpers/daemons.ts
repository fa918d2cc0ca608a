/**
 * Real BGP daemons as interop peers of tsbgpd: FRR, BIRD, GoBGP, OpenBGPD and ExaBGP, each started inside a test
 * namespace (`Netns`) from a typed `SpeakerSpec`, waited for until its control socket answers, queried through
 * typed views (`PeerView`, `PathView`) and stopped with SIGTERM, then SIGKILL after a grace period.
 *
 * Each daemon lives in `daemons/<name>.ts` (config builder, handle class, CLI parsers); this entry point
 * re-exports them, says which binaries each needs (`DAEMON_BINARIES`, used by `requireDaemon`) and offers
 * `startDaemon(t, kind, ns, spec)`, which also registers the stop with tap's teardown.
 *
 *   const ns = await Netns.create(t)
 *   await ns.addAddress('172.30.0.1'); await ns.addAddress('172.30.0.2')
 *   const frr = await startDaemon(t, 'frr', ns, { as: 65001, routerId: '172.30.0.1', address: '172.30.0.1',
 *     peers: [{ address: '172.30.0.2', as: 65002 }], routes: [{ prefix: '10.1.0.0/24', communities: ['65001:1'] }] })
 *   await waitEstablished(t, frr, '172.30.0.2')            // from interop.ts
 */
import type { Netns, TestLike } from './netns.js';
import { Bird } from './daemons/bird.js';
import { ExaBgp } from './daemons/exabgp.js';
import { Frr } from './daemons/frr.js';
import { GoBgp } from './daemons/gobgp.js';
import { OpenBgpd } from './daemons/openbgpd.js';
import type { DaemonKind, SpeakerSpec } from './daemons/types.js';

export * from './daemons/types.js';
export { Bird, birdConfig, parseProtocols, parseRoutes, type BirdProtocol } from './daemons/bird.js';
export { ExaBgp, exabgpConfig, routeText, type ExabgpMessage } from './daemons/exabgp.js';
export { Frr, frrConfig } from './daemons/frr.js';
export { GoBgp, gobgpConfig, ribAddArgs } from './daemons/gobgp.js';
export { OpenBgpd, openbgpdConfig } from './daemons/openbgpd.js';

export interface DaemonInfo {
  readonly title: string;
  /** Executables it needs: absolute paths, or names looked up on PATH plus the sbin directories. */
  readonly binaries: readonly string[];
}

export const DAEMON_BINARIES: Readonly<Record<DaemonKind, DaemonInfo>> = {
  frr: { title: 'FRR bgpd', binaries: ['/usr/lib/frr/bgpd', 'vtysh'] },
  bird: { title: 'BIRD 2', binaries: ['bird', 'birdc'] },
  gobgp: { title: 'GoBGP', binaries: ['gobgpd', 'gobgp'] },
  openbgpd: { title: 'OpenBGPD', binaries: ['/usr/sbin/bgpd', 'bgpctl'] },
  exabgp: { title: 'ExaBGP', binaries: ['exabgp', '/usr/bin/python3', 'mkfifo'] },
};

export interface DaemonHandles {
  frr: Frr;
  bird: Bird;
  gobgp: GoBgp;
  openbgpd: OpenBgpd;
  exabgp: ExaBgp;
}

/** Start a daemon of `kind` in `ns`; its stop runs in `t`'s teardown (and again, harmlessly, in `ns.destroy`). */
export async function startDaemon<K extends DaemonKind>(
  t: TestLike | undefined,
  kind: K,
  ns: Netns,
  spec: SpeakerSpec,
  name: string = kind,
): Promise<DaemonHandles[K]> {
  const handle = await startByKind(kind, ns, spec, name);
  t?.teardown(() => handle.stop());
  return handle;
}

function startByKind<K extends DaemonKind>(
  kind: K,
  ns: Netns,
  spec: SpeakerSpec,
  name: string,
): Promise<DaemonHandles[K]> {
  // One switch so adding a daemon is one line; the casts only restate what `kind` already says.
  switch (kind) {
    case 'frr':
      return Frr.start(ns, spec, name) as Promise<DaemonHandles[K]>;
    case 'bird':
      return Bird.start(ns, spec, name) as Promise<DaemonHandles[K]>;
    case 'gobgp':
      return GoBgp.start(ns, spec, name) as Promise<DaemonHandles[K]>;
    case 'openbgpd':
      return OpenBgpd.start(ns, spec, name) as Promise<DaemonHandles[K]>;
    case 'exabgp':
      return ExaBgp.start(ns, spec, name) as Promise<DaemonHandles[K]>;
  }
  throw new Error(`unknown daemon ${String(kind)}`);
}
