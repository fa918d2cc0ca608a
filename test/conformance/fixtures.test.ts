// The fixture inventory the conformance tests rely on: every capture in fixtures/pcap has tshark's dissection
// beside it (and every dissection its capture), a folder with the steps that produced it, and a row in
// fixtures/README.md; and the oracle was made by tshark 4.0, whose gaps beyond-tshark.test.ts fills by hand.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { oracleFileFor, readTsharkOracle } from '../helpers/tshark-oracle.js';

const PCAP_DIR = new URL('../../fixtures/pcap/', import.meta.url);
const files = readdirSync(PCAP_DIR);
const scenarios = files
  .filter((f) => /\.pcap(?:ng)?$/.test(f))
  .map((f) => f.replace(/\.pcap(?:ng)?$/, ''))
  .sort();
const readme = readFileSync(new URL('../README.md', PCAP_DIR), 'utf8');

t.ok(scenarios.length > 0, 'fixtures/pcap holds captures');

for (const scenario of scenarios) {
  t.test(scenario, async (t) => {
    const capture = new URL(files.includes(`${scenario}.pcap`) ? `${scenario}.pcap` : `${scenario}.pcapng`, PCAP_DIR)
      .pathname;
    const oracle = oracleFileFor(capture);
    t.ok(oracle, 'has its tshark oracle (.tshark.json or .tshark.json.gz)');
    if (oracle) t.ok(readTsharkOracle(oracle).length > 0, 'the oracle parses and shows BGP messages');
    t.ok(existsSync(new URL(`${scenario}/steps.txt`, PCAP_DIR)), `has ${scenario}/steps.txt`);
    t.ok(readme.includes(`\`${scenario}\``), 'fixtures/README.md mentions it');
  });
}

t.test('no oracle without its capture', async (t) => {
  const orphans = files
    .filter((f) => /\.tshark\.json(?:\.gz)?$/.test(f))
    .map((f) => f.replace(/\.tshark\.json(?:\.gz)?$/, ''))
    .filter((s) => !scenarios.includes(s));
  t.same(orphans, []);
});

t.test('the oracle was made by tshark 4.0 (the version whose gaps the tests fill by hand)', async (t) => {
  const versions = readFileSync(new URL('versions.txt', PCAP_DIR), 'utf8');
  t.match(versions, /^tshark\s.*\b4\.0\.\d+/m);
});
