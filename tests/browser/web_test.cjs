// `sipscope serve` in real headless Chromium: the call list loads (one row per call of the
// sample's truth file), a search narrows it (`/?q=`), a call page draws one
// data-message-id element per message of the truth file, a click shows the raw message,
// the list follows a database written while the page is open (`analyze --append`), the
// hostile capture renders inert, and a server with a token refuses requests without it.
//
//   node tests/browser/web_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]
// Exit status 0 pass, 1 fail, 77 skipped (playwright-core not installed).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync, spawn } = require('child_process');
const lib = require('./lib.cjs');

const t = lib.start('web');
const { work, check, root } = t;
const [exe, gen] = [process.argv[2], process.argv[3]];
const browserPath = process.argv[4] || '/usr/bin/chromium';
if (!exe || !fs.existsSync(exe) || !gen || !fs.existsSync(gen)) {
  console.error('usage: web_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]');
  process.exit(1);
}

const servers = [];
// Starts `sipscope serve` on a free port; resolves to its printed base URL.
function serve(db, extra) {
  return new Promise((resolve, reject) => {
    const p = spawn(exe, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(extra || [])]);
    servers.push(p);
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve(m[1]);
    });
    p.on('exit', (code) => reject(new Error('serve exited ' + code + ': ' + out)));
  });
}

async function rows(page) {
  await page.waitForSelector('#calls tbody');
  return page.locator('#calls tbody tr').count();
}

(async () => {
  const truth = JSON.parse(fs.readFileSync(path.join(root, 'samples', 'basic.truth.json')));
  const db = path.join(work, 'basic.db');
  execFileSync(exe, ['analyze', path.join(root, 'samples', 'basic.pcap'), '--db', db], { stdio: 'ignore' });
  const base = await serve(db);
  const browser = await t.launch(browserPath);
  try {
    const w = lib.watch(await browser.newPage());
    const page = w.page;
    await page.goto(base);
    check(await rows(page) === truth.calls.length, `list: ${truth.calls.length} calls of the truth file`);

    // Search: a party of the truth file; expected = truth calls where it appears in a field.
    const party = truth.calls[1].from_user;
    const fields = ['from_user', 'to_user', 'from_uri', 'to_uri', 'caller_ip', 'callee_ip', 'sip_call_id'];
    const expected = truth.calls.filter((c) => fields.some((f) => (c[f] || '').toLowerCase().includes(party.toLowerCase())));
    await page.fill('input[name=q]', party);
    await page.click('form button');
    await page.waitForFunction((n) => document.querySelectorAll('#calls tbody tr').length === n, expected.length);
    check(new URL(page.url()).searchParams.get('q') === party, `search: URL is /?q=${party}`);
    check(await rows(page) === expected.length, `search '${party}': ${expected.length} call(s) (truth)`);
    await page.goto(base + '?q=' + encodeURIComponent(truth.calls[0].to_user));
    const toMatches = truth.calls.filter((c) => fields.some((f) => (c[f] || '').toLowerCase().includes(truth.calls[0].to_user)));
    check(await rows(page) === toMatches.length, `/?q=${truth.calls[0].to_user}: ${toMatches.length} call(s)`);

    // Call page: the call of the truth's first Call-ID.
    const first = truth.calls[0];
    const callId = await page.locator('#calls tbody tr').first().getAttribute('data-call-id');
    await page.goto(base + 'calls/' + callId);
    await page.waitForSelector('svg.ladder');
    const msgs = page.locator('svg.ladder [data-message-id]');
    check(await msgs.count() === first.message_count,
      `call page: ${await msgs.count()} data-message-id elements, truth ${first.message_count}`);
    await msgs.nth(0).hover();
    check((await page.textContent('#timing')).includes('from start'), 'hover shows timing');
    await msgs.nth(0).click();
    const raw = await page.textContent('#raw');
    check(raw.startsWith('INVITE sip:') && raw.includes(first.sip_call_id), 'click shows the raw INVITE with the Call-ID');
    // The call's pcap slice is one click away: the link downloads a pcap file (magic A1B2C3D4
    // written little-endian, tcpdump.org pcap-savefile).
    const pcapHref = await page.locator('a.pcap').first().getAttribute('href');
    check(pcapHref === `/api/calls/${callId}/pcap`, `call page links its pcap (${pcapHref})`);
    const magic = await page.evaluate(async (u) =>
      Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer()).slice(0, 4)), pcapHref);
    check(magic.join(',') === '212,195,178,161', `the pcap link downloads a pcap (magic ${magic})`);
    check(w.errors.length === 0, `no script error (${w.errors.join(' ')})`);

    // RTCP in the media panel: per stream, one row per report block about it (SR, RR, XR),
    // and the last block's values in the stream's row. Expected: the generator's truth of
    // samples/media/rtcp.pcap (rtcp_reports, rtcp_streams), formatted as the page does.
    const rtruth = JSON.parse(fs.readFileSync(path.join(root, 'samples', 'media', 'rtcp.truth.json')));
    const rdb = path.join(work, 'rtcp.db');
    execFileSync(exe, ['analyze', path.join(root, 'samples', 'media', 'rtcp.pcap'), '--db', rdb], { stdio: 'ignore' });
    const rbase = await serve(rdb);
    const fixed = (v, d) => (v === null || v === undefined ? '' : Number(v).toFixed(d));
    const hex = (ssrc) => '0x' + (ssrc >>> 0).toString(16);
    const shown = {};
    const streamRows = {};
    const rp = await browser.newPage();
    await rp.goto(rbase);
    const ids = await rp.evaluate(async () => (await (await fetch('/api/calls')).json()).calls.map((c) => c.id));
    check(ids.length === rtruth.calls.length, `rtcp sample: ${ids.length} calls, truth ${rtruth.calls.length}`);
    for (const id of ids) {
      await rp.goto(rbase + 'calls/' + id);
      await rp.waitForSelector('#media table');
      const found = await rp.evaluate(() => ({
        tables: Array.from(document.querySelectorAll('#media table.rtcp')).map((t) => [t.dataset.ssrc,
          Array.from(t.querySelectorAll('tr')).slice(1).map((tr) => Array.from(tr.cells).map((c) => c.textContent))]),
        streams: Array.from(document.querySelectorAll('#media table:not(.rtcp) tr')).slice(1)
          .map((tr) => Array.from(tr.cells).map((c) => c.textContent)),
      }));
      for (const [ssrc, rows] of found.tables) shown[ssrc] = rows;
      for (const r of found.streams) streamRows[r[2]] = r;
    }
    const blocks = rtruth.rtcp_reports.filter((r) => r.source_ssrc !== null);
    for (const ssrc of new Set(blocks.map((r) => r.source_ssrc))) {
      const expected = blocks.filter((r) => r.source_ssrc === ssrc).map((r) => [r.packet_type, hex(r.sender_ssrc),
        fixed(r.fraction_lost === null ? null : r.fraction_lost * 100, 2), fixed(r.cumulative_lost, 0),
        fixed(r.jitter_ms, 3), fixed(r.rtt_ms, 1)].join(' | '));
      const got = (shown[String(ssrc)] || []).map((cells) => cells.slice(1).join(' | '));
      check(JSON.stringify(got) === JSON.stringify(expected),
        `RTCP about ${hex(ssrc)}: ${got.length} rows as the truth's ${expected.length} (${got.join('; ')})`);
    }
    for (const s of rtruth.rtcp_streams) {
      const row = streamRows[hex(s.ssrc)] || [];
      const expected = [fixed(s.rtcp_cumulative_lost, 0), fixed(s.rtcp_jitter_ms, 3), fixed(s.rtcp_rtt_ms, 1)];
      check(JSON.stringify(row.slice(10, 13)) === JSON.stringify(expected),
        `stream ${hex(s.ssrc)}: RTCP cumulative lost, jitter, RTT ${row.slice(10, 13)} (truth ${expected})`);
    }
    await rp.close();

    // Live: another capture appended while the list is open shows up without reload.
    await page.goto(base);
    const before = await rows(page);
    await page.evaluate(() => { window.notReloaded = true; });
    const more = path.join(root, 'samples', 'cancel_race.pcap');
    const moreTruth = JSON.parse(fs.readFileSync(path.join(root, 'samples', 'cancel_race.truth.json')));
    execFileSync(exe, ['analyze', more, '--db', db, '--append'], { stdio: 'ignore' });
    const after = before + moreTruth.calls.length;
    await page.waitForFunction((n) => document.querySelectorAll('#calls tbody tr').length === n, after, { timeout: 10000 })
      .catch(() => {});
    check(await rows(page) === after && await page.evaluate(() => window.notReloaded === true),
      `live: list grew from ${before} to ${after} without reload`);

    // Live call page: a message committed for the open call (written with sqlite3 as a
    // capture's writer would: one more messages row, calls.message_count + 1) is drawn in the
    // ladder without reload.
    await page.goto(base + 'calls/' + callId);
    await page.waitForSelector('svg.ladder');
    const drawn = () => page.locator('svg.ladder [data-message-id]').count();
    const n0 = await drawn();
    await page.evaluate(() => { window.notReloaded = true; });
    execFileSync('sqlite3', [db, 'INSERT INTO messages (call_id, capture_id, frame, ts_us, src_ip, src_port, ' +
      'dst_ip, dst_port, transport, method, cseq, cseq_method, sip_call_id, retransmission, raw) SELECT call_id, ' +
      'capture_id, frame + 100000, ts_us + 1000, src_ip, src_port, dst_ip, dst_port, transport, \'OPTIONS\', ' +
      `cseq + 1, 'OPTIONS', sip_call_id, 0, 'OPTIONS' || substr(raw, instr(raw, ' ')) FROM messages WHERE call_id = ${callId} ` +
      `ORDER BY ts_us DESC LIMIT 1; UPDATE calls SET message_count = message_count + 1 WHERE id = ${callId};`]);
    await page.waitForFunction((n) => document.querySelectorAll('svg.ladder [data-message-id]').length === n, n0 + 1,
      { timeout: 10000 }).catch(() => {});
    check(await drawn() === n0 + 1 && await page.evaluate(() => window.notReloaded === true),
      `live: the open call page went from ${n0} to ${await drawn()} messages without reload`);
    await page.close();

    // Hostile capture: every field carries HTML/JS; nothing may execute or be injected.
    const hpcap = path.join(work, 'hostile.pcap');
    execFileSync(gen, ['scenario', 'hostile', '-o', hpcap], { stdio: 'ignore' });
    const hdb = path.join(work, 'hostile.db');
    execFileSync(exe, ['analyze', hpcap, '--db', hdb], { stdio: 'ignore' });
    const hbase = await serve(hdb);
    for (const url of [hbase, hbase + 'calls/1', hbase + 'streams', hbase + 'stats']) {
      const hw = lib.watch(await browser.newPage());
      await hw.page.goto(url);
      await hw.page.waitForTimeout(300);
      const g = hw.page.locator('svg.ladder g.msg');
      for (let i = 0; i < await g.count(); i++) { await g.nth(i).hover(); await g.nth(i).click(); }
      const found = await hw.page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        injected: document.querySelectorAll('img, iframe, object, embed, svg svg, pre *, td b, td script, title *').length,
        handlers: Array.from(document.querySelectorAll('*')).filter((el) =>
          Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith('on'))).length,
        text: document.body.textContent,
      }));
      check(found.scripts === 2 && found.injected === 0 && found.handlers === 0,
        `hostile ${url}: inert (scripts ${found.scripts}, injected ${found.injected}, handlers ${found.handlers})`);
      check(hw.dialogs === 0 && hw.errors.length === 0, `hostile ${url}: no dialog, no script error ${hw.errors.join(' ')}`);
      if (url === hbase + 'calls/1') {
        check(found.text.includes('<script>alert(1)</script>') || found.text.includes('<svg/onload'),
          'hostile values shown as text');
      }
      await hw.page.close();
    }

    // Token: refused without it, served with it (the page then carries it in a cookie).
    const tbase = await serve(db, ['--token', 'sEcr3t-t0ken']);
    const tp = await browser.newPage();
    const refused = await tp.goto(tbase + 'api/calls');
    check(refused.status() === 401, `token: request without it refused (${refused.status()})`);
    const wrong = await tp.goto(tbase + '?token=sEcr3t-t0keX');
    check(wrong.status() === 401, `token: wrong token refused (${wrong.status()})`);
    await tp.goto(tbase + '?token=sEcr3t-t0ken');
    check(await rows(tp) > 0, 'token: the list loads with it');
    await tp.close();
  } catch (e) {
    check(false, 'unexpected: ' + e);
  } finally {
    for (const p of servers) p.kill('SIGTERM');
    await t.finish(browser);
  }
})().catch((e) => { for (const p of servers) p.kill('SIGTERM'); t.crash(e); });
