// The network diagram: feature nodes, hidden layers with per-layer controls, neuron thumbnails, weighted
// links (SVG) and bias squares. Built once per network change; each frame only updates colours/widths.
import { decodeB64, paintFunction, paintProbability, paintValues, valueCSS } from "./colors.js";

export const FEATURES = [
  ["x", "X₁", (x, y) => x], ["y", "X₂", (x, y) => y], ["xSquared", "X₁²", (x, y) => x * x],
  ["ySquared", "X₂²", (x, y) => y * y], ["xTimesY", "X₁X₂", (x, y) => x * y],
  ["sinX", "sin(X₁)", (x, y) => Math.sin(x)], ["sinY", "sin(X₂)", (x, y) => Math.sin(y)],
];
export const ACT_LABELS = { tanh: "Tanh", relu: "ReLU", sigmoid: "Sigmoid", linear: "Linear", leakyrelu: "LeakyReLU",
  elu: "ELU", prelu: "PReLU", softplus: "Softplus", gelu: "GELU" };
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const MAX_UI_NEURONS = 8, MAX_UI_LAYERS = 6;

function el(tag, cls, parent) { const e = document.createElement(tag); if (cls) e.className = cls; if (parent) parent.appendChild(e); return e; }

export class NetworkDiagram {
  constructor(wrap, svg, root, card, handlers) {
    Object.assign(this, { wrap, svg, root, card, h: handlers });
    this.links = []; this.biasEls = []; this.thumbs = []; this.hover = null; this.editing = false;
    this.frame = null;
    window.addEventListener("resize", () => this.layoutLinks());
  }

  /** Rebuild for a configuration (features, shape, per-layer options) and a server `network` message. */
  build(cfg, net) {
    this.cfg = cfg; this.net = net;
    const root = this.root; root.innerHTML = ""; this.thumbs = []; this.biasEls = [];
    const shape = cfg.networkShape, L = shape.length, outN = net.sizes[net.sizes.length - 1];
    const cols = L + 2, colW = Math.max(96, Math.min(150, (this.wrap.clientWidth - 60) / cols));
    root.style.paddingLeft = "58px";
    // input column: every feature, enabled or not (click toggles)
    const inCol = el("div", "layer", root); inCol.style.width = colW + "px";
    el("div", "layer-head", inCol);
    this.inputNodes = [];
    for (const [key, label, fn] of FEATURES) {
      const node = el("div", "node input" + (cfg[key] ? "" : " off"), inCol);
      node.dataset.feature = key; node.title = `${label}: click to ${cfg[key] ? "remove" : "add"} this input`;
      const c = el("canvas", "", node); paintFunction(c, 24, fn);
      el("span", "label", node).textContent = label;
      node.addEventListener("click", () => { if (!document.body.classList.contains("no-features")) this.h.toggleFeature(key); });
      node.addEventListener("mouseenter", () => this.h.focus({ feature: key, fn, label }));
      node.addEventListener("mouseleave", () => this.h.focus(null));
      this.inputNodes.push(cfg[key] ? node : null);
    }
    this.inputNodes = this.inputNodes.filter(Boolean);
    // hidden layers
    this.columns = [this.inputNodes];
    for (let l = 0; l < L; l++) {
      const col = el("div", "layer", root); col.style.width = colW + "px";
      const head = el("div", "layer-head", col);
      const pm = el("div", "pm", head); pm.dataset.control = "numNeurons";
      const minus = el("button", "round tiny", pm); minus.textContent = "−"; minus.title = "Remove a neuron";
      const plus = el("button", "round tiny", pm); plus.textContent = "+"; plus.title = "Add a neuron";
      minus.disabled = shape[l] <= 1; plus.disabled = shape[l] >= (this.maxNeurons || MAX_UI_NEURONS);
      minus.onclick = () => this.h.changeNeurons(l, -1); plus.onclick = () => this.h.changeNeurons(l, +1);
      minus.className += " neuron-minus"; plus.className += " neuron-plus";
      el("div", "", head).textContent = `${shape[l]} neuron${shape[l] > 1 ? "s" : ""}`;
      const opts = el("div", "opts", head);
      const act = el("select", "layer-act", opts); act.title = "Activation of this layer"; act.dataset.control = "layerActivations";
      act.appendChild(new Option(`= ${ACT_LABELS[cfg.activation]}`, ""));
      for (const [k, v] of Object.entries(ACT_LABELS)) act.appendChild(new Option(v, k));
      act.value = cfg.layerActivations[l] || "";
      act.onchange = () => this.h.layerOption("layerActivations", l, act.value);
      const row2 = el("div", "row", opts);
      const bnLabel = el("label", "", row2); bnLabel.title = "Batch normalisation before the activation"; bnLabel.dataset.control = "batchNorm";
      const bn = el("input", "", bnLabel); bn.type = "checkbox"; bn.checked = !!cfg.batchNorm[l];
      bnLabel.append("BN"); bn.onchange = () => this.h.layerOption("batchNorm", l, bn.checked);
      const dp = el("select", "layer-dropout", row2); dp.title = "Dropout probability after this layer"; dp.dataset.control = "dropout";
      for (const p of DROPOUTS) dp.appendChild(new Option(p ? `drop ${p}` : "no drop", String(p)));
      dp.value = String(cfg.dropout[l] || 0);
      dp.onchange = () => this.h.layerOption("dropout", l, Number(dp.value));
      this.columns.push(this.makeNodes(col, shape[l], l + 1, false));
    }
    // output column
    const outCol = el("div", "layer", root); outCol.style.width = colW + "px";
    const oh = el("div", "layer-head", outCol);
    oh.innerHTML = `<div>output</div><div class="hint">${net.outputLabel}</div>`;
    this.columns.push(this.makeNodes(outCol, outN, L + 1, true));
    this.sizes = net.sizes;
    requestAnimationFrame(() => this.layoutLinks());
  }

  makeNodes(col, n, layer, isOut) {
    const nodes = [], thumbs = [], biases = [];
    for (let j = 0; j < n; j++) {
      const node = el("div", "node" + (isOut ? " out-node" : ""), col);
      node.dataset.layer = layer; node.dataset.neuron = j;
      thumbs.push(el("canvas", "", node));
      const b = el("div", "bias", node); biases.push(b);
      b.addEventListener("mouseenter", (e) => { this.hover = { kind: "bias", layer: layer - 1, row: j, x: e.clientX, y: e.clientY }; this.showCard(); });
      b.addEventListener("mouseleave", () => this.leave());
      b.addEventListener("click", (e) => { e.stopPropagation(); this.hover = { kind: "bias", layer: layer - 1, row: j, x: e.clientX, y: e.clientY }; this.edit(); });
      node.addEventListener("mouseenter", () => this.h.focus({ layer, neuron: j }));
      node.addEventListener("mouseleave", () => this.h.focus(null));
      node.title = isOut ? "The network's output: hover to show it in the big map" :
        `Neuron ${j + 1} of hidden layer ${layer}: its output over the input plane. Hover to enlarge.`;
      nodes.push(node);
    }
    this.thumbs.push(thumbs); this.biasEls.push(biases);
    return nodes;
  }

  /** Place one SVG path per weight, between the node centres as laid out by the browser. Every position is
   * read before anything is written (reading a layout after each new path forces a layout per link: a
   * 64×64×8 network froze the tab for minutes); the hover and click handlers sit once on the SVG. */
  layoutLinks() {
    if (!this.columns) return;
    const svg = this.svg, base = this.wrap.getBoundingClientRect(), left = this.wrap.scrollLeft;
    const pos = this.columns.map((col) => col.map((node) => {
      const r = node.getBoundingClientRect();
      return [r.left - base.left + left, r.top - base.top + r.height / 2, r.width];
    }));
    const count = pos.reduce((a, c, i) => a + (i ? c.length * pos[i - 1].length : 0), 0);
    svg.classList.toggle("animate", count <= 300);
    const frag = document.createDocumentFragment(), NS = "http://www.w3.org/2000/svg";
    this.links = [];
    for (let l = 1; l < pos.length; l++) {
      const rows = [];
      for (let j = 0; j < pos[l].length; j++) {
        const row = [], [x2, y2] = pos[l][j];
        for (let i = 0; i < pos[l - 1].length; i++) {
          const [x1, y1, w1] = pos[l - 1][i], sx = x1 + w1, mx = (sx + x2) / 2;
          const d = `M${sx},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
          const p = document.createElementNS(NS, "path");
          p.setAttribute("d", d); p.setAttribute("class", "link");
          const hit = document.createElementNS(NS, "path");
          hit.setAttribute("d", d); hit.setAttribute("class", "hit");
          hit.dataset.link = `${l - 1},${j},${i}`;
          frag.appendChild(p); frag.appendChild(hit); row.push(p);
        }
        rows.push(row);
      }
      this.links.push(rows);
    }
    svg.setAttribute("width", this.root.scrollWidth); svg.setAttribute("height", this.root.scrollHeight);
    svg.replaceChildren(frag);
    if (!this.delegated) {
      this.delegated = true;
      const info = (e) => {
        const key = e.target.dataset && e.target.dataset.link; if (!key) return null;
        const [layer, row, col] = key.split(",").map(Number);
        return { kind: "weight", layer, row, col, x: e.clientX, y: e.clientY };
      };
      svg.addEventListener("mouseover", (e) => { const h = info(e); if (h && !this.editing) { this.hover = h; this.showCard(); } });
      svg.addEventListener("mousemove", (e) => { if (info(e) && this.hover && !this.editing) { this.hover.x = e.clientX; this.hover.y = e.clientY; this.placeCard(); } });
      svg.addEventListener("mouseout", (e) => { if (info(e)) this.leave(); });
      svg.addEventListener("click", (e) => { const h = info(e); if (h) { this.hover = h; this.edit(); } });
    }
    if (this.frame) this.update(this.frame);
  }

  /** Apply one frame: link widths/colours, dead links, bias colours, thumbnails. A link's attributes are
   * written only when its (quantised) look changes: writing thousands of them every frame is what limits
   * how large a network the page can animate. */
  update(f) {
    this.frame = f;
    const W = f.weights, B = f.biases;
    for (let l = 0; l < this.links.length && l < W.length; l++) {
      const dead = new Set((f.dead && f.dead[l] || []).map(([j, i]) => j * 1000 + i));
      for (let j = 0; j < this.links[l].length; j++) for (let i = 0; i < this.links[l][j].length; i++) {
        const w = W[l][j] ? W[l][j][i] : 0, p = this.links[l][j][i];
        const colour = valueCSS(w), width = (1 + 9 * Math.min(Math.abs(w), 5) / 5).toFixed(1);
        const isDead = dead.has(j * 1000 + i);
        if (p._colour !== colour) { p.setAttribute("stroke", colour); p._colour = colour; }
        if (p._width !== width) { p.setAttribute("stroke-width", width); p._width = width; }
        if (p._dead !== isDead) { p.classList.toggle("dead", isDead); p._dead = isDead; }
      }
    }
    for (let l = 0; l < this.biasEls.length && l < B.length; l++)
      for (let j = 0; j < this.biasEls[l].length; j++) {
        const b = this.biasEls[l][j], colour = valueCSS(B[l][j]);
        if (b._colour !== colour) { b.style.background = colour; b._colour = colour; }
      }
    const n = f.thumbs.n;
    for (let l = 0; l < this.thumbs.length && l < f.thumbs.layers.length; l++) {
      const bytes = decodeB64(f.thumbs.layers[l]), isOut = l === this.thumbs.length - 1;
      for (let j = 0; j < this.thumbs[l].length && (j + 1) * n * n <= bytes.length; j++) {
        if (isOut && f.problem === "multiclass") paintProbability(this.thumbs[l][j], n, bytes, j * n * n, j);
        else paintValues(this.thumbs[l][j], n, bytes, j * n * n, isOut && f.discretize);
      }
    }
    if (this.hover && !this.editing) this.showCard();
  }

  valueOf(h) {
    const f = this.frame; if (!f) return NaN;
    return h.kind === "weight" ? f.weights[h.layer][h.row][h.col] : f.biases[h.layer][h.row];
  }
  describe(h) {
    const L = this.sizes.length - 1;
    const layerName = (l) => l === L ? "the output" : `hidden layer ${l}`;
    if (h.kind === "bias") return `Bias of neuron ${h.row + 1} in ${layerName(h.layer + 1)}`;
    const from = h.layer === 0 ? this.net.inputs[h.col] : `neuron ${h.col + 1} of layer ${h.layer}`;
    return `Weight from ${from} to neuron ${h.row + 1} of ${layerName(h.layer + 1)}`;
  }
  isDead(h) {
    const f = this.frame;
    return h.kind === "weight" && f && f.dead && f.dead[h.layer] && f.dead[h.layer].some(([j, i]) => j === h.row && i === h.col);
  }
  showCard() {
    const h = this.hover; if (!h) return;
    const v = this.valueOf(h);
    this.card.innerHTML = `${this.describe(h)}<br><b>${Number.isFinite(v) ? v.toFixed(4) : "NaN"}</b>` +
      (this.isDead(h) ? " <i>(dead: L1 pushed it to 0)</i>" : "") + `<div class="hint">click to edit</div>`;
    this.card.classList.remove("hidden", "editing"); this.placeCard();
  }
  placeCard() { const h = this.hover; this.card.style.left = h.x + 14 + "px"; this.card.style.top = h.y + 10 + "px"; }
  leave() { if (!this.editing) { this.hover = null; this.card.classList.add("hidden"); } }
  edit() {
    const h = this.hover; this.editing = true;
    this.card.innerHTML = `${this.describe(h)}<br><input type="number" step="0.1" id="param-edit"> <span class="hint">Enter to set, Esc to cancel</span>`;
    this.card.classList.remove("hidden"); this.card.classList.add("editing"); this.placeCard();
    const input = this.card.querySelector("input");
    input.value = this.valueOf(h).toFixed(3); input.focus(); input.select();
    const done = () => { this.editing = false; this.hover = null; this.card.classList.add("hidden"); };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        const v = Number(input.value);
        if (Number.isFinite(v)) this.h.setParam(h.kind, h.layer, h.row, h.kind === "weight" ? h.col : 0, v);
        done();
      } else if (e.key === "Escape") done();
    });
    input.addEventListener("blur", done);
  }
}
export { MAX_UI_LAYERS, MAX_UI_NEURONS };
