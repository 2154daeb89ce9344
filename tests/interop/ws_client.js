// SPDX-License-Identifier: ISC
// node's ws (a client we did not write) against a server.
//
// usage: node ws_client.js URL hello
//        node ws_client.js URL echo SIZE
//        node ws_client.js URL fragments
//
// hello: sends "Hello, WebSocket server!" on open and prints the two
// messages received. echo: sends a text message, then SIZE random bytes
// as one binary message, and checks each comes back unchanged, with its
// type. fragments: sends a text message in two fragments cut inside a
// UTF-8 character, then a ping, and prints the echo and the pong. All
// then close with 1000 and print the server's close code and
// the extensions it accepted (ws offers permessage-deflate). Exits 1 on
// a mismatch or an error; everything is bounded by 10 s. CommonJS and
// nothing newer than node 18 (Debian bookworm's).
'use strict';

const crypto = require('crypto');
const WebSocket = require('ws');

const [url, mode, sizeArg] = process.argv.slice(2);
if (!url || !['hello', 'echo', 'fragments'].includes(mode)) {
  console.error('usage: ws_client.js URL hello|fragments | ' +
    'ws_client.js URL echo SIZE');
  process.exit(2);
}

function die(why) {
  console.error('ws_client: ' + why);
  process.exit(1);
}

const timer = setTimeout(() => die('timed out after 10 s'), 10000);
const ws = new WebSocket(url, { maxPayload: 2 * 1024 * 1024 });
const expected = []; // echo: what must come back next, in order
let received = 0; // messages and pongs: two of them end the run

function hello() {
  ws.send('Hello, WebSocket server!');
}

function echo() {
  const data = crypto.randomBytes(Number(sizeArg));
  expected.push({ data: Buffer.from('echo me'), binary: false,
    say: 'text echoed' });
  expected.push({ data: data, binary: true,
    say: 'binary echoed: ' + data.length + ' bytes, identical' });
  ws.send('echo me');
  ws.send(data);
}

function fragments() {
  const text = Buffer.from('split \u2713 here');
  const cut = text.indexOf(0x9c); // the check mark's second byte
  expected.push({ data: text, binary: false,
    say: 'fragmented text echoed: ' + text.toString() });
  ws.send(text.subarray(0, cut), { binary: false, fin: false });
  ws.send(text.subarray(cut), { binary: false, fin: true });
  ws.ping('are you there');
}

function check(data, isBinary) {
  const want = expected.shift();
  if (!want || isBinary !== want.binary || !data.equals(want.data))
    die('message ' + (received + 1) + ' came back different');
  console.log(want.say);
}

function count() {
  if (++received === 2)
    ws.close(1000);
}

ws.on('open', () => ({ hello, echo, fragments })[mode]());
ws.on('message', (data, isBinary) => {
  if (mode === 'hello')
    console.log(data.toString());
  else
    check(data, isBinary);
  count();
});
ws.on('pong', (data) => {
  console.log('pong: ' + data.toString());
  count();
});
ws.on('close', (code) => {
  clearTimeout(timer);
  if (received !== 2)
    die('closed (' + code + ') after ' + received + ' messages');
  console.log('closed: ' + code);
  console.log('extensions: ' + (ws.extensions || 'none'));
});
ws.on('error', (err) => die(err.message));
