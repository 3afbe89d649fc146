// Small hand-drawn canvas charts: the loss chart (with a pinned run and hover read-out), the per-layer
// gradient-norm chart and the activation histograms.
import { CLASS_COLORS, css } from "./colors.js";

function fitCanvas(canvas) {
  // Draw at device resolution so lines stay crisp; returns the CSS-pixel size.
  const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return [ctx, w, h];
}

export class LossChart {
  constructor(canvas, tip) {
    this.canvas = canvas; this.tip = tip;
    this.run = { epoch: [], train: [], test: [] };
    this.pinned = null;
    this.hoverX = null;
    this.dirty = true;
    canvas.addEventListener("mousemove", (e) => { this.hoverX = e.offsetX; this.dirty = true; this.draw(); });
    canvas.addEventListener("mouseleave", () => { this.hoverX = null; this.tip.classList.add("hidden"); this.dirty = true; this.draw(); });
  }
  clear() { this.run = { epoch: [], train: [], test: [] }; this.dirty = true; }
  add(rows) {
    for (const r of rows) { this.run.epoch.push(r[0]); this.run.train.push(r[1]); this.run.test.push(r[2]); }
    if (rows.length) this.dirty = true;
  }
  pin() { this.pinned = { epoch: this.run.epoch.slice(), train: this.run.train.slice(), test: this.run.test.slice() }; this.dirty = true; }
  unpin() { this.pinned = null; this.dirty = true; }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const [ctx, w, h] = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const runs = [this.run, this.pinned].filter(Boolean);
    let maxE = 1, maxL = 1e-6;
    for (const r of runs) {
      if (r.epoch.length) maxE = Math.max(maxE, r.epoch[r.epoch.length - 1]);
      for (const s of [r.train, r.test]) for (const v of s) if (Number.isFinite(v) && v > maxL) maxL = v;
    }
    const pad = 3, X = (e) => pad + (w - 2 * pad) * e / maxE, Y = (v) => h - pad - (h - 2 * pad) * Math.min(v, maxL) / maxL;
    ctx.fillStyle = "#9aa4ad"; ctx.font = "10px sans-serif";
    ctx.fillText(maxL.toPrecision(2), 4, 11);
    const line = (r, key, color, dash, width) => {
      const n = r.epoch.length; if (!n) return;
      const stride = Math.max(1, Math.floor(n / (2 * w)));
      ctx.beginPath(); ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = width;
      let started = false;
      for (let i = 0; i < n; i += stride) {
        const v = r[key][i];
        if (!Number.isFinite(v)) { started = false; continue; }
        if (started) ctx.lineTo(X(r.epoch[i]), Y(v)); else { ctx.moveTo(X(r.epoch[i]), Y(v)); started = true; }
      }
      const v = r[key][n - 1];
      if (Number.isFinite(v) && started) ctx.lineTo(X(r.epoch[n - 1]), Y(v));
      ctx.stroke(); ctx.setLineDash([]);
    };
    if (this.pinned) { line(this.pinned, "train", "#f0a39a", [4, 3], 1.5); line(this.pinned, "test", "#c0392b", [4, 3], 1.5); }
    line(this.run, "train", "#9aa4ad", [], 1.5);
    line(this.run, "test", "#111", [], 1.5);
    if (this.hoverX !== null && this.run.epoch.length) {
      const e = Math.round((this.hoverX - pad) / (w - 2 * pad) * maxE);
      const parts = [];
      for (const [r, name] of [[this.run, ""], [this.pinned, "pinned "]]) {
        if (!r || !r.epoch.length) continue;
        const i = nearest(r.epoch, e);
        parts.push(`${name}epoch ${r.epoch[i]}: test ${fmt(r.test[i])}, train ${fmt(r.train[i])}`);
      }
      ctx.strokeStyle = "rgba(0,0,0,.35)"; ctx.beginPath(); ctx.moveTo(X(e), 0); ctx.lineTo(X(e), h); ctx.stroke();
      this.tip.innerHTML = parts.join("<br>"); this.tip.classList.remove("hidden");
    }
  }
}

function nearest(arr, v) {
  let lo = 0, hi = arr.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
export function fmt(v) { return v === null || v === undefined ? "–" : Number.isFinite(v) ? v.toFixed(3) : "NaN"; }

/** log10 of each layer's weight-gradient norm over the last frames, one line per layer. */
export class GradChart {
  constructor(canvas) { this.canvas = canvas; this.hist = []; this.max = 240; }
  clear() { this.hist = []; }
  add(norms) { if (!norms || !norms.some((v) => v !== null)) return; this.hist.push(norms); if (this.hist.length > this.max) this.hist.shift(); }
  draw() {
    const [ctx, w, h] = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, w, h);
    if (!this.hist.length) return;
    const L = this.hist[this.hist.length - 1].length;
    const lg = (v) => Math.log10(Math.max(v, 1e-12));
    let lo = Infinity, hi = -Infinity;
    for (const row of this.hist) for (const v of row) if (Number.isFinite(v) && v > 0) { lo = Math.min(lo, lg(v)); hi = Math.max(hi, lg(v)); }
    if (!Number.isFinite(lo)) { lo = -6; hi = 0; }
    lo = Math.floor(lo) - 0.2; hi = Math.ceil(hi) + 0.2;
    const left = 34, right = 62, Y = (v) => 6 + (h - 14) * (1 - (lg(v) - lo) / (hi - lo));
    ctx.font = "10px sans-serif"; ctx.fillStyle = "#8a949d"; ctx.strokeStyle = "#eef0f2";
    for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) {
      const y = 6 + (h - 14) * (1 - (d - lo) / (hi - lo));
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - right, y); ctx.stroke(); ctx.fillText(`1e${d}`, 2, y + 3);
    }
    const X = (i) => left + (w - left - right) * i / Math.max(1, this.max - 1);
    const labels = [];
    for (let l = 0; l < L; l++) {
      const col = css(layerColor(l, L));
      ctx.strokeStyle = col; ctx.lineWidth = 1.5; ctx.beginPath();
      let started = false;
      this.hist.forEach((row, i) => {
        const v = row[l];
        if (!(v > 0) || !Number.isFinite(v)) { started = false; return; }
        if (started) ctx.lineTo(X(i), Y(v)); else { ctx.moveTo(X(i), Y(v)); started = true; }
      });
      ctx.stroke();
      const last = this.hist[this.hist.length - 1][l];
      labels.push({ col, y: Number.isFinite(last) && last > 0 ? Y(last) + 3 : h - 4,
        text: `${l === L - 1 ? "out" : "L" + (l + 1)} ${Number.isFinite(last) ? last.toExponential(1) : "NaN"}` });
    }
    // keep the end labels at least one line apart
    labels.sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + 11);
    const over = labels.length ? labels[labels.length - 1].y - (h - 2) : 0;
    for (const lab of labels) { ctx.fillStyle = lab.col; ctx.fillText(lab.text, w - right + 4, lab.y - Math.max(0, over)); }
  }
}

export function layerColor(l, L) {
  const t = L <= 1 ? 0 : l / (L - 1);
  return [30 + 200 * t, 60 + 60 * (1 - t), 200 - 150 * t];
}

/** A histogram of one layer's activations with a one-line diagnosis (saturated / dead units). */
export function drawHistogram(canvas, info) {
  const [ctx, w, h] = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const counts = info.hist, n = counts.length, peak = Math.max(1, ...counts);
  ctx.fillStyle = css(CLASS_COLORS[1]);
  for (let i = 0; i < n; i++) {
    const bh = (h - 12) * counts[i] / peak;
    ctx.fillRect(1 + i * (w - 2) / n, h - 11 - bh, (w - 2) / n - 1, bh);
  }
  ctx.fillStyle = "#8a949d"; ctx.font = "9px sans-serif";
  ctx.fillText(info.lo.toPrecision(2), 1, h - 1);
  const hiText = info.hi.toPrecision(2);
  ctx.fillText(hiText, w - ctx.measureText(hiText).width - 1, h - 1);
}
