/**
 * FRR configuration text — what pfSense's FRR package writes, or `show running-config` prints — read into a
 * Router draft, so the seed's pfSense setup is expressible line for line:
 *
 *   route-map Permit-Any permit 100                       policy lines (route-map, ip/ipv6 prefix-list,
 *   router bgp 65100                                      bgp community-list, bgp large-community-list,
 *    bgp router-id 192.168.3.1                            bgp as-path access-list) go to parseFrrPolicy
 *    bgp cluster-id 192.168.3.1                           with their line numbers unchanged
 *    no bgp ebgp-requires-policy
 *    bgp always-compare-med
 *    bgp listen range 192.168.3.0/24 peer-group rubrik-metallb
 *    bgp listen limit 100
 *    no bgp default ipv4-unicast
 *    bgp graceful-restart [restart-time N | stalepath-time N | preserve-fw-state | notification]   (RFC 4724, 8538)
 *    no bgp graceful-restart [notification]
 *    neighbor … (router-frr-neighbor.ts)
 *    address-family ipv4 unicast | ipv6 unicast
 *     neighbor X activate | route-map | route-reflector-client | next-hop-self
 *     maximum-paths N | maximum-paths ibgp N
 *     network PREFIX
 *    exit-address-family
 *   exit
 *
 * Context follows FRR's command nodes, not indentation: a line the current node does not know is tried on the
 * node above (vtysh's "node climbing"), so `bgp community-list …` inside `router bgp` ends the block, and an
 * unindented `neighbor …` after `router bgp` belongs to it. Lines that configure something tsbgpd has no use for
 * (`log syslog`, `hostname`, `service …`, `line vty`, `interface` blocks) are warnings; `!` comments, `exit`,
 * `end`, `frr version` and `frr defaults traditional` are silent; anything else unknown is an error at its line.
 *
 * Imports this folder only (policy text goes through router-policy.ts).
 */
import type { Diagnostics } from './diagnostics.js';
import type { RouterDraft, Where } from './router-draft.js';
import { neighborCommand, type FrrLineContext } from './router-frr-neighbor.js';
import { FamilyState } from './router-frr-state.js';
import { readFrrPolicyText } from './router-policy.js';
import type { EmbeddedText } from './router-positions.js';
import type { RouterFamily } from './router-types.js';
import { checkClusterId, checkPrefix, checkRouterId, isProblem, parseAsnText, parseIntText } from './router-values.js';

type Node = 'config' | 'bgp' | 'af' | 'route-map' | 'skip';

const ROUTE_MAP_COMMANDS = new Set(['match', 'set', 'on-match', 'continue', 'call', 'description', 'exit', 'exit-route-map']);
/** Global lines that configure things tsbgpd does not have: accepted with a warning. */
const IGNORED = new Set(['hostname', 'domainname', 'log', 'service', 'password', 'enable', 'debug', 'agentx', 'username']);
/** Blocks whose contents are ignored with them. */
const IGNORED_BLOCKS = new Set(['line', 'interface', 'vrf', 'key']);

class FrrRouterReader {
  private node: Node = 'config';
  private family: RouterFamily = 'ipv4-unicast';
  private readonly families = new FamilyState();
  private routerWhere: Where | undefined;
  private lineNo = 0;
  private where: Where;
  /** The text with every line that is not policy blanked: parseFrrPolicy sees the same line numbers. */
  private readonly policyLines: string[];

  constructor(
    private readonly lines: readonly string[],
    private readonly embedded: EmbeddedText,
    private readonly field: string,
    private readonly draft: RouterDraft,
    private readonly diags: Diagnostics,
  ) {
    this.policyLines = lines.map(() => '');
    this.where = { pos: embedded.at(1), field };
  }

  read(): void {
    this.lines.forEach((raw, i) => {
      const n = i + 1;
      const text = raw.replace(/\r$/, '');
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('!') || trimmed.startsWith('#')) return;
      if (this.node === 'skip') {
        if (/^\s/.test(text)) return;
        this.node = 'config';
        if (trimmed === 'exit') return;
      }
      this.lineNo = n;
      this.where = { pos: this.embedded.at(n), field: this.field };
      this.dispatch(trimmed.split(/\s+/), text);
    });
    if (this.routerWhere === undefined) {
      this.diags.error(this.embedded.at(1), this.field, 'no "router bgp ASN" in the FRR configuration');
      return;
    }
    this.families.finishFamilies(this.draft, this.diags);
    this.readPolicy();
  }

  private ctx(): FrrLineContext {
    return {
      draft: this.draft,
      families: this.families,
      where: this.where,
      error: (m) => this.error(m),
      warn: (m) => this.warn(m),
    };
  }

  private error(message: string): void {
    this.diags.error(this.where.pos, this.field, `${message}${this.embedded.lineNote(this.lineNo)}`);
  }

  private warn(message: string): void {
    this.diags.warning(this.where.pos, this.field, `${message}${this.embedded.lineNote(this.lineNo)}`);
  }

  private dispatch(t: string[], text: string): void {
    if (this.node === 'route-map') {
      if (ROUTE_MAP_COMMANDS.has(t[0] as string)) {
        this.policyLines[this.lineNo - 1] = text;
        if (t[0] === 'exit' || t[0] === 'exit-route-map') this.node = 'config';
        return;
      }
      this.node = 'config';
    }
    if (this.node === 'af' && this.afCommand(t)) return;
    if (this.node === 'af') this.node = 'bgp';
    if (this.node === 'bgp' && this.bgpCommand(t)) return;
    this.node = 'config';
    this.configCommand(t, text);
  }

  // --- config node -------------------------------------------------------------------------------------------

  private configCommand(t: string[], text: string): void {
    const [a, b, c] = t;
    const policy = (): void => {
      this.policyLines[this.lineNo - 1] = text;
    };
    if (a === 'router' && b === 'bgp') return this.routerBgp(t);
    if (a === 'route-map') {
      policy();
      this.node = 'route-map';
      return;
    }
    if ((a === 'ip' || a === 'ipv6') && b === 'prefix-list') return policy();
    if ((a === 'bgp' || a === 'ip') && (b === 'community-list' || b === 'large-community-list' || (b === 'as-path' && c === 'access-list'))) return policy();
    if (a === 'exit' || a === 'end' || a === 'write') return;
    if (a === 'frr') {
      if (b === 'defaults' && c !== 'traditional') this.warn(`frr defaults ${c ?? ''}: tsbgpd applies FRR's traditional defaults`);
      return;
    }
    if (a === 'bgp' && b === 'route-map' && c === 'delay-timer') return; // tsbgpd applies policy changes at reload
    if (IGNORED.has(a as string) || ((a === 'ip' || a === 'ipv6') && b === 'forwarding') || (a === 'no' && ['ip', 'ipv6', 'service', 'log'].includes(b as string))) {
      return this.warn(`ignored (not a BGP setting): ${t.join(' ')}`);
    }
    if (IGNORED_BLOCKS.has(a as string)) {
      this.warn(`ignored with its contents (not a BGP setting): ${t.join(' ')}`);
      this.node = 'skip';
      return;
    }
    if (a === 'router') {
      this.error(`${t.join(' ')}: tsbgpd speaks BGP only`);
      this.node = 'skip';
      return;
    }
    if (a === 'neighbor' || a === 'address-family' || a === 'network' || a === 'maximum-paths' || (a === 'bgp' && b !== undefined)) {
      return this.error(`"${t.join(' ')}" outside "router bgp"`);
    }
    this.error(`unknown command: ${t.join(' ')}`);
  }

  private routerBgp(t: string[]): void {
    if (t.length !== 3) {
      this.error(t.length > 3 ? `${t.join(' ')}: one BGP instance in the default VRF only (no "vrf"/"view")` : 'usage: router bgp ASN');
      this.node = 'skip';
      return;
    }
    const asn = parseAsnText(t[2]);
    if (isProblem(asn)) {
      this.error(`router bgp: ${asn}`);
      this.node = 'skip';
      return;
    }
    const before = this.draft.asn;
    if (before !== undefined && before.value !== asn) {
      this.error(`router bgp ${asn}: one BGP instance only; "router bgp ${before.value}" came first`);
      this.node = 'skip';
      return;
    }
    this.draft.asn ??= { value: asn, where: this.where };
    this.routerWhere ??= this.where;
    this.draft.where = this.routerWhere;
    this.node = 'bgp';
  }

  // --- router bgp node ---------------------------------------------------------------------------------------

  /** False when the line is not a `router bgp` command (the caller climbs to the config node). */
  private bgpCommand(t: string[]): boolean {
    const [a, b, c] = t;
    const words = t.join(' ');
    switch (a) {
      case 'bgp':
        if (b === 'community-list' || b === 'large-community-list' || b === 'as-path' || b === 'route-map') return false;
        this.bgpSetting(t);
        return true;
      case 'no':
        if (b === 'neighbor') neighborCommand(this.ctx(), t.slice(1), undefined, true);
        else if (words === 'no bgp ebgp-requires-policy') this.draft.ebgpRequiresPolicy = { value: false, where: this.where };
        else if (words === 'no bgp default ipv4-unicast') this.families.defaultIpv4 = { value: false, where: this.where };
        else if (words === 'no bgp graceful-restart') this.draft.gracefulRestart = { value: false, where: this.where };
        else if (words === 'no bgp graceful-restart notification') this.draft.grNotification = { value: false, where: this.where };
        else if (words === 'no bgp network import-check' || words === 'no bgp log-neighbor-changes') {
          // tsbgpd originates networks unconditionally and always logs neighbour changes.
        } else this.error(`"${words}" is not supported`);
        return true;
      case 'neighbor':
        neighborCommand(this.ctx(), t, undefined, false);
        return true;
      case 'address-family': {
        const family = c === 'unicast' && t.length === 3 ? (b === 'ipv4' ? 'ipv4-unicast' : b === 'ipv6' ? 'ipv6-unicast' : undefined) : undefined;
        if (family === undefined) {
          this.error(`${words}: tsbgpd carries ipv4 unicast and ipv6 unicast only`);
          this.node = 'skip';
          return true;
        }
        this.family = family;
        this.node = 'af';
        return true;
      }
      case 'network':
      case 'maximum-paths':
        // Under `router bgp` itself FRR reads these as IPv4 unicast.
        this.family = 'ipv4-unicast';
        return this.afCommand(t);
      case 'timers':
        this.error(`${words}: give timers per neighbour or peer group (neighbor X timers KEEPALIVE HOLD)`);
        return true;
      case 'exit':
        this.node = 'config';
        return true;
      default:
        if (a === 'router' || a === 'route-map' || a === 'ip' || a === 'ipv6' || a === 'end' || a === 'frr') return false;
        this.error(`not a "router bgp" command tsbgpd supports: ${words}`);
        return true;
    }
  }

  private bgpSetting(t: string[]): void {
    const [, b, c, d, e, f] = t;
    const words = t.join(' ');
    const w = this.where;
    const one = (n: number): boolean => t.length === n || (this.error(`usage: ${t.slice(0, n - 1).join(' ')} VALUE`), false);
    switch (b) {
      case 'router-id': {
        if (!one(3)) return;
        const id = checkRouterId(c as string);
        if (isProblem(id)) return this.error(`bgp router-id: ${id}`);
        this.draft.routerId = { value: id, where: w };
        return;
      }
      case 'cluster-id': {
        if (!one(3)) return;
        const id = checkClusterId(c as string);
        if (isProblem(id)) return this.error(`bgp cluster-id: ${id}`);
        this.draft.clusterId = { value: id, where: w };
        return;
      }
      case 'ebgp-requires-policy':
        if (t.length === 2) this.draft.ebgpRequiresPolicy = { value: true, where: w };
        else this.error('usage: [no] bgp ebgp-requires-policy');
        return;
      case 'always-compare-med':
        if (t.length === 2) this.draft.alwaysCompareMed = { value: true, where: w };
        else this.error('usage: bgp always-compare-med');
        return;
      case 'default':
        if (words === 'bgp default ipv4-unicast') this.families.defaultIpv4 = { value: true, where: w };
        else this.error(`"${words}" is not supported`);
        return;
      case 'log-neighbor-changes':
        return; // always on in tsbgpd
      case 'graceful-restart':
        return this.gracefulRestart(t);
      case 'listen':
        if (c === 'limit') {
          if (!one(4)) return;
          const n = parseIntText(d, 1, 65535, 'the listen limit');
          if (isProblem(n)) return this.error(`bgp listen limit: ${n}`);
          this.draft.listenLimit = { value: n, where: w };
          return;
        }
        if (c === 'range') {
          if (t.length !== 6 || e !== 'peer-group' || f === undefined) return this.error('usage: bgp listen range PREFIX peer-group NAME');
          const prefix = checkPrefix(d as string);
          if (isProblem(prefix)) return this.error(`bgp listen range: ${prefix}`);
          this.draft.listenRanges.push({ value: { prefix, peerGroup: f }, where: w });
          return;
        }
        return this.error('usage: bgp listen range PREFIX peer-group NAME | bgp listen limit N');
      default:
        return this.error(`not a "router bgp" command tsbgpd supports: ${words}`);
    }
  }

  /** `bgp graceful-restart [restart-time N | stalepath-time N | notification | preserve-fw-state]` (RFC 4724, 8538). */
  private gracefulRestart(t: string[]): void {
    const [, , c, d] = t;
    const w = this.where;
    if (t.length === 2) {
      this.draft.gracefulRestart = { value: true, where: w };
      return;
    }
    if ((c === 'restart-time' || c === 'stalepath-time') && t.length === 4) {
      const n = parseIntText(d, c === 'restart-time' ? 0 : 1, 4095, `the ${c}`);
      if (isProblem(n)) return this.error(`bgp graceful-restart ${c}: ${n}`);
      if (c === 'restart-time') this.draft.restartTime = { value: n, where: w };
      else this.draft.stalePathTime = { value: n, where: w };
      return;
    }
    if (c === 'notification' && t.length === 3) {
      this.draft.grNotification = { value: true, where: w };
      return;
    }
    if (c === 'preserve-fw-state' && t.length === 3) {
      this.draft.preserveForwardingState = { value: true, where: w };
      return;
    }
    this.error('usage: bgp graceful-restart [restart-time (0-4095) | stalepath-time (1-4095) | notification | preserve-fw-state]');
  }

  // --- address-family node -----------------------------------------------------------------------------------

  private afCommand(t: string[]): boolean {
    const [a, b, c] = t;
    const w = this.where;
    switch (a) {
      case 'neighbor':
        neighborCommand(this.ctx(), t, this.family, false);
        return true;
      case 'no':
        if (b !== 'neighbor') return false;
        neighborCommand(this.ctx(), t.slice(1), this.family, true);
        return true;
      case 'maximum-paths': {
        const ibgp = b === 'ibgp';
        const value = ibgp ? c : b;
        if (t.length !== (ibgp ? 3 : 2)) {
          this.error('usage: maximum-paths (1-64) | maximum-paths ibgp (1-64)');
          return true;
        }
        const n = parseIntText(value, 1, 64, 'maximum-paths');
        if (isProblem(n)) this.error(n.message);
        else {
          const slot = ibgp ? 'ibgp' : 'ebgp';
          const before = this.families.maximumPaths[slot];
          if (before !== undefined && before.value !== n) this.error(`maximum-paths ${t.slice(1).join(' ')}: ${before.value} was given for another family; tsbgpd has one value for all`);
          else this.families.maximumPaths[slot] = { value: n, where: w };
        }
        return true;
      }
      case 'network': {
        if (t.length !== 2) {
          this.error(t.length > 2 ? `${t.join(' ')}: only "network PREFIX" (set attributes on the neighbours' route maps)` : 'usage: network PREFIX');
          return true;
        }
        const prefix = checkPrefix(b as string);
        if (isProblem(prefix)) this.error(`network: ${prefix}`);
        else if ((prefix.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast') !== this.family) this.error(`network ${prefix} is not of ${this.family}`);
        else this.draft.networks.push({ value: { prefix, attributes: {} }, where: w });
        return true;
      }
      case 'exit-address-family':
      case 'exit':
        this.node = 'bgp';
        return true;
      default:
        return false;
    }
  }

  // --- policy --------------------------------------------------------------------------------------------------

  private readPolicy(): void {
    const whole = { pos: (this.routerWhere ?? this.where).pos, field: this.field };
    const policy = readFrrPolicyText(this.policyLines.join('\n'), this.embedded, whole, this.diags);
    if (policy !== undefined) this.draft.policy = policy;
  }
}

/**
 * Reads FRR configuration text into `draft`. `embedded` maps the text's lines to the file; `field` names the YAML
 * field it came from (`spec.frr`). Every problem goes to `diags`.
 */
export function readFrrRouter(text: string, embedded: EmbeddedText, field: string, draft: RouterDraft, diags: Diagnostics): void {
  new FrrRouterReader(text.split('\n'), embedded, field, draft, diags).read();
}
