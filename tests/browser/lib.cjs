// What the browser tests share: playwright-core from the repository's node_modules (exit
// 77 = skipped when absent, scripts/install-deps.sh --test installs it), Chromium started
// offline and headless, a scratch folder, pass/fail lines, and a page watcher that records
// dialogs, network requests and script errors.
//
//   const t = lib.start('mermaid');                  // or exits 77
//   const browser = await t.launch(chromiumPath);
//   const w = lib.watch(await browser.newPage());   // w.dialogs, w.requests, w.errors
//   t.check(ok, 'what');  ...  await t.finish(browser);
//   fs.writeFileSync(f, lib.pcapFile([[tsUs, lib.frameUdp(srcIp, sport, dstIp, dport, text)]]));
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

function start(name) {
  let chromium;
  try {
    ({ chromium } = require(path.join(root, 'node_modules', 'playwright-core')));
  } catch (e) {
    console.log('SKIP: playwright-core not installed (scripts/install-deps.sh --test)');
    process.exit(77);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `sipscope-${name}-`));
  let failures = 0;
  const t = {
    root,
    work,
    check(ok, what) {
      if (ok) { console.log('ok   ' + what); } else { failures++; console.log('FAIL ' + what); }
    },
    launch(executablePath) {
      return chromium.launch({
        executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
    },
    // Closes the browser, removes the scratch folder, exits with the result.
    async finish(browser) {
      if (browser) await browser.close();
      fs.rmSync(work, { recursive: true, force: true });
      console.log(failures === 0 ? 'PASS' : `${failures} check(s) failed`);
      process.exit(failures === 0 ? 0 : 1);
    },
    crash(e) {
      console.error(e);
      fs.rmSync(work, { recursive: true, force: true });
      process.exit(1);
    },
  };
  return t;
}

function watch(page) {
  const w = { page, dialogs: 0, requests: [], errors: [] };
  page.on('dialog', (d) => { w.dialogs++; d.dismiss().catch(() => {}); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) w.requests.push(r.url()); });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  return w;
}

// Captures built from bytes: classic pcap, Ethernet, IPv4, UDP (checksum 0).
function ipv4Bytes(s) { return s.split('.').map(Number); }
function frameUdp(src, sport, dst, dport, payload) {
  const body = Buffer.from(payload, 'latin1');
  const total = 28 + body.length;
  const ip = Buffer.from([0x45, 0, total >> 8, total & 255, 0, 0, 0x40, 0, 64, 17, 0, 0,
    ...ipv4Bytes(src), ...ipv4Bytes(dst)]);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0); udp.writeUInt16BE(dport, 2); udp.writeUInt16BE(8 + body.length, 4);
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  return Buffer.concat([eth, ip, udp, body]);
}
function pcapFile(frames) {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16); head.writeUInt32LE(1, 20);
  const parts = [head];
  for (const [tsUs, data] of frames) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(tsUs / 1e6), 0); rec.writeUInt32LE(tsUs % 1e6, 4);
    rec.writeUInt32LE(data.length, 8); rec.writeUInt32LE(data.length, 12);
    parts.push(rec, data);
  }
  return Buffer.concat(parts);
}
function withLength(head, body) { return head + 'Content-Length: ' + Buffer.byteLength(body, 'latin1') + '\r\n\r\n' + body; }

// RTP packet bytes (RFC 3550 §5.1): version 2, 160 bytes of 0xff payload.
function rtpPacket(pt, seq, ts, ssrc) {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80; b[1] = pt; b.writeUInt16BE(seq & 0xffff, 2); b.writeUInt32BE(ts >>> 0, 4); b.writeUInt32BE(ssrc >>> 0, 8);
  return b.toString('latin1');
}

module.exports = { start, watch, frameUdp, pcapFile, withLength, rtpPacket };

