// Prometheus text exposition (format 0.0.4): HELP and TYPE once per family, label escaping, merging and the
// errors, the speaker and allocator collectors under MetalLB's names, and the /metrics listener.
import t from 'tap';
import { request as httpRequest } from 'node:http';
import { Speaker } from '../../lib/speaker/index.js';
import { errors, CeaseError } from '../../lib/wire/index.js';
import {
  EXPOSITION_CONTENT_TYPE,
  Histogram,
  MetricsRegistry,
  MetricsServer,
  allocatorMetrics,
  processMetrics,
  renderExposition,
  speakerMetrics,
} from '../../lib/api/index.js';

t.test('families, samples, label escaping and special values', async (t) => {
  const text = renderExposition([
    { name: 'demo_total', help: 'A counter\nwith a back\\slash', type: 'counter', samples: [{ value: 3 }] },
    {
      name: 'demo_gauge',
      help: 'A gauge',
      type: 'gauge',
      samples: [
        { labels: { peer: '10.0.0.1:179', note: 'say "hi"\\\n' }, value: 1.5 },
        { labels: {}, value: NaN },
        { value: Infinity },
        { value: -Infinity },
      ],
    },
    { name: 'demo_empty', help: 'Nothing yet', type: 'gauge', samples: [] },
  ]);
  t.equal(
    text,
    [
      '# HELP demo_total A counter\\nwith a back\\\\slash',
      '# TYPE demo_total counter',
      'demo_total 3',
      '# HELP demo_gauge A gauge',
      '# TYPE demo_gauge gauge',
      'demo_gauge{peer="10.0.0.1:179",note="say \\"hi\\"\\\\\\n"} 1.5',
      'demo_gauge NaN',
      'demo_gauge +Inf',
      'demo_gauge -Inf',
      '# HELP demo_empty Nothing yet',
      '# TYPE demo_empty gauge',
      '',
    ].join('\n'),
  );
});

t.test('same-name families merge; conflicting types and bad names are errors', async (t) => {
  const merged = renderExposition([
    { name: 'x', help: 'h', type: 'gauge', samples: [{ labels: { a: '1' }, value: 1 }] },
    { name: 'x', help: 'h', type: 'gauge', samples: [{ labels: { a: '2' }, value: 2 }] },
  ]);
  t.equal(merged, '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="2"} 2\n', 'one HELP/TYPE for both');
  t.throws(() => renderExposition([{ name: 'x', help: '', type: 'gauge', samples: [] }, { name: 'x', help: '', type: 'counter', samples: [] }]), /gauge and counter/);
  t.throws(() => renderExposition([{ name: '1bad', help: '', type: 'gauge', samples: [] }]), /invalid metric name/);
  t.throws(() => renderExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }]), /invalid label name/);
  t.throws(() => renderExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'v' }, value: 1 }] }]), /invalid label name/);
});

t.test('the registry: named collectors, read at every scrape, removable', async (t) => {
  const registry = new MetricsRegistry();
  let pools = [{ pool: 'default', inUse: 1, total: 254 }];
  const remove = registry.register('allocator', allocatorMetrics(() => pools));
  t.throws(() => registry.register('allocator', () => []), /already registered/);
  t.ok(registry.render().includes('metallb_allocator_addresses_in_use_total{pool="default"} 1\n'));
  pools = [{ pool: 'default', inUse: 7, total: 254 }, { pool: 'v6', inUse: 0, total: 65536 }];
  const text = registry.render();
  t.ok(text.includes('# TYPE metallb_allocator_addresses_in_use_total gauge\n'));
  t.ok(text.includes('metallb_allocator_addresses_in_use_total{pool="default"} 7\n'), 'read at scrape time');
  t.ok(text.includes('metallb_allocator_addresses_total{pool="v6"} 65536\n'));
  remove();
  t.equal(registry.render(), '');
});

t.test('the speaker collector: MetalLB names and tsbgpd counters for a configured peer', async (t) => {
  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  speaker.addPeer({ address: '127.0.0.2', remoteAs: 65001 });
  speaker.addPeer({ address: '::1', port: 1179, remoteAs: 65002 });
  speaker.announce('10.8.0.0/32');
  const m = speakerMetrics(speaker);
  speaker.emit('notificationSent', '127.0.0.2', errors.cease(CeaseError.AdministrativeReset));
  speaker.emit('notificationSent', '127.0.0.2', errors.cease(CeaseError.AdministrativeReset));
  speaker.emit('notificationReceived', '::1', { type: 3, code: 4, subcode: 0, data: new Uint8Array() });
  const text = renderExposition(m.collect());
  for (const line of [
    '# HELP metallb_bgp_session_up BGP session state (1 is up, 0 is down)',
    '# TYPE metallb_bgp_session_up gauge',
    'metallb_bgp_session_up{peer="127.0.0.2:179"} 0',
    'metallb_bgp_session_up{peer="[::1]:1179"} 0',
    '# TYPE metallb_bgp_updates_total counter',
    'metallb_bgp_updates_total{peer="127.0.0.2:179"} 0',
    '# HELP metallb_bgp_announced_prefixes_total Number of prefixes currently being advertised on the BGP session',
    'metallb_bgp_announced_prefixes_total{peer="127.0.0.2:179"} 0',
    'tsbgpd_bgp_messages_total{peer="127.0.0.2:179",direction="sent",type="open"} 0',
    'tsbgpd_bgp_messages_total{peer="[::1]:1179",direction="received",type="route_refresh"} 0',
    'tsbgpd_bgp_notifications_total{peer="127.0.0.2:179",direction="sent",code="6",subcode="4"} 2',
    'tsbgpd_bgp_notifications_total{peer="[::1]:1179",direction="received",code="4",subcode="0"} 1',
    'tsbgpd_peer_prefixes{peer="127.0.0.2:179",kind="accepted"} 0',
    '# TYPE tsbgpd_rib_prefixes gauge',
    'tsbgpd_rib_prefixes 1',
  ]) {
    t.ok(text.includes(`${line}\n`), line);
  }
  t.ok(text.includes('# TYPE tsbgpd_bgp_update_propagation_seconds histogram\n'));
  t.ok(text.includes('tsbgpd_bgp_update_propagation_seconds_bucket{peer="127.0.0.2:179",le="+Inf"} 0\n'), 'a series per peer from the start');
  t.equal(text.match(/^# TYPE /gm)?.length, 9, 'nine families');
  speaker.emit('updatesPropagated', '127.0.0.2', 0.003);
  speaker.emit('updatesPropagated', '127.0.0.2', 0.2);
  const after = renderExposition(m.collect());
  for (const line of [
    'tsbgpd_bgp_update_propagation_seconds_bucket{peer="127.0.0.2:179",le="0.0025"} 0',
    'tsbgpd_bgp_update_propagation_seconds_bucket{peer="127.0.0.2:179",le="0.005"} 1',
    'tsbgpd_bgp_update_propagation_seconds_bucket{peer="127.0.0.2:179",le="0.25"} 2',
    'tsbgpd_bgp_update_propagation_seconds_bucket{peer="127.0.0.2:179",le="+Inf"} 2',
    'tsbgpd_bgp_update_propagation_seconds_sum{peer="127.0.0.2:179"} 0.203',
    'tsbgpd_bgp_update_propagation_seconds_count{peer="127.0.0.2:179"} 2',
    'tsbgpd_bgp_update_propagation_seconds_count{peer="[::1]:1179"} 0',
  ]) {
    t.ok(after.includes(`${line}\n`), line);
  }

  // A removed peer's counts go; after dispose, events are no longer counted.
  await speaker.removePeer('127.0.0.2');
  t.notOk(renderExposition(m.collect()).includes('127.0.0.2'), 'removed peer dropped');
  m.dispose();
  speaker.emit('notificationReceived', '::1', { type: 3, code: 4, subcode: 0, data: new Uint8Array() });
  t.ok(renderExposition(m.collect()).includes('tsbgpd_bgp_notifications_total{peer="[::1]:1179",direction="received",code="4",subcode="0"} 1\n'));
});

t.test('a histogram: cumulative buckets, +Inf, sum and count; bounds must ascend', async (t) => {
  const h = new Histogram([0.1, 1, 10]);
  for (const v of [0.05, 0.1, 0.5, 20]) h.observe(v);
  t.equal(h.count, 4);
  t.equal(
    renderExposition([{ name: 'lat_seconds', help: 'Latency', type: 'histogram', samples: h.samples({ peer: 'p' }) }]),
    [
      '# HELP lat_seconds Latency',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{peer="p",le="0.1"} 2',
      'lat_seconds_bucket{peer="p",le="1"} 3',
      'lat_seconds_bucket{peer="p",le="10"} 3',
      'lat_seconds_bucket{peer="p",le="+Inf"} 4',
      'lat_seconds_sum{peer="p"} 20.65',
      'lat_seconds_count{peer="p"} 4',
      '',
    ].join('\n'),
  );
  t.throws(() => new Histogram([1, 1]), /ascend/);
});

t.test('process metrics', async (t) => {
  const text = renderExposition(processMetrics()());
  t.match(text, /^process_cpu_seconds_total \d+(\.\d+)?(e-\d+)?$/m);
  t.match(text, /^process_resident_memory_bytes [1-9]\d*$/m);
  const start = Number(/^process_start_time_seconds (\d+)$/m.exec(text)?.[1]);
  t.ok(Math.abs(start - Date.now() / 1000) < 3600, 'start time near now');
});

t.test('the /metrics listener: 127.0.0.1 by default rules, text format, 404 and 405', async (t) => {
  const registry = new MetricsRegistry();
  registry.register('demo', () => [{ name: 'demo_up', help: 'Up', type: 'gauge', samples: [{ value: 1 }] }]);
  await t.rejects(new MetricsServer({ registry, endpoint: { host: '0.0.0.0', port: 0 } }).listen(), /not a loopback address/);
  const server = new MetricsServer({ registry, endpoint: { host: '127.0.0.1', port: 0 } });
  const endpoint = await server.listen();
  t.teardown(() => server.close());
  const port = (endpoint as { port: number }).port;
  const get = (method: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end();
    });
  const ok = await get('GET', '/metrics');
  t.equal(ok.status, 200);
  t.equal(ok.type, EXPOSITION_CONTENT_TYPE);
  t.equal(ok.body, '# HELP demo_up Up\n# TYPE demo_up gauge\ndemo_up 1\n');
  t.equal((await get('GET', '/')).status, 404);
  t.equal((await get('POST', '/metrics')).status, 405);

  registry.register('broken', () => [{ name: 'demo_up', help: 'Up', type: 'counter', samples: [] }]);
  const broken = await get('GET', '/metrics');
  t.equal(broken.status, 500, 'a collector conflict is a server error, not a half-written exposition');
  t.match(JSON.parse(broken.body), { error: /gauge and counter/ });
});
