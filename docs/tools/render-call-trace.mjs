#!/usr/bin/env node
// Draws the call trace docs/tools/export-call-trace.mjs exported (docs/observability/call-trace.json)
// as a waterfall, docs/observability/call-trace.svg: one bar per span, indented under its parent,
// and one row per span event with a mark at its time. Prints the same tree as text, which
// docs/observability.md shows next to the picture.
//
// Run: node docs/tools/render-call-trace.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'observability');
const { spans } = JSON.parse(readFileSync(join(folder, 'call-trace.json'), 'utf8'));

/** The spans in tree order (each after its parent, siblings by start), with their depth. */
function treeOrder() {
  const ordered = [];
  const visit = (parentSpanId, depth) => {
    for (const span of spans.filter((candidate) => candidate.parentSpanId === parentSpanId)) {
      ordered.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  const ids = new Set(spans.map((span) => span.spanId));
  for (const root of spans.filter((span) => span.parentSpanId === null || !ids.has(span.parentSpanId))) {
    ordered.push({ span: root, depth: 0 });
    visit(root.spanId, 1);
  }
  return ordered;
}

const ordered = treeOrder();
const end = Math.max(...spans.map((span) => span.startMs + span.durationMs));
const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ms = (value) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

// ---- Text tree ----
const lines = [];
for (const { span, depth } of ordered) {
  const pad = '  '.repeat(depth);
  lines.push(`${pad}${span.name} [${span.kind}] +${ms(span.startMs)}, ${ms(span.durationMs)}`);
  for (const [key, value] of Object.entries(span.attributes)) {
    if (key === 'voxline.call.id' || key === 'voxline.stream.id') continue; // per-call random ids
    lines.push(`${pad}    ${key} = ${typeof value === 'number' ? Math.round(value * 10) / 10 : value}`);
  }
  for (const event of span.events) lines.push(`${pad}    • ${event.name} @ +${ms(event.atMs)}`);
}
process.stdout.write(`${lines.join('\n')}\n`);

// ---- SVG waterfall ----
const width = 960;
const labelWidth = 300;
const plotWidth = width - labelWidth - 20;
const rowHeight = 22;
const x = (atMs) => labelWidth + (atMs / end) * plotWidth;
const rows = [];
let y = 40;
const colours = { 'voxline.call': '#4c78a8', 'voxline.turn': '#f58518' };
for (const { span, depth } of ordered) {
  const colour = colours[span.name] ?? '#54a24b';
  const barWidth = Math.max(2, (span.durationMs / end) * plotWidth);
  rows.push(
    `<text x="${8 + depth * 16}" y="${y + 15}">${escapeXml(span.name)} <tspan fill="#666">${ms(span.durationMs)}</tspan></text>`,
    `<rect x="${x(span.startMs).toFixed(1)}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="14" rx="2" fill="${colour}"/>`,
  );
  y += rowHeight;
  for (const event of span.events) {
    const at = x(event.atMs);
    rows.push(
      `<text x="${24 + depth * 16}" y="${y + 15}" fill="#444">• ${escapeXml(event.name)} <tspan fill="#666">+${ms(event.atMs)}</tspan></text>`,
      `<line x1="${at.toFixed(1)}" y1="${y + 3}" x2="${at.toFixed(1)}" y2="${y + 19}" stroke="${colour}" stroke-width="2"/>`,
    );
    y += rowHeight;
  }
}
const ticks = [];
for (let index = 0; index <= 4; index++) {
  const atMs = (end * index) / 4;
  ticks.push(
    `<line x1="${x(atMs).toFixed(1)}" y1="28" x2="${x(atMs).toFixed(1)}" y2="${y}" stroke="#ddd"/>`,
    `<text x="${x(atMs).toFixed(1)}" y="22" text-anchor="middle" fill="#666">${(atMs / 1000).toFixed(1)} s</text>`,
  );
}
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="12" role="img">`,
  '<title>The spans of one simulated call: voxline.call, its turn and the LLM call, on a time axis</title>',
  `<rect width="100%" height="100%" fill="#fff"/>`,
  ...ticks,
  ...rows,
  '</svg>',
  '',
].join('\n');
writeFileSync(join(folder, 'call-trace.svg'), svg);
