// `sipscope show --format mermaid` through the real Mermaid parser and renderer (npm
// `mermaid`, scripts/install-deps.sh --test) in headless Chromium, offline from a file://
// page: for several samples and the generator's `hostile` scenario (HTML/JS in display
// names, User-Agent, Call-ID, reason phrase) every diagram parses, renders one message
// arrow per SIP message of the ladder (`show --format json` events), and nothing runs: no
// dialog, no script error, no injected element or event handler. Each diagram is drawn
// twice, through mermaid.render() and through mermaid.run() on a <pre class="mermaid">
// (the usual page embedding; escaped as a Markdown renderer writes it, and pasted as
// it is): all draw the same arrows, message texts, participant texts
// and notes, every message label and participant address as the ladder JSON has it.
//
//   node tests/browser/mermaid_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]
// Exit status 0 pass, 1 fail, 77 skipped (playwright-core or mermaid not installed).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const lib = require('./lib.cjs');

const t = lib.start('mermaid');
const { work, check } = t;
const mermaidJs = path.join(t.root, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
if (!fs.existsSync(mermaidJs)) {
  console.log('SKIP: mermaid not installed (scripts/install-deps.sh --test)');
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(77);
}
const [exe, gen] = [process.argv[2], process.argv[3]];
const browserPath = process.argv[4] || '/usr/bin/chromium';
if (!exe || !fs.existsSync(exe) || !gen || !fs.existsSync(gen)) {
  console.error('usage: mermaid_test.cjs SIPSCOPE_EXE SIPSCOPE_GEN_EXE [CHROMIUM]');
  process.exit(1);
}
const run = (args) => execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

// Diagrams to check: [name, mermaid text, SIP messages in the ladder].
function diagrams() {
  const hostile = path.join(work, 'hostile.pcap');
  execFileSync(gen, ['scenario', 'hostile', '-o', hostile], { stdio: 'ignore' });
  const captures = [
    ['hostile', hostile],
    ['basic', path.join(t.root, 'samples', 'basic.pcap')],
    ['tcp/split', path.join(t.root, 'samples', 'tcp', 'split.pcap')],
    ['tunnels/vxlan', path.join(t.root, 'samples', 'tunnels', 'vxlan.pcap')],
    ['hep-gen/hep3', path.join(t.root, 'samples', 'hep-gen', 'hep3.pcap')],
  ];
  const out = [];
  captures.forEach(([name, pcap], k) => {
    const db = path.join(work, `${k}.db`);
    run(['analyze', pcap, '--db', db]);
    const calls = JSON.parse(run(['calls', '--db', db, '--format', 'json']));
    const list = Array.isArray(calls) ? calls : calls.calls;
    for (const c of list.slice(0, 4)) {
      for (const redact of [[], ['--redact']]) {
        const args = ['show', '--db', db, String(c.id), ...redact];
        const ladder = JSON.parse(run([...args, '--format', 'json']));
        out.push([`${name} call ${c.id}${redact.length ? ' redacted' : ''}`,
          run([...args, '--format', 'mermaid']), ladder.events.length,
          ladder.events.map((e) => e.label), ladder.participants.map((p) => p.address)]);
      }
    }
  });
  return out;
}

(async () => {
  const list = diagrams();
  check(list.length >= 10, `${list.length} diagrams`);
  const page = path.join(work, 'mermaid.html');
  fs.writeFileSync(page, '<!doctype html><meta charset="utf-8"><title>mermaid</title>' +
    `<script src="file://${mermaidJs}"></script><body><div id="out"></div></body>`);
  const browser = await t.launch(browserPath);
  try {
    const w = lib.watch(await browser.newPage());
    const tab = w.page;
    await tab.goto('file://' + page);
    const results = await tab.evaluate(async (items) => {
      // securityLevel 'strict' is Mermaid's default; set here so the test does not depend
      // on a default changing.
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const out = [];
      for (let i = 0; i < items.length; i++) {
        const [name, text] = items[i];
        try {
          await window.mermaid.parse(text);
          const { svg } = await window.mermaid.render('d' + i, text);
          const holder = document.createElement('div');
          holder.innerHTML = svg;
          document.getElementById('out').appendChild(holder);
          // The usual page embedding: the text in a <pre class="mermaid"> (as a Markdown
          // renderer writes it, HTML-escaped), drawn by mermaid.run().
          const pre = document.createElement('pre');
          pre.className = 'mermaid';
          pre.textContent = text;
          document.getElementById('out').appendChild(pre);
          // And pasted into a page as it is (the output never holds '<' or '&').
          const pasted = document.createElement('pre');
          pasted.className = 'mermaid';
          pasted.innerHTML = text;
          document.getElementById('out').appendChild(pasted);
          await window.mermaid.run({ nodes: [pre, pasted] });
          const drawn = (root) => ({
            arrows: root.querySelectorAll('.messageLine0, .messageLine1').length,
            messages: Array.from(root.querySelectorAll('.messageText')).map((e) => e.textContent),
            actors: Array.from(root.querySelectorAll('text.actor')).map((e) => e.textContent),
            notes: Array.from(root.querySelectorAll('.noteText')).map((e) => e.textContent),
          });
          const a = drawn(holder);
          out.push({ name, arrows: a.arrows, labels: a.messages.length, render: a, run: drawn(pre),
            pasted: drawn(pasted) });
        } catch (e) {
          out.push({ name, error: String(e && e.message ? e.message : e) });
        }
      }
      return out;
    }, list.map(([name, text]) => [name, text]));
    results.forEach((r, i) => {
      const expected = list[i][2];
      check(!r.error, `${r.name}: parses and renders${r.error ? ' (' + r.error + ')' : ''}`);
      if (!r.error) {
        check(r.arrows === expected && r.labels === expected,
          `${r.name}: one arrow per SIP message (${r.arrows} arrows, ${r.labels} labels, ${expected} messages)`);
        const same = JSON.stringify(r.render) === JSON.stringify(r.run) &&
          JSON.stringify(r.render) === JSON.stringify(r.pasted);
        check(same, `${r.name}: mermaid.run() draws what mermaid.render() draws` +
          (same ? '' : ` (render ${JSON.stringify(r.render).slice(0, 300)} run ${JSON.stringify(r.run).slice(0, 300)})`));
        // Every label of the ladder, as the wire had it (JSON events), is drawn as text.
        const want = list[i][3];
        const missing = want.filter((label) => !r.run.messages.some((m) => m.includes(label)));
        check(missing.length === 0, `${r.name}: every message label drawn (${missing.slice(0, 3).join(' | ')})`);
        const addrs = list[i][4];
        const noAddr = addrs.filter((a) => !r.run.actors.includes(a));
        check(noAddr.length === 0, `${r.name}: participants drawn as their addresses (${noAddr.join(' ')} not in ${r.run.actors.slice(0, 4).join(' ')})`);
      }
    });
    // Hover every rendered element that could carry a handler, then look for injection.
    await tab.waitForTimeout(200);
    const injected = await tab.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      media: document.querySelectorAll('#out img, #out iframe, #out object, #out embed, #out script, #out b').length,
      handlers: Array.from(document.querySelectorAll('#out *')).filter((el) =>
        Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith('on'))).length,
      text: document.getElementById('out').textContent,
    }));
    check(injected.scripts === 1, `only the page's own script (${injected.scripts})`);
    check(injected.media === 0, `no injected element (${injected.media})`);
    check(injected.handlers === 0, `no event-handler attribute (${injected.handlers})`);
    check(injected.text.includes('Ringing<b onmouseover=alert(4)>x</b>'),
      'the hostile reason phrase is shown as text');
    check(w.dialogs === 0, `no dialog fired (${w.dialogs})`);
    check(w.requests.length === 0, `no network request (${w.requests.join(' ')})`);
    check(w.errors.length === 0, `no script error (${w.errors.join(' ')})`);
  } finally {
    await t.finish(browser);
  }
})().catch((e) => t.crash(e));
