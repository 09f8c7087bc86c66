// Every HTML output of sipscope on the generator's `hostile` capture (HTML/JavaScript in
// display names, User-Agent, Call-ID, reason phrase, SDP) in real headless Chromium:
// `analyze --html`, `report` (plain and --redact) and `show --format html`. Each page is
// loaded from disk, every ladder arrow hovered and clicked; no dialog may fire, no element
// or event-handler attribute may be injected, nothing may be fetched, no script error.
//
//   node tests/browser/hostile_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]
// Exit status 0 pass, 1 fail, 77 skipped (playwright-core not installed).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const lib = require('./lib.cjs');

const t = lib.start('hostile');
const { work, check } = t;
const [exe, gen] = [process.argv[2], process.argv[3]];
const browserPath = process.argv[4] || '/usr/bin/chromium';
if (!exe || !fs.existsSync(exe) || !gen || !fs.existsSync(gen)) {
  console.error('usage: hostile_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]');
  process.exit(1);
}

(async () => {
  const pcap = path.join(work, 'hostile.pcap');
  execFileSync(gen, ['scenario', 'hostile', '-o', pcap], { stdio: 'ignore' });
  const db = path.join(work, 'h.db');
  const pages = {
    analyze: path.join(work, 'analyze.html'),
    report: path.join(work, 'report.html'),
    redacted: path.join(work, 'redacted.html'),
    show: path.join(work, 'show.html'),
  };
  execFileSync(exe, ['analyze', pcap, '--db', db, '--html', pages.analyze], { stdio: 'ignore' });
  execFileSync(exe, ['report', '--db', db, '1', '-o', pages.report]);
  execFileSync(exe, ['report', '--db', db, '1', '--redact', '-o', pages.redacted]);
  execFileSync(exe, ['show', '--db', db, '1', '--format', 'html', '-o', pages.show]);

  const browser = await t.launch(browserPath);
  try {
    for (const [name, file] of Object.entries(pages)) {
      const w = lib.watch(await browser.newPage());
      const page = w.page;
      await page.goto('file://' + file);
      const arrows = page.locator('svg.ladder g.ev');
      const n = await arrows.count();
      if (name !== 'analyze') check(n > 0, `${name}: ladder drawn (${n} arrows)`);
      for (let i = 0; i < n; i++) {
        await arrows.nth(i).hover();
        await arrows.nth(i).click();
      }
      // Every link and button of the page too (call lists, tabs).
      const clickable = page.locator('a, button, summary');
      const m = Math.min(await clickable.count(), 50);
      for (let i = 0; i < m; i++) {
        const el = clickable.nth(i);
        const href = await el.getAttribute('href');
        if (href && !href.startsWith('#')) continue;  // never leave the page
        if (await el.isVisible()) await el.click().catch(() => {});
      }
      await page.waitForTimeout(200);
      const injected = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        media: document.querySelectorAll('img, iframe, object, embed, svg svg, pre *:not(span), svg text *, td b, title *').length,
        handlers: Array.from(document.querySelectorAll('*')).filter((el) =>
          Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith('on'))).length,
        javascriptUrls: Array.from(document.querySelectorAll('[href], [src]')).filter((el) =>
          /^\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') || '')).length,
        text: document.body.textContent,
      }));
      check(injected.scripts <= 1, `${name}: only the page's own script (${injected.scripts})`);
      check(injected.media === 0, `${name}: no injected element (${injected.media})`);
      check(injected.handlers === 0, `${name}: no event-handler attribute (${injected.handlers})`);
      check(injected.javascriptUrls === 0, `${name}: no javascript: URL (${injected.javascriptUrls})`);
      if (name !== 'redacted') {
        check(injected.text.includes('Erika <script>alert(1)</script>') ||
          injected.text.includes('x"><svg/onload=alert(3)>q@pbx.example.test'),
        `${name}: hostile values shown as text`);
      }
      check(w.dialogs === 0, `${name}: no dialog fired (${w.dialogs})`);
      check(w.requests.length === 0, `${name}: no network request (${w.requests.join(' ')})`);
      check(w.errors.length === 0, `${name}: no script error (${w.errors.join(' ')})`);
      await page.close();
    }
  } finally {
    await t.finish(browser);
  }
})().catch((e) => t.crash(e));
