// What the browser tests share: playwright-core from the repository's node_modules (exit
// 77 = skipped when absent, scripts/install-deps.sh --test installs it), Chromium started
// offline and headless, a scratch folder, pass/fail lines, and a page watcher that records
// dialogs, network requests and script errors.
//
//   const t = lib.start('mermaid');                  // or exits 77
//   const browser = await t.launch(chromiumPath);
//   const w = lib.watch(await browser.newPage());   // w.dialogs, w.requests, w.errors
//   t.check(ok, 'what');  ...  await t.finish(browser);
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

module.exports = { start, watch };
