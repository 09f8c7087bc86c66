// Browser test of the HTML reports (issue 6 items 5 and 7): real headless Chromium driven
// by playwright-core. Builds a capture whose SIP fields carry HTML/JavaScript, runs
// `sipscope analyze` and `sipscope report` / `show --format html` on it, opens the pages
// from disk and checks: one arrow per SIP message, a click shows the raw message (with
// its header names highlighted), no dialog fires, no element is injected, nothing is
// fetched from the network.
//
//   node tests/browser/report_test.cjs SIPSCOPE_EXE [CHROMIUM]
// Exit status 0 pass, 1 fail, 77 skipped (playwright-core not installed: see
// scripts/install-deps.sh --test).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const lib = require('./lib.cjs');

const t = lib.start('browser');  // exits 77 when playwright-core is absent
const { work, check } = t;
const exe = process.argv[2];
const browserPath = process.argv[3] || '/usr/bin/chromium';
if (!exe || !fs.existsSync(exe)) {
  console.error('usage: report_test.cjs SIPSCOPE_EXE [CHROMIUM]');
  process.exit(1);
}

const { frameUdp, pcapFile, withLength } = lib;

const A = '198.18.7.21', B = '198.18.9.44';
const callId = 'x"><svg/onload=alert(3)>q@pbx.example.test';
const dialog = 'From: "Erika <script>alert(1)</script>" <sip:+4930123456789@example.test>;tag=a1\r\n' +
  'To: <sip:+4940987654321@example.test>';
const common = 'Call-ID: ' + callId + '\r\n';
const via = (b) => 'Via: SIP/2.0/UDP ' + A + ':5060;branch=z9hG4bK' + b + '\r\n';
const sdp = (ip, port) => 'v=0\r\no=- 1 1 IN IP4 ' + ip + '\r\ns=</pre><script>alert(5)</script>\r\nc=IN IP4 ' +
  ip + '\r\nt=0 0\r\nm=audio ' + port + ' RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const t0 = 1767261600000000;
const ringing = 'SIP/2.0 180 Ringing<b onmouseover=alert(4)>x</b>\r\n';
const sip = [
  [0, A, B, withLength('INVITE sip:+4940987654321@example.test SIP/2.0\r\n' + via('h1') + dialog + '\r\n' + common +
    'CSeq: 1 INVITE\r\nContact: <sip:e@' + A + ':5060>\r\nUser-Agent: <img src=x onerror=alert(2)>\r\n' +
    'Content-Type: application/sdp\r\n', sdp(A, 40000))],
  [200000, B, A, withLength(ringing + via('h1') + dialog + ';tag=b2\r\n' + common + 'CSeq: 1 INVITE\r\n', '')],
  [1000000, B, A, withLength('SIP/2.0 200 OK\r\n' + via('h1') + dialog + ';tag=b2\r\n' + common +
    'CSeq: 1 INVITE\r\nContact: <sip:' + B + ':5060>\r\nContent-Type: application/sdp\r\n', sdp(B, 50000))],
  [1010000, A, B, withLength('ACK sip:' + B + ':5060 SIP/2.0\r\n' + via('h2') + dialog + ';tag=b2\r\n' + common + 'CSeq: 1 ACK\r\n', '')],
  [3000000, A, B, withLength('BYE sip:' + B + ':5060 SIP/2.0\r\n' + via('h3') + dialog + ';tag=b2\r\n' + common + 'CSeq: 2 BYE\r\n', '')],
  [3010000, B, A, withLength('SIP/2.0 200 OK\r\n' + via('h3') + dialog + ';tag=b2\r\n' + common + 'CSeq: 2 BYE\r\n', '')],
];
const frames = sip.map(([dt, s, d, text]) => [t0 + dt, frameUdp(s, 5060, d, 5060, text)]);
// RTP both ways between the 200 OK and the BYE (PCMU, 20 ms), for the per-stream charts.
for (let n = 0; n < 90; n++) {
  if (n === 40) continue;  // one lost packet: the loss line has a point above zero
  frames.push([t0 + 1020000 + n * 20000, frameUdp(A, 40000, B, 50000, lib.rtpPacket(0, n, n * 160, 0x1111))]);
  frames.push([t0 + 1025000 + n * 20000, frameUdp(B, 50000, A, 40000, lib.rtpPacket(0, n, n * 160, 0x2222))]);
}
frames.sort((x, y) => x[0] - y[0]);


(async () => {
  const pcap = path.join(work, 'hostile.pcap');
  fs.writeFileSync(pcap, pcapFile(frames));
  const db = path.join(work, 'h.db');
  execFileSync(exe, ['analyze', pcap, '--db', db], { stdio: 'ignore' });
  const pages = {
    report: path.join(work, 'report.html'),
    show: path.join(work, 'show.html'),
    redacted: path.join(work, 'redacted.html'),
  };
  execFileSync(exe, ['report', '--db', db, '1', '-o', pages.report]);
  execFileSync(exe, ['show', '--db', db, '1', '--format', 'html', '-o', pages.show]);
  execFileSync(exe, ['report', '--db', db, '1', '--redact', '-o', pages.redacted]);

  const browser = await t.launch(browserPath);
  try {
    for (const [name, file] of Object.entries(pages)) {
      const w = lib.watch(await browser.newPage());
      const { page } = w;
      await page.goto('file://' + file);
      const arrows = await page.locator('svg.ladder g.ev').count();
      check(arrows === sip.length, `${name}: one arrow per SIP message (${arrows} of ${sip.length})`);
      const injected = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        media: document.querySelectorAll('img, iframe, object, embed, svg svg, pre *:not(span), svg text *, td b').length,
        handlers: Array.from(document.querySelectorAll('*')).filter((el) =>
          Array.from(el.attributes).some((a) => a.name.startsWith('on'))).length,
      }));
      check(injected.scripts === 1, `${name}: only the page's own script (${injected.scripts})`);
      check(injected.media === 0, `${name}: no injected element (${injected.media})`);
      check(injected.handlers === 0, `${name}: no event-handler attribute (${injected.handlers})`);
      // Hover and click every arrow: an injected handler would fire now.
      for (let i = 0; i < arrows; i++) {
        await page.locator('svg.ladder g.ev').nth(i).hover();
      }
      await page.locator('svg.ladder g.ev').nth(1).click();
      const shown = await page.locator('section .panel pre').first().textContent();
      const expected = name === 'redacted' ? 'SIP/2.0 180 Ringing<b onmouseover=alert(4)>x</b>' : ringing.trim();
      check(shown.startsWith(expected), `${name}: click shows the raw message as text`);
      const names = await page.locator('section .panel pre span.hn').allTextContents();
      check(names.includes('CSeq:') && names.includes('Via:'), `${name}: header names highlighted`);
      await page.locator('svg.ladder g.ev').nth(0).click();
      const invite = await page.locator('section .panel pre').first().textContent();
      check(invite.includes('User-Agent: <img src=x onerror=alert(2)>'), `${name}: User-Agent shown as text`);
      // One RTP time-series chart (stream_samples) per row of the streams table.
      const streamRows = await page.locator('table.streams tbody tr').count();
      const seriesCharts = await page.locator('svg.chart.series').count();
      const seriesLines = await page.locator('svg.chart.series polyline.jit').count();
      check(streamRows === 2 && seriesCharts === streamRows && seriesLines === streamRows,
        `${name}: one RTP jitter/loss chart per stream (${seriesCharts} charts, ${streamRows} streams)`);
      await page.waitForTimeout(200);
      check(w.dialogs === 0, `${name}: no dialog fired (${w.dialogs})`);
      check(w.requests.length === 0, `${name}: no network request (${w.requests.join(' ')})`);
      check(w.errors.length === 0, `${name}: no script error (${w.errors.join(' ')})`);
      if (name === 'redacted') {
        const text = await page.evaluate(() => document.documentElement.outerHTML);
        for (const original of ['198.18.7.21', '198.18.9.44', '4930123456789', '4940987654321', 'pbx.example.test']) {
          check(!text.includes(original), `redacted: ${original} absent`);
        }
        check(text.includes('REDACTED'), 'redacted: the page says so');
      }
      await page.close();
    }
  } catch (e) {
    await browser.close();
    throw e;
  }
  await t.finish(browser);
})().catch((e) => t.crash(e));
