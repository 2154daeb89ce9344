// SPDX-License-Identifier: ISC
// The hello exchange (or echo) on node's ws library:
// `node ws_server.js hello|echo HOST PORT`, with NODE_PATH=/usr/share/nodejs.
'use strict';
const WebSocket = require('ws');

const [mode, host, port] = process.argv.slice(2);
const server = new WebSocket.Server({ host, port: Number(port) });
server.on('connection', (ws) => {
	if (mode === 'hello')
		ws.send('Welcome to the WebSocket server!');
	ws.on('message', (data, isBinary) => {
		if (mode === 'hello')
			ws.send('You said: ' + data.toString());
		else
			ws.send(data, { binary: isBinary });
	});
});
