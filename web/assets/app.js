// sipscope web UI: routes on the URL (/, /?q=TEXT, /calls/ID, /streams, /stats), reads the
// JSON API and polls it every 2 s for changes (a capture may be writing the database).
// Every value from the wire is rendered as text: textContent only, never innerHTML.
'use strict';
(function () {
  const main = document.getElementById('main');
  const live = document.getElementById('live');
  const POLL_MS = 2000;
  let pollTimer = null;

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'on') for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
      else e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  async function api(path) {
    const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function time(us) {
    if (us === null || us === undefined) return '';
    return new Date(us / 1000).toISOString().replace('T', ' ').replace('Z', '');
  }
  const num = (v, d) => (v === null || v === undefined ? '' : Number(v).toFixed(d));
  const show = (v) => (v === null || v === undefined ? '' : v);
  const hex = (ssrc) => '0x' + (ssrc >>> 0).toString(16);

  function fail(e) {
    main.replaceChildren(h('p', { class: 'error' }, 'Error: ' + e.message));
  }

  // Calls the check every POLL_MS; when its version differs from the last one, redraws.
  function poll(versionPath, current, redraw) {
    clearInterval(pollTimer);
    let last = current;
    pollTimer = setInterval(async () => {
      try {
        const v = (await api(versionPath)).version;
        live.textContent = 'live · checked ' + new Date().toLocaleTimeString();
        if (v !== last) { last = v; await redraw(); }
      } catch (e) { live.textContent = 'live · ' + e.message; }
    }, POLL_MS);
  }

  // ---- call list ------------------------------------------------------------------
  const COLUMNS = [
    ['id', 'id', (c) => h('a', { href: '/calls/' + c.id }, c.id)],
    ['start', 'start (UTC)', (c) => time(c.start_us)],
    [null, 'from', (c) => show(c.from_user)],
    [null, 'to', (c) => show(c.to_user)],
    [null, 'caller', (c) => show(c.caller_ip)],
    [null, 'callee', (c) => show(c.callee_ip)],
    ['state', 'state', (c) => c.state],
    ['code', 'code', (c) => show(c.final_code)],
    ['pdd', 'PDD ms', (c) => num(c.pdd_ms, 0)],
    ['duration', 'duration s', (c) => num(c.duration_ms === null ? null : c.duration_ms / 1000, 1)],
    ['messages', 'msgs', (c) => c.message_count],
    [null, 'Call-ID', (c) => c.sip_call_id],
  ];

  async function callList() {
    const params = new URLSearchParams(location.search);
    const limit = 50;
    const query = () => {
      const p = new URLSearchParams();
      for (const k of ['q', 'state', 'sort', 'dir', 'offset']) if (params.get(k)) p.set(k, params.get(k));
      p.set('limit', limit);
      return p;
    };
    const navigate = () => {
      const p = query();
      p.delete('limit');
      if (p.get('offset') === '0') p.delete('offset');
      history.pushState(null, '', '/' + (p.toString() ? '?' + p : ''));
      draw();
    };
    const search = h('input', { type: 'search', name: 'q', placeholder: 'number, user, address or Call-ID', value: params.get('q') || '' });
    const form = h('form', { on: { submit: (ev) => { ev.preventDefault(); params.set('q', search.value); params.delete('offset'); navigate(); } } },
      search, ' ', h('button', { type: 'submit' }, 'Search'));
    const info = h('span', { class: 'muted', id: 'count' });
    const pager = h('span', { class: 'pager' });
    const table = h('table', { id: 'calls' });
    main.replaceChildren(h('div', { class: 'toolbar' }, form, info, pager), table);

    async function draw() {
      const page = await api('/api/calls?' + query());
      const offset = page.offset;
      info.textContent = page.total === 0 ? 'no calls' :
        `calls ${offset + 1}–${offset + page.calls.length} of ${page.total}`;
      const head = h('tr', {}, ...COLUMNS.map(([key, title]) => {
        if (!key) return h('th', {}, title);
        const active = (params.get('sort') || 'start') === key;
        const desc = params.get('dir') === 'desc';
        return h('th', { class: 'sortable', 'data-sort': key, on: { click: () => {
          params.set('dir', active && !desc ? 'desc' : 'asc');
          params.set('sort', key);
          params.delete('offset');
          navigate();
        } } }, title + (active ? (desc ? ' ▼' : ' ▲') : ''));
      }));
      const rows = page.calls.map((c) => h('tr', { 'data-call-id': c.id }, ...COLUMNS.map(([, , f]) => h('td', {}, f(c)))));
      table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
      const go = (o) => { params.set('offset', String(Math.max(0, o))); navigate(); };
      pager.replaceChildren(
        h('button', offset > 0 ? { on: { click: () => go(offset - limit) } } : { disabled: '' }, '‹ prev'),
        h('button', offset + limit < page.total ? { on: { click: () => go(offset + limit) } } : { disabled: '' }, 'next ›'));
      poll('/api/calls/version', page.version, draw);
    }
    await draw();
  }

  // ---- call page ------------------------------------------------------------------
  function kv(pairs) {
    return h('table', {}, ...pairs.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, show(v)))));
  }

  function rowsTable(headers, rows) {
    return h('table', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t))),
      ...rows.map((r) => h('tr', {}, ...r.map((v) => h('td', {}, v instanceof Node ? v : show(v))))));
  }

  async function callPage(id) {
    let selected = null;
    async function draw() {
      const doc = await api('/api/calls/' + id);
      const c = doc.calls[0];
      const raw = h('pre', { class: 'raw', id: 'raw' }, 'Click a message to see it.');
      const timing = h('div', { id: 'timing' });
      const select = (e) => { selected = e.message_id; raw.textContent = e.raw; };
      const ladder = window.sipscopeLadder.drawLadder(doc, select, (t) => { timing.textContent = t; });
      const sdp = doc.events.filter((e) => /\r?\n\r?\nv=0/.test(e.raw)).map((e) =>
        h('div', {}, h('div', { class: 'muted' }, `${e.label} (message ${e.message_id})`),
          h('pre', { class: 'raw' }, e.raw.slice(e.raw.search(/\r?\n\r?\nv=0/)).trim())));
      const streams = doc.streams.map((s) => [s.id, `${s.src_ip}:${s.src_port} → ${s.dst_ip}:${s.dst_port}`,
        hex(s.ssrc), show(s.codec), s.packets, show(s.lost), show(s.expected),
        num(s.jitter_mean_ms, 2), num(s.jitter_max_ms, 2), num(s.mos, 2), show(s.rtcp_cumulative_lost),
        num(s.rtcp_jitter_ms, 3), num(s.rtcp_rtt_ms, 1)]);
      // The RTCP report blocks (SR, RR, XR) about each stream, by time: the receiver's view.
      const rtcp = doc.streams.filter((s) => doc.rtcp.some((r) => r.source_ssrc === s.ssrc)).map((s) => {
        const t = rowsTable(['time', 'type', 'reporter SSRC', 'fraction lost %', 'cumulative lost', 'jitter ms', 'RTT ms'],
          doc.rtcp.filter((r) => r.source_ssrc === s.ssrc).map((r) => [time(r.ts_us), r.packet_type, hex(r.sender_ssrc),
            num(r.fraction_lost === null ? null : r.fraction_lost * 100, 2), show(r.cumulative_lost), num(r.jitter_ms, 3),
            num(r.rtt_ms, 1)]));
        t.setAttribute('class', 'rtcp');
        t.setAttribute('data-ssrc', String(s.ssrc));
        return h('div', {}, h('h3', {}, `RTCP about stream ${s.id} (SSRC ${hex(s.ssrc)})`), t);
      });
      const findings = (list) => rowsTable(['time', 'kind', 'detail'], list.map((f) => [time(f.ts_us), f.kind, f.detail]));
      main.replaceChildren(
        h('h1', {}, `Call ${c.id}: ${show(c.from_user)} → ${show(c.to_user)}`),
        h('div', { class: 'toolbar' },
          h('a', { href: `/api/calls/${id}/report.html` }, 'HTML report'),
          h('a', { href: `/api/calls/${id}/report.html?redact=1` }, 'HTML report (redacted)'),
          h('a', { href: `/api/calls/${id}/pcap`, class: 'pcap' }, 'pcap'),
          h('a', { href: `/api/calls/${id}/pcap?redact=1`, class: 'pcap' }, 'pcap (redacted)'),
          h('a', { href: `/api/calls/${id}` }, 'JSON')),
        h('div', { class: 'panel' }, kv([['Call-ID', c.sip_call_id], ['from', c.from_uri], ['to', c.to_uri],
          ['caller', c.caller_ip], ['callee', c.callee_ip], ['transport', c.transport], ['state', c.state],
          ['final', c.final_code === null ? '' : `${c.final_code} ${show(c.final_reason)}`], ['hang-up by', c.hangup_by],
          ['start', time(c.start_us)], ['PDD ms', num(c.pdd_ms, 0)], ['duration s', num(c.duration_ms === null ? null : c.duration_ms / 1000, 3)],
          ['messages', c.message_count]])),
        h('div', { class: 'panel' }, h('h2', {}, 'Ladder'), timing, ladder),
        h('div', { class: 'panel' }, h('h2', {}, 'Message'), raw),
        h('div', { class: 'panel' }, h('h2', {}, 'SDP'), ...(sdp.length ? sdp : [h('p', { class: 'muted' }, 'no SDP')])),
        h('div', { class: 'panel', id: 'media' }, h('h2', {}, 'Media streams'),
          rowsTable(['id', 'flow', 'SSRC', 'codec', 'packets', 'lost', 'expected', 'jitter ms', 'max jitter', 'MOS',
            'RTCP cumulative lost', 'RTCP jitter ms', 'RTT ms'], streams),
          h('div', {}, ...doc.streams.map((s) => window.sipscopeLadder.drawStreamChart(s))),
          ...(rtcp.length ? rtcp : [h('p', { class: 'muted' }, 'no RTCP reports')])),
        h('div', { class: 'panel' }, h('h2', {}, 'Diagnostics'), findings(doc.diagnostics)),
        h('div', { class: 'panel' }, h('h2', {}, 'Anomalies'), findings(doc.anomalies)),
        h('div', { class: 'panel' }, h('h2', {}, 'Linked calls'),
          rowsTable(['id', 'from', 'to', 'state'], doc.links.map((l) => [h('a', { href: '/calls/' + l.id }, l.id), l.from_user, l.to_user, l.state]))));
      if (selected !== null) {
        const g = ladder.querySelector(`g.msg[data-message-id="${Number(selected)}"]`);
        if (g) g.dispatchEvent(new MouseEvent('click'));
      }
      poll(`/api/calls/${id}/version`, doc.call_version, draw);
    }
    await draw();
  }

  // ---- streams and statistics -----------------------------------------------------
  async function streamsPage() {
    const params = new URLSearchParams(location.search);
    const offset = Number(params.get('offset') || 0);
    const page = await api('/api/streams?limit=100&offset=' + offset);
    main.replaceChildren(h('h1', {}, `Streams (${page.total})`),
      rowsTable(['id', 'call', 'flow', 'SSRC', 'codec', 'start', 'packets', 'lost', 'expected', 'jitter ms', 'MOS'],
        page.streams.map((s) => [s.id, s.call_id === null ? '' : h('a', { href: '/calls/' + s.call_id }, s.call_id),
          `${s.src_ip}:${s.src_port} → ${s.dst_ip}:${s.dst_port}`, hex(s.ssrc), show(s.codec),
          time(s.first_us), s.packets, show(s.lost), show(s.expected), num(s.jitter_mean_ms, 2), num(s.mos, 2)])),
      h('div', { class: 'pager' },
        offset > 0 ? h('a', { href: '/streams?offset=' + Math.max(0, offset - 100) }, '‹ prev') : '',
        ' ', offset + 100 < page.total ? h('a', { href: '/streams?offset=' + (offset + 100) }, 'next ›') : ''));
  }

  // Any JSON value as nested tables (the statistics document of docs/stats.md).
  function tree(v) {
    if (Array.isArray(v)) {
      if (v.length && typeof v[0] === 'object' && v[0] !== null) {
        const keys = Object.keys(v[0]);
        return rowsTable(keys, v.map((r) => keys.map((k) => (typeof r[k] === 'object' && r[k] !== null ? tree(r[k]) : r[k]))));
      }
      return document.createTextNode(v.join(', '));
    }
    if (typeof v === 'object' && v !== null) {
      return h('table', {}, ...Object.entries(v).map(([k, x]) => h('tr', {}, h('th', {}, k), h('td', {}, typeof x === 'object' && x !== null ? tree(x) : show(x)))));
    }
    return document.createTextNode(show(v));
  }

  async function statsPage() {
    const [summary, stats] = await Promise.all([api('/api/summary'), api('/api/stats')]);
    delete summary.version;
    main.replaceChildren(h('h1', {}, 'Statistics'), h('div', { class: 'panel' }, tree(summary)), h('div', { class: 'panel' }, tree(stats)));
  }

  async function route() {
    clearInterval(pollTimer);
    const m = location.pathname.match(/^\/calls\/(\d+)$/);
    try {
      if (m) await callPage(m[1]);
      else if (location.pathname === '/streams') await streamsPage();
      else if (location.pathname === '/stats') await statsPage();
      else await callList();
    } catch (e) { fail(e); }
  }
  window.addEventListener('popstate', route);
  route();
})();
