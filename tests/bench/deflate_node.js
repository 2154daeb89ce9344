// SPDX-License-Identifier: ISC
// node deflate_node.js FILE [PASSES]: node ws's permessage-deflate on a
// corpus of messages, in process, for tests/bench/deflate: each message
// compressed as ws's server does with compression on (its defaults,
// answering Chrome's offer: 15-bit windows, context kept) and inflated
// back by a client, one after the other. FILE holds the messages, each a
// 4-byte big-endian length and its bytes. Prints what deflate_corpus
// prints: the message count, their bytes, the payload bytes on the wire
// and the microseconds per message of each direction, the best of PASSES
// (default 5) fresh connections. Needs NODE_PATH=/usr/share/nodejs.
'use strict';

const fs = require('fs');
const path = require('path');
// Not among ws's exports, so by its path inside the package.
const PerMessageDeflate = require(path.join(path.dirname(
  require.resolve('ws')), 'lib', 'permessage-deflate.js'));

function records(buf) {
  const out = [];
  for (let off = 0; off + 4 <= buf.length;) {
    const len = buf.readUInt32BE(off);
    out.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

function call(pmd, method, data) {
  return new Promise((resolve, reject) => {
    pmd[method](data, true, (err, result) => err ? reject(err) :
      resolve(result));
  });
}

async function onePass(messages) {
  const server = new PerMessageDeflate({}, true, 0);
  const client = new PerMessageDeflate({}, false, 0);
  const agreed = server.accept([{ client_max_window_bits: [true] }]);
  const answer = {};
  for (const key of Object.keys(agreed))
    answer[key] = [agreed[key]];
  client.accept([answer]);
  let wire = 0, deflateNs = 0n, inflateNs = 0n;
  for (const m of messages) {
    let t = process.hrtime.bigint();
    const z = await call(server, 'compress', m);
    deflateNs += process.hrtime.bigint() - t;
    wire += z.length;
    t = process.hrtime.bigint();
    const back = await call(client, 'decompress', z);
    inflateNs += process.hrtime.bigint() - t;
    if (!back.equals(m))
      throw new Error('a message did not inflate back to itself');
  }
  server.cleanup();
  client.cleanup();
  return { wire, deflateNs, inflateNs };
}

async function main() {
  const [file, passArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: deflate_node.js FILE [PASSES]');
    process.exit(2);
  }
  const messages = records(fs.readFileSync(file));
  const passes = Number(passArg || 5);
  let best = null;
  for (let i = 0; i < passes; i++) {
    const p = await onePass(messages);
    if (!best || p.deflateNs + p.inflateNs < best.deflateNs + best.inflateNs)
      best = p;
  }
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  const per = (ns) => (Number(ns) / 1e3 / messages.length).toFixed(2);
  console.log(`corpus messages=${messages.length} bytes=${bytes} ` +
    `wire=${best.wire} deflate_us=${per(best.deflateNs)} ` +
    `inflate_us=${per(best.inflateNs)}`);
}

main().catch((err) => {
  console.error('deflate_node.js: ' + err.message);
  process.exit(1);
});
