// SPDX-License-Identifier: ISC
// The hello exchange served by node's ws, for wsclient.
//
// usage: node ws_server.js PORT
//
// Listens on 127.0.0.1:PORT. On open it sends "Welcome to the WebSocket
// server!", answers each text message M with "You said: " + M, and when
// the connection ends prints the close code the client sent. Runs until
// killed. CommonJS and nothing newer than node 18 (Debian bookworm's).
'use strict';

const WebSocket = require('ws');

const port = Number(process.argv[2]);
if (!port) {
  console.error('usage: ws_server.js PORT');
  process.exit(2);
}

const server = new WebSocket.Server({ host: '127.0.0.1', port: port });
server.on('connection', (ws) => {
  ws.send('Welcome to the WebSocket server!');
  ws.on('message', (data, isBinary) => {
    if (!isBinary)
      ws.send('You said: ' + data.toString());
  });
  ws.on('close', (code) => console.log('client closed: ' + code));
});
