/**
 * `BGPPeer` (metallb.io/v1beta2, and the older v1beta1): one router to peer with, from the nodes its
 * `nodeSelectors` pick. Timers are Go durations defaulted as MetalLB does (`keepaliveTime` = `holdTime`/3, or
 * `holdTime` = 3 × `keepaliveTime`; hold 0 or ≥ 3 s; keepalive ≤ hold) and rounded down to whole seconds.
 *
 * What cannot be honoured is refused rather than ignored: `password`/`passwordSecret` need TCP MD5 (RFC 2385),
 * which node:net cannot set on a socket; `vrf` needs a VRF device binding; `ebgpMultiHop` on an iBGP session is
 * meaningless (MetalLB refuses it too). `bfdProfile` only draws a warning: sessions work, without BFD.
 *
 * Durations are Go's (`metav1.Duration`): decimal numbers with units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h` — `90s`,
 * `1m30s`, `1.5h` — or a bare `0`, parsed as `time.ParseDuration` does.
 */
import { canonicalAddress, parseAddress } from './address.js';
import { readSelectors } from './label-selector.js';
import { readMetadata, sourceOf, type Field } from './field.js';
import type { BGPPeer } from './types.js';

const SPEC_FIELDS = [
  'myASN',
  'peerASN',
  'dynamicASN',
  'peerAddress',
  'sourceAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'connectTime',
  'routerID',
  'nodeSelectors',
  'password',
  'passwordSecret',
  'bfdProfile',
  'enableGracefulRestart',
  'ebgpMultiHop',
  'vrf',
  'disableMP',
  'dualStackAddressFamily',
] as const;

const ASN_MAX = 0xffffffff;

export function readPeer(root: Field): BGPPeer | undefined {
  const meta = readMetadata(root);
  const spec = root.get('spec').required();
  if (!spec.map()) return undefined;
  spec.checkKnown(SPEC_FIELDS);
  let ok = true;
  const fail = (f: Field, message: string): void => {
    f.error(message);
    ok = false;
  };
  const int = (f: Field, min: number, max: number): number | undefined => {
    const v = f.int(min, max);
    if (v === undefined && !f.isMissing) ok = false;
    return v;
  };

  const myASNField = spec.get('myASN').required();
  const myASN = int(myASNField, 1, ASN_MAX);
  if (myASNField.isMissing) ok = false;
  const peerASNField = spec.get('peerASN');
  // The Go API's zero value means "not set".
  const peerASNRaw = int(peerASNField, 0, ASN_MAX);
  const peerASN = peerASNRaw === 0 ? undefined : peerASNRaw;
  const dynField = spec.get('dynamicASN');
  const dynamicASN = dynField.oneOf(['internal', 'external'] as const);
  if (dynamicASN === undefined && !dynField.isMissing) ok = false;
  if (peerASN !== undefined && dynamicASN !== undefined) fail(dynField, 'set either peerASN or dynamicASN, not both');
  else if (peerASN === undefined && dynamicASN === undefined) {
    if (peerASNRaw === 0) fail(peerASNField, 'peerASN must not be 0: give the peer AS, or dynamicASN');
    else if (peerASNField.isMissing && dynField.isMissing) fail(peerASNField, 'required field is missing (or set dynamicASN: internal or external)');
  }

  const addrField = spec.get('peerAddress').required();
  const addrText = addrField.nonEmptyString();
  const peer = addrText !== undefined ? parseAddress(addrText) : undefined;
  if (addrText === undefined) ok = false;
  else if (!peer) fail(addrField, `expected an IPv4 or IPv6 address, got ${JSON.stringify(addrText)}`);

  const srcField = spec.get('sourceAddress');
  const srcText = srcField.nonEmptyString();
  const src = srcText !== undefined ? parseAddress(srcText) : undefined;
  if (srcText !== undefined && !src) fail(srcField, `expected an IPv4 or IPv6 address, got ${JSON.stringify(srcText)}`);
  if (src && peer && src.afi !== peer.afi) fail(srcField, `sourceAddress ${srcText} and peerAddress ${addrText} are of different families`);

  const peerPort = int(spec.get('peerPort'), 1, 65535) ?? 179;
  const timers = readTimers(spec);
  if (!timers) ok = false;
  const connectField = spec.get('connectTime');
  const connectMs = readDuration(connectField);
  let connectTime: number | undefined;
  if (connectMs === undefined && !connectField.isMissing) ok = false;
  else if (connectMs !== undefined) {
    connectTime = Math.floor(connectMs / 1000);
    if (connectTime < 1 || connectTime > 65535) fail(connectField, 'connectTime must be between 1s and 65535s');
  }

  const ridField = spec.get('routerID');
  const routerID = ridField.nonEmptyString();
  if (routerID !== undefined) {
    const a = parseAddress(routerID);
    if (!a || a.afi !== 1 || a.value === 0n) fail(ridField, `the BGP Identifier must be a non-zero IPv4 address, got ${JSON.stringify(routerID)}`);
  }

  if (spec.get('password').nonEmptyString() !== undefined) {
    fail(spec.get('password'), 'TCP MD5 authentication (RFC 2385) is not supported: node:net cannot set TCP_MD5SIG on a socket; remove the password (and from the router)');
  }
  const secret = spec.get('passwordSecret');
  const secretMap = secret.map();
  if (secretMap && Object.keys(secretMap).length > 0) {
    fail(secret, 'TCP MD5 authentication (RFC 2385) is not supported: node:net cannot set TCP_MD5SIG on a socket');
  }
  if (spec.get('vrf').nonEmptyString() !== undefined) fail(spec.get('vrf'), 'VRFs are not supported: sessions use the default routing table');
  const bfdField = spec.get('bfdProfile');
  const bfdProfile = bfdField.nonEmptyString();
  if (bfdProfile !== undefined) bfdField.warn('BFD is not supported: the session runs without it, failures are noticed by the hold timer');
  const boolOf = (name: string): boolean => {
    const f = spec.get(name);
    const v = f.bool();
    if (v === undefined && !f.isMissing) ok = false;
    return v ?? false;
  };
  const ebgpMultiHop = boolOf('ebgpMultiHop');
  const internal = dynamicASN === 'internal' || (peerASN !== undefined && peerASN === myASN);
  if (ebgpMultiHop && internal) fail(spec.get('ebgpMultiHop'), 'ebgpMultiHop is for eBGP sessions; this peer is iBGP (peerASN = myASN)');
  const enableGracefulRestart = boolOf('enableGracefulRestart');
  const disableMP = boolOf('disableMP');
  const dualStackAddressFamily = boolOf('dualStackAddressFamily');
  if (disableMP && dualStackAddressFamily) fail(spec.get('disableMP'), 'disableMP and dualStackAddressFamily contradict each other');
  const nodeSelectors = readSelectors(spec.get('nodeSelectors'));

  if (!ok || meta.name === undefined || myASN === undefined || !peer || !timers) return undefined;
  return {
    name: meta.name,
    myASN,
    peerASN,
    dynamicASN,
    peerAddress: canonicalAddress(addrText as string) as string,
    peerPort,
    sourceAddress: srcText !== undefined ? canonicalAddress(srcText) : undefined,
    holdTime: timers.holdTime,
    keepaliveTime: timers.keepaliveTime,
    connectTime,
    routerID,
    nodeSelectors,
    enableGracefulRestart,
    ebgpMultiHop,
    dualStackAddressFamily,
    bfdProfile,
    source: sourceOf(root),
  };
}

/** MetalLB's `parseTimers`, in whole seconds; null when invalid (reported). */
function readTimers(spec: Field): { holdTime: number | undefined; keepaliveTime: number | undefined } | null {
  const holdField = spec.get('holdTime');
  const kaField = spec.get('keepaliveTime');
  const holdMs = readDuration(holdField);
  const kaMs = readDuration(kaField);
  if ((holdMs === undefined && !holdField.isMissing) || (kaMs === undefined && !kaField.isMissing)) return null;
  if (holdMs === undefined && kaMs === undefined) return { holdTime: undefined, keepaliveTime: undefined };
  const hold = holdMs ?? (kaMs as number) * 3;
  const ka = kaMs ?? hold / 3;
  const holdTime = Math.floor(hold / 1000);
  const keepaliveTime = Math.floor(ka / 1000);
  const at = holdField.isMissing ? kaField : holdField;
  // RFC 4271 §4.2: "the Hold Time MUST be either zero or at least three seconds"; it travels in 16 bits.
  if (holdTime !== 0 && holdTime < 3) return at.error(`invalid hold time ${holdTime}s: must be 0 or at least 3s`) ?? null;
  if (holdTime > 65535) return at.error(`invalid hold time ${holdTime}s: at most 65535s`) ?? null;
  if (ka > hold) return kaField.error(`keepaliveTime (${keepaliveTime}s) must not exceed holdTime (${holdTime}s)`) ?? null;
  if (holdTime > 0 && keepaliveTime < 1) return kaField.error('keepaliveTime must be at least 1s when holdTime is not 0') ?? null;
  return { holdTime, keepaliveTime };
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a Go duration. Negative durations are refused (no BGP use). */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let matched = false;
  const s = text.startsWith('+') ? text.slice(1) : text;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = re.lastIndex;
    matched = true;
  }
  return matched ? total : undefined;
}

/** A duration field (a string, as the Kubernetes API wants it), in milliseconds. */
export function readDuration(f: Field): number | undefined {
  if (f.isMissing) return undefined;
  if (typeof f.value !== 'string') return f.error(`expected a duration such as "90s", got ${typeof f.value === 'number' ? f.value : typeof f.value}`);
  const ms = parseGoDuration(f.value);
  if (ms === undefined) return f.error(`expected a duration such as "90s" or "1m30s", got ${JSON.stringify(f.value)}`);
  return ms;
}
