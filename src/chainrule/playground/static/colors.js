// Colour scales and grid drawing, shared by the heatmap, the neuron thumbnails and the links.
// A grid arrives as bytes: value v in [-1, 1] is sent as round((v + 1) * 127), 255 means NaN.

export const NEG = [245, 147, 34];   // -1, orange
export const ZERO = [232, 234, 235]; //  0, grey-white
export const POS = [8, 119, 189];    // +1, blue
export const NAN = [150, 150, 150];
export const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [148, 103, 189], [214, 39, 40], [23, 190, 207]];
const SHADES = 30; // TensorFlow Playground's number of colour shades

function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }

/** Colour of a value in [-1, 1] (clamped), quantised to 30 shades like TF Playground. */
export function valueRGB(v) {
  if (!Number.isFinite(v)) return NAN;
  v = Math.max(-1, Math.min(1, v));
  v = Math.round((v + 1) / 2 * (SHADES - 1)) / (SHADES - 1) * 2 - 1;
  return v < 0 ? mix(ZERO, NEG, -v) : mix(ZERO, POS, v);
}
export function css(rgb) { return `rgb(${rgb[0] | 0},${rgb[1] | 0},${rgb[2] | 0})`; }
export function valueCSS(v) { return css(valueRGB(v)); }

function buildLUT(discretize) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let b = 0; b < 256; b++) {
    let rgb;
    if (b === 255) rgb = NAN;
    else {
      let v = b / 127 - 1;
      if (discretize) v = v >= 0 ? 1 : -1;
      rgb = valueRGB(v);
    }
    lut.set([rgb[0], rgb[1], rgb[2], 255], b * 4);
  }
  return lut;
}
const LUTS = [buildLUT(false), buildLUT(true)];

export function decodeB64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Paint an n×n grid of value bytes (row 0 = top = x2 = +6) into a canvas of n×n pixels. */
export function paintValues(canvas, n, bytes, offset = 0, discretize = false) {
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  const lut = LUTS[discretize ? 1 : 0], d = img.data;
  for (let i = 0, m = n * n; i < m; i++) {
    const b = bytes[offset + i] * 4;
    d[i * 4] = lut[b]; d[i * 4 + 1] = lut[b + 1]; d[i * 4 + 2] = lut[b + 2]; d[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Multiclass map: class index byte and confidence byte (0 = uniform, 255 = certain) per cell. */
export function paintClasses(canvas, n, classes, conf, discretize = false) {
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n), d = img.data;
  for (let i = 0, m = n * n; i < m; i++) {
    let rgb;
    if (classes[i] === 255) rgb = NAN;
    else {
      const t = discretize ? 1 : Math.round(conf[i] / 255 * (SHADES - 1)) / (SHADES - 1);
      rgb = mix(ZERO, CLASS_COLORS[classes[i] % CLASS_COLORS.length], 0.15 + 0.85 * t);
    }
    d[i * 4] = rgb[0]; d[i * 4 + 1] = rgb[1]; d[i * 4 + 2] = rgb[2]; d[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** A probability grid (bytes 0..254 = p in [0, 1]) in one class's colour, for multiclass output thumbnails. */
export function paintProbability(canvas, n, bytes, offset, cls) {
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n), d = img.data, col = CLASS_COLORS[cls % CLASS_COLORS.length];
  for (let i = 0, m = n * n; i < m; i++) {
    const b = bytes[offset + i];
    const rgb = b === 255 ? NAN : mix(ZERO, col, b / 254);
    d[i * 4] = rgb[0]; d[i * 4 + 1] = rgb[1]; d[i * 4 + 2] = rgb[2]; d[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** The colour of a data point's label. */
export function labelCSS(label, problem) {
  if (problem === "multiclass") return css(CLASS_COLORS[label % CLASS_COLORS.length]);
  return valueCSS(problem === "classification" ? Math.sign(label) || 1 : label);
}

/** Paint a feature (a function of x1, x2) over [-6, 6]², scaled by its largest magnitude. */
export function paintFunction(canvas, n, fn) {
  const vals = new Float64Array(n * n);
  let peak = 1e-9;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    const x = -6 + 12 * c / (n - 1), y = 6 - 12 * r / (n - 1);
    const v = fn(x, y); vals[r * n + c] = v; peak = Math.max(peak, Math.abs(v));
  }
  const bytes = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) bytes[i] = Math.round((vals[i] / peak + 1) * 127);
  paintValues(canvas, n, bytes);
}
