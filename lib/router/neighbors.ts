/**
 * The router's neighbours on a Speaker: adding one as configured (shut down or not), removing one, re-adding one
 * whose session settings changed, and the `PolicySlot`s that carry each neighbour's and each peer group's route
 * maps across reloads.
 *
 * The Speaker fixes a peer's configuration when it is added, so a change of session settings is applied by
 * removing the peer and adding it again. When the session was up, the peer is first told why: Cease /
 * Administrative Shutdown with an RFC 9003 message ("configuration changed: hold time"), then the removal's
 * Cease / Peer De-configured finds the session already closed. A neighbour configured `shutdown` is added passive
 * and stopped at once, so it never dials; enabling it is a re-add with its real settings.
 *
 * Imports lib/config, lib/speaker types and this folder.
 */
import { effectiveSettings, type RouterConfig, type RouterNeighbor, type RouterPeerGroup, type RouterPeerSettings } from '../config/router-index.js';
import type { Speaker } from '../speaker/index.js';
import { groupPeerConfig, neighborPeerConfig, slotState } from './peer-config.js';
import { PolicySlot } from './policy-slot.js';

export interface SlotPair {
  readonly in: PolicySlot;
  readonly out: PolicySlot;
}

/** The slots of every neighbour (`n:ADDRESS`) and peer group (`g:NAME`), kept across reloads. */
export class Slots {
  private readonly pairs = new Map<string, SlotPair>();

  /** The pair for `key`, created or re-targeted to what `config` says for `settings`. */
  update(key: string, config: RouterConfig, settings: RouterPeerSettings): SlotPair {
    const inState = slotState(config, settings, 'in');
    const outState = slotState(config, settings, 'out');
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = { in: new PolicySlot(inState), out: new PolicySlot(outState) };
      this.pairs.set(key, pair);
    } else {
      pair.in.set(inState);
      pair.out.set(outState);
    }
    return pair;
  }

  delete(key: string): void {
    this.pairs.delete(key);
  }

  /** Forgets every pair (the Speaker they were given to is gone). */
  clear(): void {
    this.pairs.clear();
  }
}

export const neighborKey = (address: string): string => `n:${address}`;
export const groupKey = (name: string): string => `g:${name}`;

/** Defines (or redefines, for dynamic neighbours that connect from now on) a peer group on the Speaker. */
export function defineGroup(speaker: Speaker, slots: Slots, config: RouterConfig, g: RouterPeerGroup): void {
  speaker.addPeerGroup(g.name, groupPeerConfig(g, slots.update(groupKey(g.name), config, g), config.gracefulRestart));
}

/**
 * Adds a neighbour as configured. A shut-down one is stopped at once with its RFC 9003 message (the Speaker must
 * be started: `start` would start it again).
 */
export async function addNeighbor(speaker: Speaker, slots: Slots, config: RouterConfig, n: RouterNeighbor): Promise<void> {
  const settings = effectiveSettings(config, n);
  speaker.addPeer(neighborPeerConfig(n, settings, slots.update(neighborKey(n.address), config, settings), config.gracefulRestart));
  if (settings.shutdown === true) await speaker.shutdownPeer(n.address, settings.shutdownMessage);
}

/** Removes a neighbour: Cease / Peer De-configured (RFC 4486) if its session is up. */
export async function removeNeighbor(speaker: Speaker, slots: Slots, address: string): Promise<void> {
  if (speaker.peer(address) !== undefined) await speaker.removePeer(address);
  slots.delete(neighborKey(address));
}

/**
 * Re-adds a neighbour under new settings. An established session is told why first (`message`), or — when the
 * new configuration shuts it down — gets its configured shutdown message.
 */
export async function readdNeighbor(speaker: Speaker, slots: Slots, config: RouterConfig, n: RouterNeighbor, message: string): Promise<void> {
  const settings = effectiveSettings(config, n);
  const status = speaker.peer(n.address);
  if (status?.state === 'Established') {
    await speaker.shutdownPeer(n.address, settings.shutdown === true ? settings.shutdownMessage : message);
  }
  if (status !== undefined) await speaker.removePeer(n.address);
  await addNeighbor(speaker, slots, config, n);
}

/**
 * Ends a dynamic neighbour's session (Cease / Administrative Shutdown with `message`); the Speaker forgets a
 * dynamic neighbour once its connection is gone, and with it its routes. It may connect again.
 */
export async function dropDynamic(speaker: Speaker, address: string, message: string): Promise<void> {
  if (speaker.peer(address) === undefined) return;
  await speaker.shutdownPeer(address, message);
  try {
    if (speaker.peer(address) !== undefined) await speaker.removePeer(address);
  } catch {
    // Forgotten by the Speaker in between: nothing left to remove.
  }
}
