/**
 * Configurations of the benchmark targets other than tsbgpd: BIRD 2, FRR bgpd, GoBGP and OpenBGPD, each as the
 * same router — one AS, one address on `lo`, every neighbour passive (the harness dials in), accept everything and
 * advertise everything, no FIB. Recipes and gotchas from /work/shared/peers.md:
 * - BIRD: `protocol device {}`, no `protocol kernel`; `strict bind yes` with `local ADDR`; `multihop` for
 *   neighbours on `lo`; `import all; export all;`.
 * - FRR (`bgpd -Z`, no zebra): route maps defined before `router bgp` and `bgp route-map delay-timer 0`;
 *   permit-any route maps in and out (RFC 8212 is on by default); `advertisement-interval 0` so that MRAI does
 *   not pace the eBGP side.
 * - GoBGP: the API on a unix socket in the instance directory, no pprof; MRAI 0.
 * - OpenBGPD: `fib-update no`, `listen on`, the control socket in the instance directory, `allow from/to any`.
 * Route reflection (RFC 4456): every neighbour is an iBGP route-reflector client and the target's address is the
 * CLUSTER_ID.
 */

/** The router under test. */
export interface TargetSpec {
  readonly asn: number;
  /** Its address on `lo` (and BGP Identifier). */
  readonly address: string;
  readonly peers: readonly PeerSpec[];
}

export interface PeerSpec {
  readonly address: string;
  readonly asn: number;
  /** An iBGP route-reflector client (RFC 4456). */
  readonly rrClient?: boolean;
}

const ident = (address: string): string => `p_${address.replace(/[.:]/g, '_')}`;

export function birdConfig(spec: TargetSpec): string {
  const lines = ['log stderr { warning, error, fatal, bug };', `router id ${spec.address};`, 'protocol device {}'];
  for (const p of spec.peers) {
    lines.push(
      `protocol bgp ${ident(p.address)} {`,
      `  local ${spec.address} as ${spec.asn};`,
      `  neighbor ${p.address} as ${p.asn};`,
      '  strict bind yes;',
      '  multihop;',
      '  passive on;',
      ...(p.rrClient === true ? ['  rr client;', `  rr cluster id ${spec.address};`] : []),
      '  ipv4 { import all; export all; };',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function frrConfig(spec: TargetSpec): string {
  const lines = [
    'frr defaults traditional',
    'hostname bench',
    'log stdout warnings',
    'bgp route-map delay-timer 0',
    '!',
    'route-map PERMIT-ANY permit 10',
    'exit',
    '!',
    `router bgp ${spec.asn}`,
    ` bgp router-id ${spec.address}`,
    ' no bgp network import-check',
    ' no bgp default ipv4-unicast',
  ];
  if (spec.peers.some((p) => p.rrClient === true)) lines.push(` bgp cluster-id ${spec.address}`);
  for (const p of spec.peers) {
    const n = ` neighbor ${p.address}`;
    lines.push(`${n} remote-as ${p.asn}`, `${n} update-source ${spec.address}`, `${n} passive`);
    if (p.asn !== spec.asn) lines.push(`${n} ebgp-multihop 255`);
  }
  lines.push(' address-family ipv4 unicast');
  for (const p of spec.peers) {
    const n = `  neighbor ${p.address}`;
    lines.push(`${n} activate`, `${n} advertisement-interval 0`, `${n} route-map PERMIT-ANY in`, `${n} route-map PERMIT-ANY out`);
    if (p.rrClient === true) lines.push(`${n} route-reflector-client`);
  }
  lines.push(' exit-address-family', 'exit', '!', '');
  return lines.join('\n');
}

export function gobgpConfig(spec: TargetSpec): string {
  const lines = [
    '[global.config]',
    `  as = ${spec.asn}`,
    `  router-id = "${spec.address}"`,
    `  local-address-list = ["${spec.address}"]`,
  ];
  for (const p of spec.peers) {
    lines.push(
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${p.address}"`,
      `    peer-as = ${p.asn}`,
      '  [neighbors.transport.config]',
      `    local-address = "${spec.address}"`,
      '    passive-mode = true',
      '  [neighbors.timers.config]',
      '    minimum-advertisement-interval = 0',
    );
    if (p.rrClient === true) {
      lines.push(
        '  [neighbors.route-reflector.config]',
        '    route-reflector-client = true',
        `    route-reflector-cluster-id = "${spec.address}"`,
      );
    }
    if (p.asn !== spec.asn) lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 255');
    lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"');
  }
  return `${lines.join('\n')}\n`;
}

export function openbgpdConfig(spec: TargetSpec, socket: string): string {
  const lines = [`AS ${spec.asn}`, `router-id ${spec.address}`, 'fib-update no', `listen on ${spec.address}`, `socket "${socket}"`, ''];
  for (const p of spec.peers) {
    lines.push(
      `neighbor ${p.address} {`,
      `  remote-as ${p.asn}`,
      `  local-address ${spec.address}`,
      '  passive',
      ...(p.asn !== spec.asn ? ['  multihop 255'] : []),
      ...(p.rrClient === true ? ['  route-reflector'] : []),
      '  announce IPv4 unicast',
      '}',
    );
  }
  lines.push('', 'allow from any', 'allow to any', '');
  return lines.join('\n');
}
