// SPDX-License-Identifier: ISC
// The hello exchange served by node's ws, for the interop tests and the
// benchmarks.
//
// usage: node ws_server.js [--echo] [--compression] [--host ADDR]
//                           [--tls-cert FILE --tls-key FILE] PORT
//
// Listens on ADDR (default 127.0.0.1) port PORT; with --tls-cert and
// --tls-key, over https (wss://) with that PEM certificate and key. On open it sends
// "Welcome to the WebSocket server!", answers each text message M with
// "You said: " + M, and when a connection ends prints the close code the
// client sent. With --echo it sends each message back as it came
// instead, and says nothing on open. With --compression it accepts
// permessage-deflate offers, with ws's own defaults for it (which leave
// messages under 1 KiB uncompressed). Runs until killed. Needs
// NODE_PATH=/usr/share/nodejs (Debian's node-ws). CommonJS and nothing
// newer than node 18 (Debian bookworm's).
'use strict';

const fs = require('fs');
const https = require('https');
const WebSocket = require('ws');

// { echo, host, port } from the command line, or null.
function parse(args) {
  const opts = { echo: false, compression: false, host: '127.0.0.1',
    port: 0, cert: null, key: null };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--echo')
      opts.echo = true;
    else if (args[i] === '--compression')
      opts.compression = true;
    else if (args[i] === '--host' && i + 1 < args.length)
      opts.host = args[++i];
    else if (args[i] === '--tls-cert' && i + 1 < args.length)
      opts.cert = args[++i];
    else if (args[i] === '--tls-key' && i + 1 < args.length)
      opts.key = args[++i];
    else if (!opts.port && /^[0-9]+$/.test(args[i]))
      opts.port = Number(args[i]);
    else
      return null;
  }
  return opts.port && !opts.cert === !opts.key ? opts : null;
}

const opts = parse(process.argv.slice(2));
if (!opts) {
  console.error('usage: ws_server.js [--echo] [--compression] [--host ADDR] ' +
    '[--tls-cert FILE --tls-key FILE] PORT');
  process.exit(2);
}

let server;
if (opts.cert) {
  const tls = https.createServer({ cert: fs.readFileSync(opts.cert),
    key: fs.readFileSync(opts.key) });
  server = new WebSocket.Server({ server: tls,
    perMessageDeflate: opts.compression });
  tls.listen(opts.port, opts.host);
} else {
  server = new WebSocket.Server({ host: opts.host, port: opts.port,
    perMessageDeflate: opts.compression });
}
server.on('connection', (ws) => {
  if (!opts.echo)
    ws.send('Welcome to the WebSocket server!');
  ws.on('message', (data, isBinary) => {
    if (opts.echo)
      ws.send(data, { binary: isBinary });
    else if (!isBinary)
      ws.send('You said: ' + data.toString());
  });
  ws.on('close', (code) => console.log('client closed: ' + code));
});
