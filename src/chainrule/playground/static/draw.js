// Drawing the output column and the data column: the big heatmap (or a hovered neuron or input), the data
// points over it, the dataset picker and class chooser, the legend, and the activation histograms.
import { CLASS_COLORS, css, decodeB64, labelCSS, paintClasses, paintFunction, paintValues, valueCSS } from "./colors.js";
import { drawHistogram } from "./charts.js";
import { ACT_LABELS } from "./network.js";
import { $, S } from "./state.js";

export const DATASETS = {
  classification: [["circle", "Circle"], ["xor", "Exclusive or"], ["gauss", "Gaussian"], ["spiral", "Spiral"]],
  regression: [["reg-plane", "Plane"], ["reg-gauss", "Multi Gaussian"]],
  multiclass: [["spiral-k", "k-arm spiral"], ["blobs", "k blobs"]],
};
export const DATASET_KEY = { classification: "dataset", regression: "regDataset", multiclass: "mcDataset" };

export function drawHeatmap() {
  const f = S.frame, canvas = $("heatmap"), label = $("heatmap-label"), focus = S.focus, config = S.config;
  if (focus && focus.feature) {
    paintFunction(canvas, 100, focus.fn); label.textContent = `input ${focus.label}`; label.classList.remove("hidden");
    return;
  }
  if (!f) return;
  if (focus && f.focus && f.focus.layer === focus.layer && f.focus.neuron === focus.neuron) {
    const isOut = focus.layer === config.networkShape.length + 1;
    if (isOut && f.problem === "multiclass") {
      paintValues(canvas, f.focus.n, decodeB64(f.focus.data));
      label.textContent = `P(class ${focus.neuron})`;
    } else {
      paintValues(canvas, f.focus.n, decodeB64(f.focus.data), 0, isOut && config.discretize);
      label.textContent = isOut ? "output" : `layer ${focus.layer}, neuron ${focus.neuron + 1}`;
    }
    label.classList.remove("hidden");
    return;
  }
  label.classList.add("hidden");
  const h = f.heat;
  if (h.kind === "class") paintClasses(canvas, h.n, decodeB64(h.data), decodeB64(h.conf), config.discretize);
  else paintValues(canvas, h.n, decodeB64(h.data), 0, config.discretize);
}

export function drawPoints() {
  const c = $("points"), ctx = c.getContext("2d"), W = c.width, problem = S.data.problem || S.config.problem;
  ctx.clearRect(0, 0, W, W);
  const P = (x) => (x + 6) / 12 * W, Q = (y) => (6 - y) / 12 * W;
  const draw = (pts, stroke) => {
    for (const [x, y, t] of pts) {
      ctx.beginPath(); ctx.arc(P(x), Q(y), 8, 0, 2 * Math.PI);
      ctx.fillStyle = labelCSS(t, problem); ctx.fill(); ctx.lineWidth = 2.5; ctx.strokeStyle = stroke; ctx.stroke();
    }
  };
  draw(S.data.train, "#fff");
  if (S.config.showTestData) draw(S.data.test, "#000");
}

export function drawActivations(act) {
  const box = $("act-panels");
  if (!act) return;
  if (box.children.length !== act.length) {
    box.innerHTML = "";
    act.forEach(() => { const d = document.createElement("div"); d.className = "act-panel"; d.innerHTML = "<div></div><canvas></canvas><div></div>"; box.appendChild(d); });
  }
  act.forEach((a, l) => {
    const d = box.children[l];
    d.children[0].textContent = `layer ${l + 1} · ${ACT_LABELS[a.activation] || a.activation}`;
    drawHistogram(d.children[1], a);
    const notes = [];
    if (a.saturated !== null && a.saturated !== undefined) notes.push(`saturated ${(100 * a.saturated).toFixed(0)}%`);
    if (a.dead !== null && a.dead !== undefined) notes.push(`dead ${a.dead} of ${a.units}`);
    d.children[2].innerHTML = notes.map((n) => (/saturated [5-9]\d|saturated 100|dead [1-9]/.test(n) ? `<span class="warn">${n}</span>` : n)).join(" · ");
  });
}

export function drawPicker(onPick) {
  const picker = $("dataset-picker"), config = S.config, problem = config.problem, key = DATASET_KEY[problem];
  picker.innerHTML = "";
  const list = DATASETS[problem].slice();
  if (config[key] === "custom") list.push(["custom", "Your data"]);
  for (const [name, title] of list) {
    const cell = document.createElement("div");
    const c = document.createElement("canvas"); c.width = 68; c.height = 68; c.dataset.dataset = name;
    c.className = config[key] === name ? "selected" : ""; c.title = title;
    const pts = name === "custom" ? S.data.train.concat(S.data.test) : S.previews[name] || [];
    const ctx = c.getContext("2d"); ctx.fillStyle = "#f3f4f5"; ctx.fillRect(0, 0, 68, 68);
    for (const [x, y, t] of pts) { ctx.fillStyle = labelCSS(t, problem); ctx.beginPath(); ctx.arc((x + 6) / 12 * 68, (6 - y) / 12 * 68, 1.8, 0, 7); ctx.fill(); }
    c.onclick = () => { if (name !== "custom") onPick({ [key]: name }); };
    cell.appendChild(c);
    const n = document.createElement("div"); n.className = "name"; n.textContent = title; cell.appendChild(n);
    picker.appendChild(cell);
  }
  $("classes-row").classList.toggle("hidden", problem !== "multiclass");
  drawClassChooser();
}

export function drawClassChooser() {
  const box = $("click-class"), problem = S.config.problem; box.innerHTML = "";
  const choices = problem === "multiclass" ? [...Array(S.config.nClasses).keys()] : problem === "regression" ? [-1, -0.5, 0, 0.5, 1] : [1, -1];
  if (!choices.includes(S.clickClass)) S.clickClass = choices[0];
  for (const c of choices) {
    const b = document.createElement("button"); b.style.background = labelCSS(c, problem);
    b.title = problem === "multiclass" ? `class ${c}` : problem === "regression" ? `target ${c}` : c > 0 ? "class +1 (blue)" : "class −1 (orange)";
    b.className = c === S.clickClass ? "selected" : ""; b.onclick = () => { S.clickClass = c; drawClassChooser(); };
    box.appendChild(b);
  }
}

export function drawLegend() {
  const lg = $("legend");
  if (S.config.problem === "multiclass") {
    lg.innerHTML = "Colour = most likely class, paler = less sure: " + [...Array(S.config.nClasses).keys()]
      .map((k) => `<span style="color:${css(CLASS_COLORS[k])}">● ${k}</span>`).join(" ");
    return;
  }
  lg.innerHTML = `<canvas width="200" height="1"></canvas><div class="ticks"><span>−1</span><span>0</span><span>1</span></div>` +
    `<div>Colour shows the network's output: <span style="color:${valueCSS(-1)}">orange</span> negative, <span style="color:${valueCSS(1)}">blue</span> positive.</div>`;
  const ctx = lg.querySelector("canvas").getContext("2d");
  for (let i = 0; i < 200; i++) { ctx.fillStyle = valueCSS(i / 99.5 - 1); ctx.fillRect(i, 0, 1, 1); }
}
