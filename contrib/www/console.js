// SPDX-License-Identifier: ISC
// The console page: connect to a WebSocket URL, send text messages and
// log what happens. No framework and no build step. Received text is
// shown with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let socket = null;

// The server the page came from (wsinetd --console or --static answers
// on its WebSocket's own port), wss:// when the page came over https;
// opened as a file, ws://localhost:8080/ (the ws-echo.socket unit's).
function defaultUrl() {
	const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
	if (location.protocol === 'http:' || location.protocol === 'https:')
		return scheme + '://' + location.host + '/';
	return 'ws://localhost:8080/';
}

function log(kind, text) {
	const item = document.createElement('li');
	item.className = kind;
	item.textContent = text;
	$('log').append(item);
	item.scrollIntoView({ block: 'nearest' });
}

// One place decides which controls work in which state; the body's
// data-state lets styles (and tests) see it.
function setState(state, text) {
	const live = state === 'connecting' || state === 'open';
	document.body.dataset.state = state;
	$('status').textContent = text;
	$('connect').disabled = live;
	$('url').disabled = live;
	$('disconnect').disabled = !live;
	$('message').disabled = state !== 'open';
	$('send').disabled = state !== 'open';
}

function send(text) {
	socket.send(text);
	log('sent', 'sent: ' + text);
}

function describeClose(ev) {
	let text = 'closed: ' + ev.code;
	if (ev.reason)
		text += ' "' + ev.reason + '"';
	return text + (ev.wasClean ? ', clean' : ', not clean');
}

function connect(url) {
	try {
		socket = new WebSocket(url);
	} catch (err) {
		log('error', 'cannot connect: ' + err.message);
		return;
	}
	log('info', 'connecting to ' + url);
	setState('connecting', 'Connecting to ' + url + ' …');
	socket.binaryType = 'arraybuffer';
	socket.onopen = () => {
		const agreed = 'extensions: ' + (socket.extensions || 'none') +
		    ', subprotocol: ' + (socket.protocol || 'none');
		setState('open', 'Connected to ' + url + ' (' + agreed + ').');
		log('info', 'open, ' + agreed);
		for (const text of params.getAll('send'))
			send(text);
	};
	socket.onmessage = (ev) => {
		if (typeof ev.data === 'string')
			log('received', 'received: ' + ev.data);
		else
			log('received', 'received: binary, ' +
			    ev.data.byteLength + ' bytes');
	};
	socket.onerror = () => log('error', 'error: the connection failed');
	socket.onclose = (ev) => {
		log(ev.wasClean ? 'info' : 'error', describeClose(ev));
		setState('closed', 'Not connected (last close: ' + ev.code + ').');
		socket = null;
	};
}

$('connect-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	connect($('url').value.trim());
});

$('disconnect').addEventListener('click', () => {
	if (socket)
		socket.close(1000, 'bye');
});

$('send-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	if (socket && socket.readyState === WebSocket.OPEN)
		send($('message').value);
});

$('clear').addEventListener('click', () => $('log').replaceChildren());

$('url').value = params.get('url') || defaultUrl();
setState('idle', 'Not connected.');
if (params.get('autoconnect') === '1')
	connect($('url').value);
