#!/usr/bin/env node
// The peer for the "why not pcap-parser" note: pcap-parser counting the packets of a classic pcap
// (it reads nothing else: no nanosecond files, no pcapng). `node bench/pcap-parser-count.mjs FILE`
import pcapParser from 'pcap-parser';

const file = process.argv[2];
let packets = 0;
const parser = pcapParser.parse(file);
parser.on('packet', () => packets++);
parser.on('end', () => console.log(`${packets} packets`));
parser.on('error', (err) => {
  console.error(`pcap-parser: ${err.message}`);
  process.exit(1);
});
