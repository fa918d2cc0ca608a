/**
 * BGP messages as JSON for people and scripts (`tsbgpd decode`, the control API): stable field names, addresses
 * and prefixes as text, communities as FRR prints them, opaque bytes as lowercase hex.
 */
import {
  AttrTypeName,
  MessageTypeName,
  announcedPrefixes,
  attributeTypeCode,
  errorCodeName,
  errorSubcodeName,
  formatAsPath,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  formatPrefix,
  withdrawnPrefixes,
  type BgpMessage,
  type Capability,
  type PathAttribute,
  type UpdateMessage,
} from '../wire/index.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const ORIGIN_NAMES = ['IGP', 'EGP', 'INCOMPLETE'];

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function capabilityJson(c: Capability): Json {
  const out: { [key: string]: Json } = { code: c.code, name: c.kind };
  switch (c.kind) {
    case 'multiprotocol':
      out.afi = c.afi;
      out.safi = c.safi;
      break;
    case 'extended-next-hop':
      out.entries = c.entries.map((e) => ({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi }));
      break;
    case 'role':
      out.role = c.role;
      break;
    case 'graceful-restart':
      out.restartFlags = c.restartFlags;
      out.restartTime = c.restartTime;
      out.families = c.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.flags }));
      break;
    case 'four-octet-as':
      out.asn = c.asn;
      break;
    case 'add-path':
      out.families = c.families.map((f) => ({ afi: f.afi, safi: f.safi, mode: f.mode }));
      break;
    case 'long-lived-graceful-restart':
      out.families = c.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.flags, staleTime: f.staleTime }));
      break;
    case 'fqdn':
      out.hostname = c.hostname;
      out.domainName = c.domainName;
      break;
    case 'unknown':
      out.value = hex(c.value);
      if (c.malformed) out.malformed = true;
      break;
    default:
      break;
  }
  return out;
}

/** One path attribute as JSON: `type` is the RFC name, plus the value in readable form. */
export function attributeJson(a: PathAttribute): { [key: string]: Json } {
  const code = attributeTypeCode(a);
  const out: { [key: string]: Json } = { type: AttrTypeName[code] ?? `TYPE_${code}`, code };
  if (a.flags !== undefined) out.flags = a.flags;
  switch (a.kind) {
    case 'origin':
      out.origin = ORIGIN_NAMES[a.origin] ?? a.origin;
      break;
    case 'as-path':
    case 'as4-path':
      out.path = formatAsPath(a.segments);
      out.segments = a.segments.map((s) => ({ type: s.type, asns: [...s.asns] }));
      break;
    case 'next-hop':
      out.nextHop = a.nextHop;
      break;
    case 'multi-exit-disc':
      out.med = a.med;
      break;
    case 'local-pref':
      out.localPref = a.localPref;
      break;
    case 'atomic-aggregate':
      break;
    case 'aggregator':
    case 'as4-aggregator':
      out.asn = a.asn;
      out.address = a.address;
      break;
    case 'communities':
      out.communities = a.communities.map(formatCommunity);
      break;
    case 'originator-id':
      out.originatorId = a.originatorId;
      break;
    case 'cluster-list':
      out.clusterList = [...a.clusterList];
      break;
    case 'mp-reach-nlri':
      out.afi = a.afi;
      out.safi = a.safi;
      if (a.nextHopBytes) out.nextHopBytes = hex(a.nextHopBytes);
      else out.nextHop = [...a.nextHop];
      if (a.nlriBytes) out.nlriBytes = hex(a.nlriBytes);
      else out.nlri = a.nlri.map(formatPrefix);
      break;
    case 'mp-unreach-nlri':
      out.afi = a.afi;
      out.safi = a.safi;
      if (a.withdrawnBytes) out.withdrawnBytes = hex(a.withdrawnBytes);
      else out.withdrawn = a.withdrawn.map(formatPrefix);
      break;
    case 'extended-communities':
      out.communities = a.communities.map((c) => formatExtendedCommunity(c));
      break;
    case 'large-community':
      out.communities = a.communities.map(formatLargeCommunity);
      break;
    case 'otc':
      out.asn = a.asn;
      break;
    case 'unknown':
    case 'malformed':
      out.value = hex(a.value);
      if (a.kind === 'malformed') out.malformed = true;
      break;
  }
  return out;
}

function updateJson(u: UpdateMessage, out: { [key: string]: Json }): void {
  const announced = announcedPrefixes(u);
  const withdrawn = withdrawnPrefixes(u);
  out.announced = announced.map(formatPrefix);
  out.withdrawn = withdrawn.map(formatPrefix);
  // RFC 7911: with ADD-PATH one prefix may appear once per path; the path ids go alongside, index for index, so
  // `announced`/`withdrawn` stay plain CIDR strings.
  if (announced.some((p) => p.pathId !== undefined)) out.announcedPathIds = announced.map((p) => p.pathId ?? null);
  if (withdrawn.some((p) => p.pathId !== undefined)) out.withdrawnPathIds = withdrawn.map((p) => p.pathId ?? null);
  const opaque = u.attributes.filter(
    (a) => (a.kind === 'mp-reach-nlri' && a.nlriBytes) || (a.kind === 'mp-unreach-nlri' && a.withdrawnBytes),
  );
  if (opaque.length > 0) {
    // RFC 4760 families this codec carries opaquely (FlowSpec, EVPN, VPN …) are reported, not listed as prefixes.
    out.opaqueFamilies = opaque.map((a) => ({
      afi: (a as { afi: number }).afi,
      safi: (a as { safi: number }).safi,
      kind: a.kind === 'mp-reach-nlri' ? 'reach' : 'unreach',
    }));
  }
  out.attributes = u.attributes.map(attributeJson);
  if (u.endOfRib) out.endOfRib = { afi: u.endOfRib.afi, safi: u.endOfRib.safi };
  if (u.issues && u.issues.length > 0) {
    out.action = u.action ?? null;
    out.issues = u.issues.map((i) => ({
      attribute: AttrTypeName[i.typeCode] ?? i.typeCode,
      action: i.action,
      code: i.error.code,
      subcode: i.error.subcode,
      name: `${i.error.codeName} / ${i.error.subcodeName}`,
    }));
  }
}

/** The decoded body of a message as JSON fields (the caller adds time, endpoints, length). */
export function messageJson(m: BgpMessage): { [key: string]: Json } {
  const out: { [key: string]: Json } = { type: MessageTypeName[m.type] ?? String(m.type) };
  switch (m.type) {
    case 1:
      out.version = m.version;
      out.myAs = m.myAs;
      out.holdTime = m.holdTime;
      out.bgpIdentifier = m.bgpIdentifier;
      out.capabilities = m.capabilities.map(capabilityJson);
      if (m.extendedParameters) out.extendedParameters = true;
      break;
    case 2:
      updateJson(m, out);
      break;
    case 3:
      out.code = m.code;
      out.subcode = m.subcode;
      out.name = `${errorCodeName(m.code)} / ${errorSubcodeName(m.code, m.subcode)}`;
      out.data = hex(m.data);
      if (m.shutdownMessage !== undefined) out.shutdownMessage = m.shutdownMessage;
      if (m.hardReset) {
        out.hardReset = {
          code: m.hardReset.code,
          subcode: m.hardReset.subcode,
          name: `${errorCodeName(m.hardReset.code)} / ${errorSubcodeName(m.hardReset.code, m.hardReset.subcode)}`,
        };
      }
      break;
    case 4:
      break;
    case 5:
      out.afi = m.afi;
      out.safi = m.safi;
      out.subtype = m.subtype;
      break;
  }
  return out;
}
