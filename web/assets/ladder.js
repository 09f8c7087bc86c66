// The interactive ladder of the call page: one SVG <g class="msg"> per SIP message with a
// data-message-id attribute; a click shows the raw message, hovering shows its timing.
// Every value from the wire is set as text (textContent / createTextNode), never as markup.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const LANE = 220, TOP = 50, ROW = 28;

  function el(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function ms(us) { return (us / 1000).toFixed(1) + ' ms'; }

  // doc: the call document of /api/calls/ID; onSelect(event) on click; onHover(text).
  function drawLadder(doc, onSelect, onHover) {
    const parts = doc.participants || [];
    const events = doc.events || [];
    const width = Math.max(1, parts.length) * LANE + 60;
    const height = TOP + events.length * ROW + 30;
    const svg = el('svg', { class: 'ladder', width, height, viewBox: `0 0 ${width} ${height}` });
    const x = (i) => 40 + i * LANE + LANE / 2 - 60;
    parts.forEach((p, i) => {
      svg.appendChild(el('text', { x: x(i), y: 20, 'text-anchor': 'middle' }, p.address));
      svg.appendChild(el('line', { class: 'lane', x1: x(i), y1: 30, x2: x(i), y2: height - 10 }));
    });
    events.forEach((e, n) => {
      const y = TOP + n * ROW;
      const g = el('g', { class: 'msg' + (e.retransmission ? ' retrans' : ''), 'data-message-id': e.message_id });
      const x1 = x(e.from), x2 = x(e.to);
      // The whole row is the target of hover and click, not only the thin arrow.
      g.appendChild(el('rect', { x: 0, y: y - ROW / 2 - 4, width, height: ROW, fill: 'transparent' }));
      const color = e.status_code ? (e.status_code >= 400 ? '#c92a2a' : '#2b8a3e') : '#1c4fa0';
      g.appendChild(el('line', { x1, y1: y, x2, y2: y, stroke: color, 'stroke-width': 1.5 }));
      const dir = x2 >= x1 ? -1 : 1;
      g.appendChild(el('polygon', { points: `${x2},${y} ${x2 + 8 * dir},${y - 4} ${x2 + 8 * dir},${y + 4}`, fill: color }));
      g.appendChild(el('text', { x: (x1 + x2) / 2, y: y - 5, 'text-anchor': 'middle' }, e.label));
      g.appendChild(el('text', { x: 4, y: y + 4, class: 'muted' }, '+' + (e.offset_us / 1e6).toFixed(3)));
      const timing = `${e.time}  +${ms(e.offset_us)} from start, +${ms(e.delta_prev_us)} after previous` +
        (e.retransmission ? ', retransmission' : '') + `  (${e.transport}, frame ${e.frame})`;
      g.appendChild(el('title', {}, timing));
      g.addEventListener('click', () => {
        svg.querySelectorAll('g.msg.selected').forEach((s) => s.classList.remove('selected'));
        g.classList.add('selected');
        onSelect(e);
      });
      g.addEventListener('mouseenter', () => onHover(timing));
      svg.appendChild(g);
    });
    return svg;
  }

  // A small chart of one stream's samples: lost packets (bars) and jitter (line) per interval.
  function drawStreamChart(stream) {
    const canvas = document.createElement('canvas');
    canvas.className = 'chart';
    canvas.width = 360;
    canvas.height = 120;
    const samples = stream.samples || [];
    const ctx = canvas.getContext('2d');
    if (!ctx) return canvas;
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#364152';
    ctx.fillText(`stream ${stream.id}: loss (bars) and jitter ms (line) per interval`, 4, 12);
    if (samples.length === 0) { ctx.fillText('no samples', 4, 60); return canvas; }
    const maxLost = Math.max(1, ...samples.map((s) => s.lost));
    const maxJitter = Math.max(1, ...samples.map((s) => s.jitter_ms || 0));
    const w = (canvas.width - 10) / samples.length, base = canvas.height - 6, h = canvas.height - 26;
    ctx.fillStyle = '#e8590c';
    samples.forEach((s, i) => {
      const bh = (s.lost / maxLost) * h;
      ctx.fillRect(5 + i * w, base - bh, Math.max(1, w - 1), bh);
    });
    ctx.strokeStyle = '#1c7ed6';
    ctx.beginPath();
    samples.forEach((s, i) => {
      const y = base - ((s.jitter_ms || 0) / maxJitter) * h;
      if (i === 0) ctx.moveTo(5 + i * w + w / 2, y); else ctx.lineTo(5 + i * w + w / 2, y);
    });
    ctx.stroke();
    ctx.fillStyle = '#364152';
    ctx.fillText(`max lost ${maxLost}, max jitter ${maxJitter.toFixed(1)} ms`, 4, 24);
    return canvas;
  }

  window.sipscopeLadder = { drawLadder, drawStreamChart };
})();
