// Layout of the HTML report (issue 14 point 5) in real headless Chromium at a 1280 px wide
// window: for ladders of two, three and four lanes (a B2BUA call built here with a proxy
// on the second leg, long URIs, a long reason phrase, several messages in one
// millisecond, RTP both ways on both legs, a hold and a resume; and generator scenarios)
// no two text boxes of a drawing intersect (getBoundingClientRect of every <text>), none
// sticks out of its drawing, and the page does not scroll sideways
// (document.documentElement.scrollWidth <= 1280). The built call's page also shows every
// SDP it carried, the MOS and what limits it per stream, the diagnostics, and the same
// numbers in the same units as `show --format json`.
//
//   node tests/browser/layout_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]
// Exit status 0 pass, 1 fail, 77 skipped (playwright-core not installed).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const lib = require('./lib.cjs');

const t = lib.start('layout');
const { work, check } = t;
const [exe, gen] = [process.argv[2], process.argv[3]];
const browserPath = process.argv[4] || '/usr/bin/chromium';
if (!exe || !fs.existsSync(exe) || !gen || !fs.existsSync(gen)) {
  console.error('usage: layout_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]');
  process.exit(1);
}
const run = (args) => execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

// --- the B2BUA call: A -> B (leg 1), B -> P -> C (leg 2, X-Call-ID naming leg 1) ---
const A = '198.18.1.10', B = '198.18.2.20', P = '198.18.3.30', C = '198.18.4.40';
const longUser = '+4940987654321-extension-with-a-really-long-user-part-for-testing';
const longHost = 'very-long-subdomain.carrier-interconnect.example.test';
const leg1 = 'leg1-7f3a9c2e41d84b6a9e0f12c3d4e5f607@pbx-a.example.test';
const leg2 = 'leg2-0a1b2c3d4e5f60718293a4b5c6d7e8f9@b2bua.example.test';
const reason183 = 'Session Progress - announcement playing while the far end is located through the interconnect';
let sdpVersion = 0;
const sdpMessages = [];  // the o= line of every SDP sent, to find each on the page
function sdp(ip, port, direction) {
  const o = `o=- 4711 ${++sdpVersion} IN IP4 ${ip}`;
  sdpMessages.push(o);
  return `v=0\r\n${o}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\n` +
    `a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=${direction || 'sendrecv'}\r\n`;
}
function msg(start, { callId, cseq, from, to, via, extra, body }) {
  let head = start + '\r\n' + via.map((v) => `Via: SIP/2.0/UDP ${v}\r\n`).join('') +
    `From: "Erika Mustermann" <sip:+4930123456789@pbx-a.example.test>;tag=${from}\r\n` +
    `To: <sip:${longUser}@${longHost};user=phone>${to ? ';tag=' + to : ''}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${cseq}\r\n` + (extra || '');
  if (body) head += 'Content-Type: application/sdp\r\n';
  return lib.withLength(head, body || '');
}
const uri = `sip:${longUser}@${longHost};user=phone`;
const v1 = [`${A}:5060;branch=z9hG4bKa1`];
const v2 = [`${B}:5060;branch=z9hG4bKb1`];
const v2p = [`${P}:5060;branch=z9hG4bKp1`, ...v2];
const l1 = (cseq, o) => ({ callId: leg1, cseq, from: 'a1', to: o.noTag ? null : 'b1', via: o.via || v1, ...o });
const l2 = (cseq, o) => ({ callId: leg2, cseq, from: 'b2', to: o.noTag ? null : 'c2', via: o.via || v2, ...o });
const x = { extra: `X-Call-ID: ${leg1}\r\n` };
const sip = [  // [ms, src, dst, text]
  [0, A, B, msg(`INVITE ${uri} SIP/2.0`, l1('1 INVITE', { noTag: true, body: sdp(A, 40000) }))],
  [0.1, B, A, msg('SIP/2.0 100 Trying', l1('1 INVITE', { noTag: true }))],
  [0.2, B, P, msg(`INVITE ${uri} SIP/2.0`, l2('1 INVITE', { noTag: true, body: sdp(B, 52000), ...x }))],
  [0.3, P, B, msg('SIP/2.0 100 Trying', l2('1 INVITE', { noTag: true }))],
  [0.4, P, C, msg(`INVITE ${uri} SIP/2.0`, l2('1 INVITE', { noTag: true, via: v2p, body: sdp(B, 52000), ...x }))],
  [0.5, C, P, msg('SIP/2.0 100 Trying', l2('1 INVITE', { noTag: true, via: v2p }))],
  [1.0, C, P, msg('SIP/2.0 180 Ringing', l2('1 INVITE', { via: v2p }))],
  [1.1, P, B, msg('SIP/2.0 180 Ringing', l2('1 INVITE', {}))],
  [1.2, B, A, msg('SIP/2.0 183 ' + reason183, l1('1 INVITE', { body: sdp(B, 50000) }))],
  [1000, C, P, msg('SIP/2.0 200 OK', l2('1 INVITE', { via: v2p, body: sdp(C, 60000) }))],
  [1000.1, P, B, msg('SIP/2.0 200 OK', l2('1 INVITE', { body: sdp(C, 60000) }))],
  [1000.2, B, P, msg(`ACK sip:c@${C}:5060 SIP/2.0`, l2('1 ACK', { via: [`${B}:5060;branch=z9hG4bKb2`] }))],
  [1000.3, P, C, msg(`ACK sip:c@${C}:5060 SIP/2.0`, l2('1 ACK', { via: [`${P}:5060;branch=z9hG4bKp2`, `${B}:5060;branch=z9hG4bKb2`] }))],
  [1000.4, B, A, msg('SIP/2.0 200 OK', l1('1 INVITE', { body: sdp(B, 50000) }))],
  [1010, A, B, msg(`ACK sip:b@${B}:5060 SIP/2.0`, l1('1 ACK', { via: [`${A}:5060;branch=z9hG4bKa2`] }))],
  [2000, A, B, msg(`INVITE sip:b@${B}:5060 SIP/2.0`, l1('2 INVITE', { via: [`${A}:5060;branch=z9hG4bKa3`], body: sdp(A, 40000, 'sendonly') }))],
  [2010, B, A, msg('SIP/2.0 200 OK', l1('2 INVITE', { via: [`${A}:5060;branch=z9hG4bKa3`], body: sdp(B, 50000, 'recvonly') }))],
  [2020, A, B, msg(`ACK sip:b@${B}:5060 SIP/2.0`, l1('2 ACK', { via: [`${A}:5060;branch=z9hG4bKa4`] }))],
  [2500, A, B, msg(`INVITE sip:b@${B}:5060 SIP/2.0`, l1('3 INVITE', { via: [`${A}:5060;branch=z9hG4bKa5`], body: sdp(A, 40000) }))],
  [2510, B, A, msg('SIP/2.0 200 OK', l1('3 INVITE', { via: [`${A}:5060;branch=z9hG4bKa5`], body: sdp(B, 50000) }))],
  [2520, A, B, msg(`ACK sip:b@${B}:5060 SIP/2.0`, l1('3 ACK', { via: [`${A}:5060;branch=z9hG4bKa6`] }))],
  [3100, A, B, msg(`BYE sip:b@${B}:5060 SIP/2.0`, l1('4 BYE', { via: [`${A}:5060;branch=z9hG4bKa7`] }))],
  [3100.1, B, A, msg('SIP/2.0 200 OK', l1('4 BYE', { via: [`${A}:5060;branch=z9hG4bKa7`] }))],
  [3100.2, B, P, msg(`BYE sip:c@${C}:5060 SIP/2.0`, l2('2 BYE', { via: [`${B}:5060;branch=z9hG4bKb3`] }))],
  [3100.3, P, C, msg(`BYE sip:c@${C}:5060 SIP/2.0`, l2('2 BYE', { via: [`${P}:5060;branch=z9hG4bKp3`, `${B}:5060;branch=z9hG4bKb3`] }))],
  [3100.4, C, P, msg('SIP/2.0 200 OK', l2('2 BYE', { via: [`${P}:5060;branch=z9hG4bKp3`, `${B}:5060;branch=z9hG4bKb3`] }))],
  [3100.5, P, B, msg('SIP/2.0 200 OK', l2('2 BYE', { via: [`${B}:5060;branch=z9hG4bKb3`] }))],
];
const t0 = 1767261600000000;
const frames = sip.map(([ms, s, d, text]) => [t0 + Math.round(ms * 1000), lib.frameUdp(s, 5060, d, 5060, text)]);
// RTP, 100 packets each way on each leg (PCMU, 20 ms). B -> A loses 10 of them (every
// 10th): 10 % loss, so that stream's MOS is limited by loss (docs/media.md).
const rtp = [[A, 40000, B, 50000, 0x1111, -1], [B, 50000, A, 40000, 0x2222, 5],
  [B, 52000, C, 60000, 0x3333, -1], [C, 60000, B, 52000, 0x4444, -1]];
rtp.forEach(([s, sp, d, dp, ssrc, lose], k) => {
  for (let n = 0; n < 100; n++) {
    if (n % 10 === lose) continue;
    frames.push([t0 + 1020000 + n * 20000 + k * 1000,
      lib.frameUdp(s, sp, d, dp, lib.rtpPacket(0, n, n * 160, ssrc))]);
  }
});
frames.sort((p, q) => p[0] - q[0]);

// Geometry of the page as the browser laid it out.
function measure() {
  const boxes = (el) => { const r = el.getBoundingClientRect(); return { l: r.left, r: r.right, t: r.top, b: r.bottom }; };
  const out = { scrollWidth: document.documentElement.scrollWidth, overlaps: [], outside: [], wraps: [] };
  document.querySelectorAll('svg').forEach((svg, si) => {
    const frame = boxes(svg);
    const texts = Array.from(svg.querySelectorAll('text')).map((el) => ({ el, box: boxes(el) }))
      .filter((x) => x.box.r > x.box.l);
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i].box;
      if (a.l < frame.l - 1 || a.r > frame.r + 1 || a.t < frame.t - 1 || a.b > frame.b + 1) {
        out.outside.push(`svg ${si}: "${texts[i].el.textContent.slice(0, 40)}"`);
      }
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j].box;
        const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
        const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
        if (w > 0.5 && h > 0.5) {
          out.overlaps.push(`svg ${si}: "${texts[i].el.textContent.slice(0, 40)}" / "${texts[j].el.textContent.slice(0, 40)}"`);
        }
      }
    }
  });
  document.querySelectorAll('.svgwrap').forEach((w) => {
    if (w.scrollWidth > w.clientWidth + 1) out.wraps.push(`${w.scrollWidth} > ${w.clientWidth}`);
  });
  out.lanes = Array.from(document.querySelectorAll('svg.ladder')).map((s) => s.querySelectorAll('.lane, .mlane').length);
  return out;
}

(async () => {
  const pages = [];  // [name, html file, expected lanes or null]
  const built = path.join(work, 'b2bua.pcap');
  fs.writeFileSync(built, lib.pcapFile(frames));
  const db = path.join(work, 'b2bua.db');
  run(['analyze', built, '--db', db]);
  const calls = JSON.parse(run(['calls', '--db', db, '--format', 'json']));
  const list = Array.isArray(calls) ? calls : calls.calls;
  const id1 = String(list.find((c) => c.sip_call_id === leg1).id);
  const id2 = String(list.find((c) => c.sip_call_id === leg2).id);
  for (const [name, args, lanes] of [['two lanes (leg 1)', [id1], 2], ['three lanes (leg 2)', [id2], 3],
    ['four lanes (both legs)', [id1, '--legs'], 4]]) {
    const file = path.join(work, `b2bua-${pages.length}.html`);
    run(['report', '--db', db, ...args, '-o', file]);
    pages.push([name, file, lanes]);
  }
  for (const scenario of ['basic', 'proxy', 'b2bua_xcallid', 'hostile', 'media_impair', 'hold_resume']) {
    const pcap = path.join(work, `${scenario}.pcap`);
    execFileSync(gen, ['scenario', scenario, '-o', pcap], { stdio: 'ignore' });
    const sdb = path.join(work, `${scenario}.db`);
    run(['analyze', pcap, '--db', sdb]);
    const ids = JSON.parse(run(['calls', '--db', sdb, '--format', 'json'])).map((c) => String(c.id)).slice(0, 6);
    const file = path.join(work, `${scenario}.html`);
    run(['report', '--db', sdb, ...ids, '--legs', '-o', file]);
    pages.push([scenario, file, null]);
  }

  // Third-party captures (../shared/corpus when present): real URIs, reason phrases, legs.
  const corpus = path.join(t.root, '..', 'shared', 'corpus', 'pcaps');
  for (const name of ['sngrep_aaa.pcap', 'voipshark_SIP-RTP-Normal_Call_two_parties.pcap',
    'heplify_rtp_rtcp_sip.pcap', 'asterisk-testsuite_CARRIER_G711U.pcap',
    'zeek_sip-long-request-response-paths.pcap', 'heplify_sip_ipv6.pcap', 'sipp_dtmf_2833_1.pcap']) {
    const pcap = path.join(corpus, name);
    if (!fs.existsSync(pcap)) { console.log(`skip ${name}: no corpus`); continue; }
    const cdb = path.join(work, `${name}.db`);
    run(['analyze', pcap, '--db', cdb]);
    const ids = JSON.parse(run(['calls', '--db', cdb, '--format', 'json'])).map((c) => String(c.id)).slice(0, 6);
    if (ids.length === 0) continue;
    const file = path.join(work, `${name}.html`);
    run(['report', '--db', cdb, ...ids, '--legs', '-o', file]);
    pages.push([name, file, null]);
  }

  const browser = await t.launch(browserPath);
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [name, file, lanes] of pages) {
      await tab.goto('file://' + file);
      const m = await tab.evaluate(measure);
      if (lanes) check(m.lanes[0] === lanes, `${name}: ${lanes} lanes (${m.lanes[0]})`);
      check(m.scrollWidth <= 1280, `${name}: fits 1280 px (scrollWidth ${m.scrollWidth})`);
      check(m.overlaps.length === 0, `${name}: no two text boxes intersect (${m.overlaps.slice(0, 3).join('; ')})`);
      check(m.outside.length === 0, `${name}: no text outside its drawing (${m.outside.slice(0, 3).join('; ')})`);
      check(m.wraps.length === 0, `${name}: no ladder scrolls sideways (${m.wraps.join('; ')})`);
    }

    // Content of the four-lane page: every SDP, MOS and its reason per stream, diagnostics,
    // and the numbers of `show --format json` in the same units.
    await tab.goto('file://' + pages[2][1]);
    const page = await tab.evaluate(() => ({
      sdp: Array.from(document.querySelectorAll('.sdp pre')).map((p) => p.textContent),
      rows: Array.from(document.querySelectorAll('table.streams tbody tr')).map((tr) =>
        Array.from(tr.children).map((td) => td.textContent)),
      head: Array.from(document.querySelectorAll('table.streams thead th')).map((th) => th.textContent),
      findings: document.querySelector('ul.findings') ? document.querySelector('ul.findings').textContent : '',
      facts: Array.from(document.querySelectorAll('dl.facts')).map((d) => d.textContent),
      bands: Array.from(document.querySelectorAll('svg.ladder g.stream title')).map((e) => e.textContent),
    }));
    check(page.sdp.length === sdpMessages.length,
      `every SDP shown once (${page.sdp.length} of ${sdpMessages.length})`);
    for (const o of sdpMessages) check(page.sdp.some((s) => s.includes(o)), `SDP "${o}" shown`);
    const col = (name) => page.head.indexOf(name);
    check(page.rows.length === 4, `four streams (${page.rows.length})`);
    const ladder1 = JSON.parse(run(['show', '--db', db, id1, '--format', 'json']));
    const ladder2 = JSON.parse(run(['show', '--db', db, id2, '--format', 'json']));
    const text1 = run(['show', '--db', db, id1]);
    const streams = [...ladder1.streams, ...ladder2.streams];
    for (const s of streams) {
      const ssrc = '0x' + s.ssrc.toString(16).toUpperCase().padStart(8, '0');
      const row = page.rows.find((r) => r[col('SSRC')] === ssrc);
      check(!!row, `stream ${ssrc} in the table`);
      if (!row) continue;
      check(s.mos !== null && row[col('MOS')] === s.mos.toFixed(2), `${ssrc}: MOS ${row[col('MOS')]} as JSON ${s.mos}`);
      check(row[col('MOS limited by')] === s.mos_limited_by, `${ssrc}: limited by ${row[col('MOS limited by')]} as JSON ${s.mos_limited_by}`);
      const pct = (100 * s.lost / s.expected).toFixed(2);
      check(row[col('loss %')] === pct, `${ssrc}: loss ${row[col('loss %')]} % = 100 * lost / expected of JSON (${pct})`);
      check(row[col('jitter mean ms')] === s.jitter_mean_ms.toFixed(2), `${ssrc}: jitter ms as JSON`);
    }
    // B -> A lost every 10th packet: 10 of 100 (built so), MOS limited by loss.
    const lossy = streams.find((s) => s.ssrc === 0x2222);
    check(lossy && lossy.lost === 10 && lossy.expected === 100 && lossy.mos_limited_by === 'loss',
      `the lossy stream: 10 of 100 lost, limited by loss (${lossy && lossy.lost}, ${lossy && lossy.mos_limited_by})`);
    check(text1.includes(`lost 10 (10.00 %)`) && text1.includes('limited by loss'),
      'show text: the same loss in % and the same reason');
    check(page.findings.includes('call_hold'), `diagnostics listed (${page.findings.slice(0, 80)})`);
    const pdd = ladder1.calls[0].pdd_ms;
    check(pdd === null || page.facts[0].includes(`${pdd.toFixed(0)} ms`), `PDD in ms as JSON pdd_ms (${pdd})`);
    const dur = ladder1.calls[0].duration_ms;
    check(dur !== null && page.facts[0].includes(`${(dur / 1000).toFixed(3)} s`) &&
      text1.includes(`duration ${(dur / 1000).toFixed(3)} s`), `duration in s from JSON duration_ms (${dur}) in HTML and text`);
    // The band label and the text say the loss as the table does: 10.00 %.
    check(page.bands.some((b) => b.includes('loss 10.00 %') && b.includes('limited by loss')),
      `the RTP band says loss 10.00 % and the reason (${page.bands.join(' | ').slice(0, 200)})`);
  } finally {
    await t.finish(browser);
  }
})().catch((e) => t.crash(e));
