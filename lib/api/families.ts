/**
 * Address families (RFC 4760 AFI/SAFI pairs) as the control API names them — `ipv4-unicast`, the words the
 * speaker's configuration uses — and as FRR prints them (`IPv4 Unicast`, `L2VPN EVPN`). Families this speaker
 * does not name get a numeric form (`25/65`) so that nothing a peer announced is ever dropped from a view.
 */
import { Afi, Safi, familyKey } from '../wire/index.js';

interface FamilyNames {
  readonly id: string;
  readonly display: string;
}

const AFI_WORDS: Readonly<Record<number, { id: string; display: string }>> = {
  [Afi.IPv4]: { id: 'ipv4', display: 'IPv4' },
  [Afi.IPv6]: { id: 'ipv6', display: 'IPv6' },
  [Afi.L2vpn]: { id: 'l2vpn', display: 'L2VPN' },
};

// FRR's words for each SAFI (`show bgp neighbors` prints "Address Family IPv4 Unicast", "IPv4 Flowspec").
const SAFI_WORDS: Readonly<Record<number, { id: string; display: string }>> = {
  [Safi.Unicast]: { id: 'unicast', display: 'Unicast' },
  [Safi.Multicast]: { id: 'multicast', display: 'Multicast' },
  [Safi.MplsLabel]: { id: 'labeled-unicast', display: 'Labeled Unicast' },
  [Safi.Evpn]: { id: 'evpn', display: 'EVPN' },
  [Safi.MplsVpn]: { id: 'vpn', display: 'VPN' },
  [Safi.FlowSpec]: { id: 'flowspec', display: 'Flowspec' },
  [Safi.FlowSpecVpn]: { id: 'flowspec-vpn', display: 'Flowspec VPN' },
};

function names(afi: number, safi: number): FamilyNames {
  const a = AFI_WORDS[afi];
  const s = SAFI_WORDS[safi];
  if (a && s) return { id: `${a.id}-${s.id}`, display: `${a.display} ${s.display}` };
  return { id: `${afi}/${safi}`, display: `AFI ${afi} SAFI ${safi}` };
}

/** `ipv4-unicast`, `ipv6-unicast`, `l2vpn-evpn`, or `afi/safi` in decimal for families without a name. */
export function familyId(afi: number, safi: number): string {
  return names(afi, safi).id;
}

/** FRR's name: `IPv4 Unicast`. */
export function familyDisplay(afi: number, safi: number): string {
  return names(afi, safi).display;
}

/** The id of a `familyKey` number (AFI in the high bits, SAFI in the low octet). */
export function familyIdOfKey(key: number): string {
  return familyId(key >> 8, key & 0xff);
}

/** Reverses `familyId`, for ids and `afi/safi` forms alike; undefined for anything else. */
export function familyKeyOfId(id: string): number | undefined {
  const numeric = /^(\d{1,5})\/(\d{1,3})$/.exec(id);
  if (numeric) {
    const afi = Number(numeric[1]);
    const safi = Number(numeric[2]);
    return afi <= 0xffff && safi <= 0xff ? familyKey(afi, safi) : undefined;
  }
  for (const [afi, a] of Object.entries(AFI_WORDS)) {
    for (const [safi, s] of Object.entries(SAFI_WORDS)) {
      if (`${a.id}-${s.id}` === id) return familyKey(Number(afi), Number(safi));
    }
  }
  return undefined;
}

/** FRR's name of a family id (`ipv4-unicast` → `IPv4 Unicast`); ids it cannot read are returned unchanged. */
export function familyDisplayOfId(id: string): string {
  const key = familyKeyOfId(id);
  return key === undefined ? id : familyDisplay(key >> 8, key & 0xff);
}

/** The unicast family id of a prefix's AFI. */
export function unicastFamilyId(afi: 1 | 2): 'ipv4-unicast' | 'ipv6-unicast' {
  return afi === 1 ? 'ipv4-unicast' : 'ipv6-unicast';
}
