// A tiny SIP-over-WebSocket (RFC 7118) exchange on loopback for samples/websocket/record.sh:
// `node sip_ws.js server PORT` answers like a registrar + UAS; `node sip_ws.js client PORT`
// registers and places one call (REGISTER/200, INVITE/100/180/200/ACK, BYE/200) over one
// WebSocket connection with subprotocol "sip". Client frames are masked (RFC 6455 §5.3,
// done by `ws`); the INVITE is sent as two fragments (a text frame with FIN=0 and a
// continuation frame) to exercise frame reassembly. Every message text is fixed here, so
// record.sh can write the truth from these definitions.
'use strict';
const WebSocket = require('ws');

const CALL_ID = 'ws-call-1@sipscope.invalid';
const REG_ID = 'ws-reg-1@sipscope.invalid';
const sdp = (user, port) =>
  'v=0\r\no=' + user + ' 1000 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
  'm=audio ' + port + ' RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n';

function msg(start, headers, body = '') {
  let s = start + '\r\n';
  for (const [k, v] of headers) s += k + ': ' + v + '\r\n';
  if (body) s += 'Content-Type: application/sdp\r\n';
  return s + 'Content-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body;
}

const VIA = 'SIP/2.0/WS df7jal23ls0d.invalid;branch=';
const ALICE = '<sip:alice@example.com>;tag=a73kszlfl';
const BOB = '<sip:bob@example.com>';
const BOB_TAG = BOB + ';tag=1928301774';
const CONTACT = '<sip:alice@df7jal23ls0d.invalid;transport=ws>';

// Requests keyed by what the client sends; the server answers from the request's headers.
function request(method, cseq, branch, extra = [], body = '') {
  const uri = method === 'REGISTER' ? 'sip:example.com' : 'sip:bob@example.com';
  const to = method === 'REGISTER' ? '<sip:alice@example.com>' : (method === 'INVITE' ? BOB : BOB_TAG);
  return msg(method + ' ' + uri + ' SIP/2.0', [
    ['Via', VIA + 'z9hG4bK' + branch], ['Max-Forwards', '70'], ['From', ALICE], ['To', to],
    ['Call-ID', method === 'REGISTER' ? REG_ID : CALL_ID], ['CSeq', cseq + ' ' + method],
    ...extra], body);
}

function response(req, code, reason, extra = [], body = '') {
  const get = (name) => (req.match(new RegExp('^' + name + ': (.*)$', 'm')) || [])[1];
  let to = get('To');
  if (code > 100 && !to.includes('tag=')) to += ';tag=1928301774';
  return msg('SIP/2.0 ' + code + ' ' + reason, [
    ['Via', get('Via')], ['From', get('From')], ['To', to], ['Call-ID', get('Call-ID')],
    ['CSeq', get('CSeq')], ...extra], body);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function server(port) {
  const wss = new WebSocket.Server({
    host: '127.0.0.1', port, handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('connection', (ws) => {
    ws.on('message', async (data) => {
      const req = data.toString();
      const method = req.split(' ')[0];
      if (method === 'REGISTER') {
        ws.send(response(req, 200, 'OK', [['Contact', CONTACT + ';expires=600']]));
      } else if (method === 'INVITE') {
        ws.send(response(req, 100, 'Trying'));
        await sleep(100);
        ws.send(response(req, 180, 'Ringing'));
        await sleep(300);
        ws.send(response(req, 200, 'OK',
          [['Contact', '<sip:bob@127.0.0.1;transport=ws>']], sdp('bob', 20000)));
      } else if (method === 'BYE') {
        ws.send(response(req, 200, 'OK'));
      }
    });
    ws.on('close', () => wss.close());
  });
  wss.on('listening', () => console.log('listening'));
}

async function client(port) {
  const ws = new WebSocket('ws://127.0.0.1:' + port, 'sip');
  const replies = [];
  let wake = null;
  ws.on('message', (d) => { replies.push(d.toString()); if (wake) wake(); });
  const until = async (pred) => { while (!replies.some(pred)) await new Promise((r) => { wake = r; }); };
  await new Promise((r) => ws.on('open', r));
  ws.send(request('REGISTER', 1, 'reg1', [['Contact', CONTACT], ['Expires', '600']]));
  await until((r) => r.includes('CSeq: 1 REGISTER'));
  await sleep(200);
  const invite = request('INVITE', 1, 'inv1', [['Contact', CONTACT]], sdp('alice', 10000));
  const cut = invite.indexOf('Call-ID:') + 12;  // the first fragment ends inside Call-ID
  ws.send(invite.slice(0, cut), { fin: false });
  ws.send(invite.slice(cut), { fin: true });
  await until((r) => r.startsWith('SIP/2.0 200') && r.includes('CSeq: 1 INVITE'));
  ws.send(request('ACK', 1, 'ack1'));
  await sleep(500);
  ws.send(request('BYE', 2, 'bye1'));
  await until((r) => r.includes('CSeq: 2 BYE'));
  await sleep(100);
  ws.close(1000);
}

const [mode, port] = process.argv.slice(2);
if (mode === 'server') server(Number(port));
else client(Number(port)).catch((e) => { console.error(e); process.exit(1); });
