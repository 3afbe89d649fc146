// The hidden layer's view: the input plane's grid lines and the data points as a hidden layer of 2 (or 3)
// neurons sees them, over what the rest of the network does in that space (warp.py computes it all).
// Two neurons: a flat picture with the output's colours behind it. Three: a 3-D cloud you can turn by
// dragging, the grid lines coloured by the network's output along them.
import { CLASS_COLORS, css, decodeB64, labelCSS, paintClasses, paintValues, valueCSS } from "./colors.js";

const floats = (b64) => new Float32Array(decodeB64(b64).buffer);

export class HiddenView {
  constructor(canvas, note) {
    this.canvas = canvas; this.note = note; this.view = null; this.data = null; this.config = null;
    this.yaw = 0.7; this.pitch = 0.45; this.dragFrom = null;
    this.back = document.createElement("canvas");
    canvas.addEventListener("pointerdown", (e) => { this.dragFrom = [e.clientX, e.clientY, this.yaw, this.pitch]; canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.dragFrom) return;
      const [x0, y0, yaw, pitch] = this.dragFrom;
      this.yaw = yaw + (e.clientX - x0) / 120; this.pitch = Math.max(-1.5, Math.min(1.5, pitch + (e.clientY - y0) / 120));
      this.draw();
    });
    canvas.addEventListener("pointerup", () => { this.dragFrom = null; });
  }

  update(view, data, config) { this.view = view; this.data = data; this.config = config; this.draw(); }

  draw() {
    const v = this.view, canvas = this.canvas;
    canvas.classList.toggle("hidden", !v || !!v.error);
    if (!v) { this.note.textContent = "Choose a hidden layer of 2 or 3 neurons to see the input plane as that layer sees it."; return; }
    if (v.error) { this.note.textContent = v.error + "."; return; }
    this.note.textContent = explain(v);
    const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 300, h = canvas.clientHeight || 300;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (v.dims === 2) this.draw2d(ctx, v, w, h); else this.draw3d(ctx, v, w, h);
  }

  draw2d(ctx, v, w, h) {
    const pad = 28, size = Math.min(w, h) - pad - 6, x0 = pad, y0 = 4;
    const [lo, hi] = [v.lo, v.hi];
    const X = (a) => x0 + (a - lo[0]) / (hi[0] - lo[0]) * size, Y = (b) => y0 + (hi[1] - b) / (hi[1] - lo[1]) * size;
    const back = v.back;
    if (back.kind === "class") paintClasses(this.back, back.n, decodeB64(back.data), decodeB64(back.conf), this.config.discretize);
    else paintValues(this.back, back.n, decodeB64(back.data), 0, this.config.discretize);
    ctx.globalAlpha = 0.8; ctx.imageSmoothingEnabled = true; ctx.drawImage(this.back, x0, y0, size, size); ctx.globalAlpha = 1;
    ctx.strokeStyle = "#777"; ctx.lineWidth = 1; ctx.strokeRect(x0, y0, size, size);
    this.lines(ctx, v, (p) => [X(p[0]), Y(p[1])], () => null);
    this.points(ctx, v, (p) => [X(p[0]), Y(p[1])]);
    ctx.fillStyle = "#555"; ctx.font = "11px sans-serif";
    ctx.fillText(`neuron 1 → (${lo[0].toFixed(1)} … ${hi[0].toFixed(1)})`, x0 + 4, y0 + size + 14);
    ctx.save(); ctx.translate(x0 - 8, y0 + size - 4); ctx.rotate(-Math.PI / 2);
    ctx.fillText(`neuron 2 → (${lo[1].toFixed(1)} … ${hi[1].toFixed(1)})`, 0, 0); ctx.restore();
  }

  draw3d(ctx, v, w, h) {
    const c = [0, 1, 2].map((k) => (v.lo[k] + v.hi[k]) / 2), r = [0, 1, 2].map((k) => (v.hi[k] - v.lo[k]) / 2 || 1);
    const cy = Math.cos(this.yaw), sy = Math.sin(this.yaw), cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    const scale = Math.min(w, h) * 0.27;
    const P = (p) => {  // normalise to the box, turn (yaw about the vertical axis, then pitch), project
      const x = (p[0] - c[0]) / r[0], y = (p[2] - c[2]) / r[2], z = (p[1] - c[1]) / r[1];
      const x1 = cy * x + sy * z, z1 = -sy * x + cy * z, y1 = cp * y - sp * z1;
      return [w / 2 + scale * x1, h / 2 - scale * y1];
    };
    ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
    const corners = [];
    for (const a of [-1, 1]) for (const b of [-1, 1]) for (const d of [-1, 1]) corners.push([c[0] + a * r[0], c[1] + b * r[1], c[2] + d * r[2]]);
    for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) {
      const diff = [0, 1, 2].filter((k) => corners[i][k] !== corners[j][k]).length;
      if (diff === 1) { const [a, b] = [P(corners[i]), P(corners[j])]; ctx.beginPath(); ctx.moveTo(...a); ctx.lineTo(...b); ctx.stroke(); }
    }
    const out = decodeB64(v.lineOut);
    const colour = (i) => (v.kind === "class" ? (out[i] === 255 ? "#999" : css(CLASS_COLORS[out[i] % CLASS_COLORS.length])) : valueCSS(out[i] === 255 ? NaN : out[i] / 127 - 1));
    this.lines(ctx, v, P, colour);
    this.points(ctx, v, P);
    ctx.fillStyle = "#555"; ctx.font = "11px sans-serif";
    ctx.fillText("drag to turn · axes: neurons 1, 2, 3", 6, h - 6);
  }

  lines(ctx, v, project, colour) {
    const pts = floats(v.lines), d = v.dims, m = v.samples, half = v.nLines / 2;
    for (let k = 0; k < v.nLines; k++) {
      const axis = k % half === (half - 1) / 2;  // x1 = 0 or x2 = 0: the input plane's own axes
      ctx.lineWidth = axis ? 2.2 : 1;
      for (let s = 0; s < m - 1; s++) {
        const i = k * m + s, a = project(pts.subarray(i * d, i * d + d)), b = project(pts.subarray(i * d + d, i * d + 2 * d));
        if (!a.every(Number.isFinite) || !b.every(Number.isFinite)) continue;
        ctx.strokeStyle = colour(i) || (k < half ? "rgba(40,40,40,.55)" : "rgba(40,40,40,.3)");
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      }
    }
  }

  points(ctx, v, project) {
    const problem = this.data.problem || this.config.problem, d = v.dims;
    const sets = [[floats(v.train), this.data.train, "#fff"]];
    if (this.config.showTestData) sets.push([floats(v.test), this.data.test, "#000"]);
    for (const [pos, pts, stroke] of sets) {
      for (let i = 0; i < pts.length && (i + 1) * d <= pos.length; i++) {
        const [x, y] = project(pos.subarray(i * d, i * d + d));
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        ctx.beginPath(); ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
        ctx.fillStyle = labelCSS(pts[i][2], problem); ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
      }
    }
  }
}

function explain(v) {
  const L = v.layer;
  if (v.stage === "pre")
    return `Layer ${L} before its activation: z = W·h + b, an affine map of what layer ${L - 1 || "0 (the input)"} outputs. ` +
      (L === 1 ? "Straight lines stay straight and parallel: stacked linear layers are one linear map. " : "") +
      "Only the activation bends the plane: switch to 'after the activation'.";
  if (v.last)
    return `The plane as the last hidden layer (${v.dims} neurons) sees it. The output unit is linear + tanh: ` +
      `its boundary here is a straight ${v.dims === 2 ? "line" : "plane"} (where the colour turns). ` +
      "Training bends the grid until the classes fall on either side of it.";
  return `The plane as hidden layer ${L} sees it; the layers after it still bend this space, so the boundary here may be curved.`;
}
