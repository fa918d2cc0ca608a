// `tsbgpd decode` end to end: the command as a user runs it, on a real capture and on hand-made hostile ones.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpConversation, bgpMessage, pcapFile, keepalive, PSH, ACK, prng } from '../helpers/pcap-writer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'tsbgpd.ts');

function tsbgpd(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The tap process runs TypeScript through a loader; the child inherits it.
  const r = spawnSync(process.execPath, [...process.execArgv, cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-decode-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('the seed capture decodes to one JSON line per message and verifies byte-exact', async (t) => {
  const r = tsbgpd('decode', '--verify', join(root, 'fixtures/pcap/seed-announce-withdraw.pcap'));
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const summary = lines.pop() as string;
  t.match(summary, /^verify: (\d+) messages, \1 byte-exact, 0 malformed, 0 mismatched$/);
  const messages = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const m of messages) {
    t.ok(typeof m.time === 'number' && typeof m.src === 'string' && typeof m.dst === 'string' && typeof m.length === 'number');
    t.ok(['OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'].includes(m.type as string));
    if (m.type === 'UPDATE') t.ok(Array.isArray(m.announced) && Array.isArray(m.withdrawn));
  }
  const announced = messages.flatMap((m) => (m.announced as string[] | undefined) ?? []);
  t.ok(announced.includes('10.8.0.0/32') && announced.includes('10.8.0.1/32'), 'the seed prefixes are there');
  const withdrawn = messages.flatMap((m) => (m.withdrawn as string[] | undefined) ?? []);
  t.ok(withdrawn.includes('10.8.0.1/32'), 'and the withdrawal');
});

t.test('a malformed message is a line with the NOTIFICATION it draws, and decoding goes on', async (t) => {
  const c = new TcpConversation({ address: '172.30.9.1', port: 40000 }, { address: '172.30.9.2', port: 179 });
  // UPDATE whose total path attribute length overruns the message: RFC 4271 §6.3 → 3/1.
  const bad = bgpMessage(2, Uint8Array.of(0, 0, 0, 50, 0x40, 1, 1, 0));
  const packets = [...c.handshake(), c.segment('client', PSH | ACK, bad), c.segment('client', PSH | ACK, keepalive())];
  const file = join(dir, 'malformed.pcap');
  writeFileSync(file, pcapFile(packets.map((data) => ({ data })), { linkType: 101 }));
  const r = tsbgpd('decode', '--verify', file);
  t.equal(r.status, 0, 'malformed input is reported, not a failure of verification');
  const lines = r.stdout.trim().split('\n');
  const first = JSON.parse(lines[0] as string) as { error: { code: number; subcode: number; name: string } };
  t.match(first.error, { code: 3, subcode: 1, name: 'UPDATE Message Error / Malformed Attribute List' });
  t.match(JSON.parse(lines[1] as string), { type: 'KEEPALIVE' });
  t.equal(lines[2], 'verify: 2 messages, 1 byte-exact, 1 malformed, 0 mismatched');
});

t.test('hostile files never crash or hang the command', async (t) => {
  const rand = prng(7);
  for (let i = 0; i < 5; i++) {
    const junk = new Uint8Array(2000);
    for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rand() * 256);
    // A valid pcap header in front of random records, and a file that is random from the first byte.
    const file = join(dir, `junk${i}.pcap`);
    writeFileSync(file, i % 2 ? junk : Buffer.concat([Buffer.from(pcapFile([], { linkType: 1 })), junk]));
    const r = tsbgpd('decode', '--verify', file);
    t.ok(r.status === 0 || r.status === 2, `exit ${r.status}: ${r.stderr.trim().slice(0, 120)}`);
    t.notMatch(r.stderr, /at .*\(.*\.ts:\d+/, 'no stack trace');
  }
});

t.test('usage errors name the problem', async (t) => {
  const r = tsbgpd('decode', join(dir, 'does-not-exist.pcap'));
  t.equal(r.status, 2);
  t.match(r.stderr, /cannot read .*does-not-exist\.pcap/);
  const h = tsbgpd('--help');
  t.equal(h.status, 0);
  t.match(h.stdout, /decode <file>/);
});
