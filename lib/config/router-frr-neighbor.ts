/**
 * FRR's `neighbor` commands, under `router bgp` and under `address-family ipv4|ipv6 unicast`:
 *
 *   neighbor NAME peer-group                   define a peer group
 *   neighbor ADDR peer-group NAME              a neighbour in it (the group must be defined first, as in FRR)
 *   neighbor X remote-as N|internal|external   (creates the neighbour ADDR)
 *   neighbor X description TEXT…   passive   port N   update-source ADDR   shutdown [message TEXT…]
 *   neighbor X timers KEEPALIVE HOLD   timers connect N
 *   neighbor X activate   route-map NAME in|out   route-reflector-client   next-hop-self [force]
 *   no neighbor X activate
 *
 * X is an address (a neighbour, which must exist — "Specify remote-as or peer-group commands first") or a peer
 * group's name. The per-family commands given directly under `router bgp` mean IPv4 unicast, as FRR reads them.
 * `soft-reconfiguration inbound` and `send-community` describe what tsbgpd always does and are accepted;
 * `ebgp-multihop` is accepted with a warning (tsbgpd sends with the system's TTL); `password` (TCP MD5, RFC 2385)
 * cannot be done on node:net and is an error, as is anything else tsbgpd does not implement.
 *
 * Imports this folder only.
 */
import { canonicalAddress } from './address.js';
import type { Located, NeighborDraft, PeerGroupDraft, RouterDraft, SettingsDraft, Where } from './router-draft.js';
import type { FamilyState } from './router-frr-state.js';
import type { RouterFamily } from './router-types.js';
import { checkAddress, checkHoldTime, checkShutdownMessage, isProblem, parseIntText, parseRemoteAs } from './router-values.js';

/** What a command handler needs: the draft, the family state, and reporting at the current line. */
export interface FrrLineContext {
  readonly draft: RouterDraft;
  readonly families: FamilyState;
  readonly where: Where;
  error(message: string): void;
  warn(message: string): void;
}

function set<K extends keyof SettingsDraft>(s: SettingsDraft, key: K, value: NonNullable<SettingsDraft[K]>['value'], where: Where): void {
  (s as Record<string, Located<unknown>>)[key] = { value, where };
}

/** `neighbor …` (`negated`: `no neighbor …`); `family` is the address family being configured, if any. */
export function neighborCommand(ctx: FrrLineContext, t: readonly string[], family: RouterFamily | undefined, negated: boolean): void {
  const [, x, verb] = t;
  const { draft, where } = ctx;
  if (x === undefined || verb === undefined) return ctx.error('usage: neighbor ADDRESS|PEER-GROUP COMMAND …');
  const address = canonicalAddress(x);
  const afi = family ?? 'ipv4-unicast';
  const what = `neighbor ${x} ${verb}`;

  if (negated) {
    if (verb !== 'activate' || t.length !== 3) return ctx.error(`"no ${t.join(' ')}": of the "no neighbor" commands only "no neighbor X activate" is supported`);
    if (target(ctx, x, address) === undefined) return;
    ctx.families.activate(address ?? x, afi, false, where);
    return;
  }

  if (verb === 'peer-group' && t.length === 3) {
    if (address !== undefined) return ctx.error(`${what}: a peer group needs a name, not an address`);
    if (!draft.peerGroups.has(x)) draft.peerGroups.set(x, { name: x, where, settings: {} });
    return;
  }
  if (verb === 'peer-group') {
    const name = t[3];
    if (address === undefined || name === undefined || t.length !== 4) return ctx.error('usage: neighbor ADDRESS peer-group NAME');
    if (!draft.peerGroups.has(name)) return ctx.error(`${what} ${name}: no such peer group (define it first: neighbor ${name} peer-group)`);
    const n = neighbor(draft, address, where);
    n.peerGroup = { value: name, where };
    return;
  }
  if (verb === 'remote-as') {
    if (t.length !== 4) return ctx.error('usage: neighbor X remote-as (1-4294967295)|internal|external');
    const remoteAs = parseRemoteAs(t[3]);
    if (isProblem(remoteAs)) return ctx.error(`${what}: ${remoteAs}`);
    const peer = address !== undefined ? neighbor(draft, address, where) : target(ctx, x, address);
    if (peer !== undefined) set(peer.settings, 'remoteAs', remoteAs, where);
    return;
  }

  const peer = target(ctx, x, address);
  if (peer === undefined) return;
  const s = peer.settings;
  const name = address ?? x;
  const arity = (n: number, usage: string): boolean => {
    if (t.length === n) return true;
    ctx.error(`usage: neighbor X ${usage}`);
    return false;
  };
  switch (verb) {
    case 'description': {
      const text = t.slice(3).join(' ');
      if (text === '') return ctx.error('usage: neighbor X description TEXT');
      return set(s, 'description', text, where);
    }
    case 'passive':
      if (arity(3, 'passive')) set(s, 'passive', true, where);
      return;
    case 'port': {
      if (!arity(4, 'port (1-65535)')) return;
      const port = parseIntText(t[3], 1, 65535, 'port');
      return isProblem(port) ? ctx.error(`${what}: ${port}`) : set(s, 'port', port, where);
    }
    case 'update-source': {
      if (!arity(4, 'update-source ADDRESS')) return;
      const a = checkAddress(t[3] as string);
      if (isProblem(a)) return ctx.error(`${what}: give an address (interface names are not supported): ${a}`);
      return set(s, 'localAddress', a, where);
    }
    case 'timers':
      return timers(ctx, s, t);
    case 'shutdown': {
      if (t.length === 3) return set(s, 'shutdown', true, where);
      if (t[3] !== 'message' || t.length < 5) return ctx.error('usage: neighbor X shutdown [message TEXT]');
      const message = checkShutdownMessage(t.slice(4).join(' '));
      if (isProblem(message)) return ctx.error(`${what}: ${message}`);
      set(s, 'shutdown', true, where);
      return set(s, 'shutdownMessage', message, where);
    }
    case 'ebgp-multihop':
      return ctx.warn(`${what}: tsbgpd does not restrict the TTL of its sessions; every neighbour may be several hops away`);
    case 'activate':
      if (arity(3, 'activate')) ctx.families.activate(name, afi, true, where);
      return;
    case 'route-map': {
      const [, , , map, dir] = t;
      if (t.length !== 5 || map === undefined || (dir !== 'in' && dir !== 'out')) return ctx.error('usage: neighbor X route-map NAME in|out');
      const conflict = ctx.families.routeMap(name, dir, map, afi);
      if (conflict !== undefined) return ctx.error(`neighbor ${x}: ${conflict}`);
      return set(s, dir === 'in' ? 'routeMapIn' : 'routeMapOut', map, where);
    }
    case 'route-reflector-client':
      if (!arity(3, 'route-reflector-client')) return;
      ctx.families.reflectorClient(name, afi);
      return set(s, 'routeReflectorClient', true, where);
    case 'next-hop-self':
      if (t.length > 4 || (t.length === 4 && t[3] !== 'force')) return ctx.error('usage: neighbor X next-hop-self [force]');
      return set(s, 'nextHopSelf', true, where);
    case 'soft-reconfiguration':
      // tsbgpd keeps every route a neighbour sent (Adj-RIB-In), so inbound soft reconfiguration is always on.
      if (t.length !== 4 || t[3] !== 'inbound') ctx.error('usage: neighbor X soft-reconfiguration inbound');
      return;
    case 'send-community':
      // tsbgpd always sends standard, extended and large communities, as FRR does by default.
      if (t.length > 4 || (t.length === 4 && !['all', 'both', 'standard', 'extended', 'large'].includes(t[3] as string))) {
        ctx.error('usage: neighbor X send-community [all|both|standard|extended|large]');
      }
      return;
    case 'password':
      return ctx.error(`${what}: TCP MD5 signatures (RFC 2385) are not possible with node:net`);
    default:
      return ctx.error(`${what}: not supported by tsbgpd`);
  }
}

function timers(ctx: FrrLineContext, s: SettingsDraft, t: readonly string[]): void {
  const what = `neighbor ${t[1]} timers`;
  if (t[3] === 'connect') {
    if (t.length !== 5) return ctx.error('usage: neighbor X timers connect (1-65535)');
    const n = parseIntText(t[4], 1, 65535, 'the connect timer');
    return isProblem(n) ? ctx.error(`${what} connect: ${n}`) : set(s, 'connectRetryTime', n, ctx.where);
  }
  if (t.length !== 5) return ctx.error('usage: neighbor X timers KEEPALIVE HOLDTIME | timers connect N');
  const keepalive = parseIntText(t[3], 0, 65535, 'the keepalive interval');
  const hold = parseIntText(t[4], 0, 65535, 'the hold time');
  const holdOk = isProblem(hold) ? hold : checkHoldTime(hold);
  if (isProblem(keepalive)) return ctx.error(`${what}: ${keepalive}`);
  if (isProblem(holdOk)) return ctx.error(`${what}: ${holdOk}`);
  set(s, 'keepaliveTime', keepalive, ctx.where);
  set(s, 'holdTime', holdOk, ctx.where);
}

function neighbor(draft: RouterDraft, address: string, where: Where): NeighborDraft {
  let n = draft.neighbors.get(address);
  if (n === undefined) draft.neighbors.set(address, (n = { address, where, settings: {} }));
  return n;
}

/** The neighbour or peer group a command names, which must exist. */
function target(ctx: FrrLineContext, x: string, address: string | undefined): PeerGroupDraft | NeighborDraft | undefined {
  if (address !== undefined) {
    const n = ctx.draft.neighbors.get(address);
    if (n === undefined) ctx.error(`neighbor ${x}: specify "neighbor ${x} remote-as" or "neighbor ${x} peer-group NAME" first`);
    return n;
  }
  const g = ctx.draft.peerGroups.get(x);
  if (g === undefined) ctx.error(`neighbor ${x}: no such peer group (define it first: neighbor ${x} peer-group) — interface neighbours are not supported`);
  return g;
}
