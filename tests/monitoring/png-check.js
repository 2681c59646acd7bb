// What a screenshot shows, without an image library: decodes an 8-bit RGB or RGBA PNG and
// prints its size, how many distinct colours it has, and how much of it is the commonest one.
// With --has RRGGBB... it fails unless each colour is present (a red problem tag, say).
//   node tests/monitoring/png-check.js FILE [--has RRGGBB...]
"use strict";
const fs = require("fs");
const zlib = require("zlib");

const [file, flag, ...colours] = process.argv.slice(2);
const png = fs.readFileSync(file);
if (!png.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))) throw new Error(`${file} is not a PNG`);
let width = 0, height = 0, depth = 0, type = 0;
const idat = [];
for (let at = 8; at < png.length;) {
  const len = png.readUInt32BE(at), kind = png.toString("ascii", at + 4, at + 8), data = png.subarray(at + 8, at + 8 + len);
  if (kind === "IHDR") { width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; type = data[9]; }
  if (kind === "IDAT") idat.push(data);
  at += 12 + len;
}
const channels = { 2: 3, 6: 4 }[type];
if (depth !== 8 || !channels || png[28] !== 0) throw new Error(`${file}: only 8-bit RGB/RGBA without interlace is read (depth ${depth}, colour type ${type})`);
const raw = zlib.inflateSync(Buffer.concat(idat));
const stride = width * channels;
const pixels = Buffer.alloc(stride * height);
const paeth = (a, b, c) => { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); return pa <= pb && pa <= pc ? a : pb <= pc ? b : c; };
for (let y = 0; y < height; y++) {
  const filter = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
  for (let x = 0; x < stride; x++) {
    const a = x >= channels ? pixels[y * stride + x - channels] : 0, b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
    const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
    const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
    if (predictor === undefined) throw new Error(`${file}: unknown filter ${filter} on line ${y}`);
    pixels[y * stride + x] = (line[x] + predictor) & 0xff;
  }
}
const counts = new Map();
for (let i = 0; i < pixels.length; i += channels) {
  const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
  counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
}
const commonest = Math.max(...counts.values()) / (width * height);
console.log(JSON.stringify({ file, width, height, colours: counts.size, commonestShare: Number(commonest.toFixed(4)) }));
const missing = flag === "--has" ? colours.filter((c) => !counts.has(parseInt(c, 16))) : [];
if (missing.length) {
  console.error(`${file}: no pixel of colour ${missing.join(", ")}`);
  process.exit(1);
}
