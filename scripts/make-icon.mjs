// Draws media/icon.png (128x128): one path forking into three tiers, the cheapest one lit.
// No image tools needed: shapes are rasterised here with 4x4 supersampling and written as a PNG.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4;
const background = [32, 84, 140];
const line = [255, 255, 255];
const lit = [255, 196, 61];

// Shapes in icon coordinates (0..128): the trunk, three branches, a node at each end.
const segments = [
  [
    [18, 64],
    [54, 64],
  ],
  [
    [54, 64],
    [96, 30],
  ],
  [
    [54, 64],
    [96, 64],
  ],
  [
    [54, 64],
    [96, 98],
  ],
];
const nodes = [
  { at: [18, 64], r: 9, color: line },
  { at: [100, 30], r: 11, color: lit },
  { at: [100, 64], r: 9, color: line },
  { at: [100, 98], r: 9, color: line },
];

function distanceToSegment([px, py], [[ax, ay], [bx, by]]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function inRoundedSquare(x, y) {
  const r = 24;
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return Math.hypot(x - cx, y - cy) <= r;
}

/** Colour (with alpha) of one sample point. */
function sample(x, y) {
  if (!inRoundedSquare(x, y)) return [0, 0, 0, 0];
  for (const n of nodes) if (Math.hypot(x - n.at[0], y - n.at[1]) <= n.r) return [...n.color, 255];
  if (segments.some((s) => distanceToSegment([x, y], s) <= 4.5)) return [...line, 255];
  return [...background, 255];
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        // Premultiplied, so edges against transparency do not darken.
        for (let i = 0; i < 3; i++) sum[i] += (c[i] * c[3]) / 255;
        sum[3] += c[3];
      }
    }
    const alpha = sum[3] / (SS * SS);
    const offset = y * (SIZE * 4 + 1) + 1 + x * 4;
    for (let i = 0; i < 3; i++) raw[offset + i] = alpha ? Math.round((sum[i] / (SS * SS)) * (255 / alpha)) : 0;
    raw[offset + 3] = Math.round(alpha);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
