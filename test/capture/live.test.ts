// A real capture: tcpdump (pcap, lo) and dumpcap (pcapng, any) in a throwaway network namespace record a tiny
// Node TCP server and client on port 179 exchanging hand-made BGP-framed messages over IPv4 and IPv6 loopback.
// Needs root, `ip netns` and tcpdump; skipped otherwise. Traffic never leaves the namespace's loopback.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readBgpCapture, type CaptureEvent } from '../../lib/capture/index.js';
import { bgpMessage, concat, keepalive, update } from '../helpers/pcap-writer.js';

const TCPDUMP = '/usr/bin/tcpdump';
const DUMPCAP = '/usr/bin/dumpcap';
const TSHARK = '/usr/bin/tshark';
const hasIp = spawnSync('ip', ['netns', 'list']).status === 0;
const skip =
  process.getuid?.() !== 0 ? 'needs root' : !existsSync(TCPDUMP) ? 'needs tcpdump' : !hasIp ? 'needs ip netns' : false;

/** The traffic each side writes, chunk by chunk (each chunk one write(), a few ms apart). */
const open = bgpMessage(1, Uint8Array.of(4, 0xfd, 0xe8, 0, 90, 10, 0, 0, 1, 0));
const big = update(9000, 0x5a); // sent in three writes, so it spans segments
const serverChunks = [
  concat(open, keepalive()),
  big.subarray(0, 3000),
  big.subarray(3000, 6001),
  big.subarray(6001),
  keepalive(),
];
const clientChunks = [open, concat(...Array.from({ length: 50 }, (_, i) => update(20 + i, i))), keepalive()];
const serverMessages = [open, keepalive(), big, keepalive()];
const clientMessages = [open, ...Array.from({ length: 50 }, (_, i) => update(20 + i, i)), keepalive()];

const peerScript = `
const net = require('node:net');
const plan = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const chunks = (list) => list.map((h) => Buffer.from(h, 'hex'));
const total = (list) => list.reduce((n, b) => n + b.length, 0);
function send(socket, list, done) {
  let i = 0;
  const next = () => (i < list.length ? socket.write(list[i++], () => setTimeout(next, 5)) : done());
  next();
}
async function exchange(host) {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    send(s, chunks(plan.server), () => {});
    s.on('data', () => {});
    s.on('end', () => s.end());
  });
  await new Promise((resolve) => server.listen(179, host, resolve));
  await new Promise((resolve, reject) => {
    const client = net.connect(179, host, () => {
      client.setNoDelay(true);
      let received = 0;
      let sent = false;
      const expected = total(chunks(plan.server));
      const maybeEnd = () => { if (sent && received >= expected) client.end(); };
      client.on('data', (d) => { received += d.length; maybeEnd(); });
      send(client, chunks(plan.client), () => { sent = true; maybeEnd(); });
    });
    client.on('close', resolve);
    client.on('error', reject);
  });
  await new Promise((resolve) => server.close(resolve));
}
(async () => { for (const host of plan.hosts) await exchange(host); })().then(
  () => process.exit(0),
  (e) => { console.error(e); process.exit(1); },
);
setTimeout(() => { console.error('peer timeout'); process.exit(2); }, 15000).unref();
`;

/**
 * Starts a capture tool (recording it in `started` at once, so teardown stops it even if it never gets ready) and
 * resolves once it reports that it is capturing.
 */
function startCapture(ns: string, argv: string[], ready: RegExp, started: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start: ${stderr}`)), 10000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]} exited ${code}: ${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT'); // lets tcpdump/dumpcap flush and close the file
  });
}

function messagesByStream(events: readonly CaptureEvent[]): Map<string, number[][]> {
  const out = new Map<string, number[][]>();
  for (const e of events) if (e.kind === 'message') out.set(e.stream, [...(out.get(e.stream) ?? []), [...e.bytes]]);
  return out;
}

t.test('real captures of BGP-framed traffic on loopback', { skip }, async (t) => {
  const ns = `capt${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-capture-'));
  const captures: ChildProcess[] = [];
  t.teardown(async () => {
    for (const child of captures) await stop(child);
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });
  t.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0, 'namespace created');
  t.equal(spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']).status, 0, 'lo up');

  const pcapPath = join(dir, 'lo.pcap');
  await startCapture(
    ns,
    [
      TCPDUMP,
      '--immediate-mode', // else packets still in the TPACKET_V3 ring are lost when it is stopped
      '-Z',
      'root', // the capture directory is private to root
      '-i',
      'lo',
      '-U',
      '-n',
      '-w',
      pcapPath,
      'tcp port 179',
    ],
    /listening on/,
    captures,
  );
  const pcapngPath = join(dir, 'any.pcapng');
  const haveDumpcap = existsSync(DUMPCAP);
  if (haveDumpcap) {
    const argv = [DUMPCAP, '-i', 'any', '-q', '-w', pcapngPath, '-f', 'tcp port 179'];
    await startCapture(ns, argv, /Capturing on/, captures);
  }

  const hex = (chunks: Uint8Array[]): string[] => chunks.map((c) => Buffer.from(c).toString('hex'));
  const planPath = join(dir, 'plan.json');
  const plan = { hosts: ['127.0.0.1', '::1'], server: hex(serverChunks), client: hex(clientChunks) };
  writeFileSync(planPath, JSON.stringify(plan));
  const scriptPath = join(dir, 'peer.cjs');
  writeFileSync(scriptPath, peerScript);
  const peer = spawnSync('ip', ['netns', 'exec', ns, process.execPath, scriptPath, planPath], {
    encoding: 'utf8',
    timeout: 30000,
  });
  t.equal(peer.status, 0, `peer script: ${peer.stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const child of captures) await stop(child);

  const files: [string, string][] = [['tcpdump -i lo (pcap, Ethernet)', pcapPath]];
  if (haveDumpcap) files.push(['dumpcap -i any (pcapng, Linux cooked)', pcapngPath]);
  for (const [label, path] of files) {
    const file = readFileSync(path);
    const events = [...readBgpCapture(file)];
    t.same(events.filter((e) => e.kind !== 'message'), [], `${label}: no gaps or junk`);
    const streams = messagesByStream(events);
    for (const [client, server] of [
      ['127.0.0.1', '127.0.0.1'],
      ['[::1]', '[::1]'],
    ] as const) {
      const fromServer = [...streams].find(([s]) => s.startsWith(`${server}:179>${client}:`));
      const fromClient = [...streams].find(([s]) => s.startsWith(`${client}:`) && s.endsWith(`>${server}:179`));
      t.same(fromServer?.[1], serverMessages.map((m) => [...m]), `${label}: ${server} server → client`);
      t.same(fromClient?.[1], clientMessages.map((m) => [...m]), `${label}: ${client} client → server`);
    }
    if (existsSync(TSHARK)) {
      // tshark's own reassembly as an oracle: the frame completing each message, and its length.
      const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'bgp.length', '-E', 'aggregator=,'];
      const oracle = spawnSync(TSHARK, ['-r', path, '-Y', 'bgp', ...fields], { encoding: 'utf8' });
      const expected = oracle.stdout
        .trim()
        .split('\n')
        .flatMap((line) => {
          const [frame = '', lengths = ''] = line.split('\t');
          return lengths.split(',').map((l) => [Number(frame), Number(l)]);
        });
      const got = events.map((e) => [e.frame, e.kind === 'message' ? e.bytes.length : 0]);
      t.same(got, expected, `${label}: frames and lengths agree with tshark`);
    }
  }
});
