// chainrule playground: page state, URL state, the WebSocket to the Python session, and controls.
// Protocol: see chainrule/playground/protocol.py. Training happens in Python; this page only draws.
import { CLASS_COLORS, css, decodeB64, labelCSS, paintClasses, paintFunction, paintValues, valueCSS } from "./colors.js";
import { LossChart, GradChart, drawHistogram, fmt } from "./charts.js";
import { NetworkDiagram, ACT_LABELS, MAX_UI_LAYERS } from "./network.js";

const $ = (id) => document.getElementById(id);
const OPTIONS = {
  learningRate: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  activation: Object.entries(ACT_LABELS),
  regularization: [["none", "None"], ["L1", "L1"], ["L2", "L2"]],
  regularizationRate: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  problem: [["classification", "Classification"], ["regression", "Regression"], ["multiclass", "Multi-class"]],
  optimizer: [["sgd", "SGD"], ["momentum", "Momentum"], ["nesterov", "Nesterov"], ["adagrad", "Adagrad"], ["rmsprop", "RMSprop"], ["adam", "Adam"]],
  loss: [["mse", "Squared error"], ["ce", "Cross-entropy"]],
  momentum: [0.5, 0.8, 0.9, 0.95, 0.99], beta1: [0.5, 0.8, 0.9, 0.95, 0.99], beta2: [0.9, 0.99, 0.999, 0.9999],
  alpha: [0.9, 0.95, 0.99, 0.999],
  schedule: [["none", "constant"], ["step", "step decay"], ["exp", "exponential"], ["cosine", "cosine"]],
  gamma: [0.1, 0.5, 0.9, 0.99, 0.999], stepSize: [10, 50, 100, 200, 500, 1000], tMax: [100, 200, 500, 1000, 2000, 5000],
  init: [["tf", "U(−0.5, 0.5), bias 0.1"], ["zeros", "all zeros (symmetry!)"], ["small", "small N(0, 0.01²)"],
    ["lecun", "LeCun normal"], ["xavier", "Xavier / Glorot"], ["he", "He / Kaiming"]],
  speed: [[1, "1 epoch / frame"], [2, "2 epochs / frame"], [5, "5 epochs / frame"], [10, "10 epochs / frame"],
    [20, "20 epochs / frame"], [50, "50 epochs / frame"], [0, "as fast as possible"]],
};
const DATASETS = {
  classification: [["circle", "Circle"], ["xor", "Exclusive or"], ["gauss", "Gaussian"], ["spiral", "Spiral"]],
  regression: [["reg-plane", "Plane"], ["reg-gauss", "Multi Gaussian"]],
  multiclass: [["spiral-k", "k-arm spiral"], ["blobs", "k blobs"]],
};
const DATASET_KEY = { classification: "dataset", regression: "regDataset", multiclass: "mcDataset" };
const SLIDERS = { percTrainData: (v) => v + "%", noise: (v) => v, batchSize: (v) => v, nClasses: (v) => v };
const CHECKS = ["showTestData", "discretize", "shuffle"];
const HIDEABLE = ["play", "learningRate", "activation", "regularization", "regularizationRate", "problem", "optimizer",
  "loss", "dataset", "percTrainData", "noise", "batchSize", "regenerate", "ownData", "networkShape", "showTestData",
  "discretize", "init", "speed", "schedule"];

let config = null, defaults = null, limits = null, previews = {}, urlPatch = {}, hidden = new Set();
let data = { train: [], test: [] }, net = null, lastFrame = null, pendingFrame = null, rafPending = false;
let focus = null, clickClass = 1, ws = null, initialised = false, pinnedConfig = null, lastPanels = 0;
const chart = new LossChart($("loss-chart"), $("chart-tip"));
const grads = new GradChart($("grad-chart"));
const diagram = new NetworkDiagram($("network-wrap"), $("links-svg"), $("network"), $("hovercard"), {
  toggleFeature: (key) => change({ [key]: !config[key] }),
  changeNeurons: (l, d) => { const s = config.networkShape.slice(); s[l] = Math.max(1, Math.min(8, s[l] + d)); change({ networkShape: s }); },
  layerOption: (key, l, v) => { const a = perLayer(key); a[l] = v; change({ [key]: a }); },
  setParam: (kind, layer, row, col, value) => send({ type: "set_param", kind, layer, row, col, value }),
  focus: (f) => setFocus(f),
});

// ------------------------------------------------------------------------------------------ URL state
function parseHash() {
  const patch = {}, hide = new Set();
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const [k, raw = ""] = part.split("=").map(decodeURIComponent);
    if (k.endsWith("_hide")) { if (raw === "true") hide.add(k.slice(0, -5)); continue; }
    patch[k] = raw;
  }
  return [patch, hide];
}
function typed(key, raw) {
  // Turn a URL string into the type of the default; the server validates the result.
  const d = defaults[key];
  if (typeof d === "boolean") return raw === "true";
  if (key === "seed" && /^0?\.\d+$/.test(raw)) return Math.round(Number(raw) * 1e6);  // TF's seeds: "0.59704"
  if (typeof d === "number") return raw === "" ? NaN : Number(raw);
  if (Array.isArray(d) || ["networkShape", "layerActivations", "batchNorm", "dropout"].includes(key)) {
    const items = raw === "" ? [] : raw.split(",");
    if (key === "networkShape" || key === "dropout") return items.map(Number);
    if (key === "batchNorm") return items.map((s) => s === "1" || s === "true");
    return items;
  }
  return raw;
}
function writeHash() {
  const parts = [];
  for (const [k, v] of Object.entries(config)) {
    const s = Array.isArray(v) ? v.map((x) => (typeof x === "boolean" ? (x ? 1 : 0) : x)).join(",") : String(v);
    parts.push(`${k}=${encodeURIComponent(s)}`);
  }
  const pts = customPoints();
  if (pts) parts.push(`points=${pts}`);
  for (const h of hidden) parts.push(`${h}_hide=true`);
  history.replaceState(null, "", "#" + parts.join("&"));
  updateClassroomLink();
}

// Own data travels in the link too (up to 400 points): x_y_label_split rows joined by "~", split 1 = train.
const MAX_URL_POINTS = 400;
function customPoints() {
  if (!config || config[DATASET_KEY[config.problem]] !== "custom") return "";
  const n = data.train.length + data.test.length;
  if (n === 0 || n > MAX_URL_POINTS) return "";
  const row = (s) => ([x, y, t]) => `${+x.toFixed(2)}_${+y.toFixed(2)}_${t}_${s}`;
  return data.train.map(row(1)).concat(data.test.map(row(0))).join("~");
}
function pointsCSV(encoded) {
  return encoded.split("~").map((r) => { const [x, y, t, s] = r.split("_"); return `${x},${y},${t},${s === "0" ? "test" : "train"}`; }).join("\n");
}

// ------------------------------------------------------------------------------------------ socket
function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = () => setConn("connected", "ok");
  ws.onclose = (e) => {
    setConn(e.reason === "idle" ? "closed (idle) — reload the page" : "disconnected — reload the page", "bad");
    document.body.classList.remove("playing");
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const handler = HANDLERS[msg.type];
    if (handler) handler(msg);
  };
}
function send(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }
function setConn(text, cls) { const c = $("conn-status"); c.textContent = text; c.className = "conn " + cls; }

const HANDLERS = {
  hello(m) {
    defaults = m.defaults; limits = m.limits; previews = m.previews || {};
    const [patch, hide] = parseHash(); hidden = hide;
    urlPatch = {};
    for (const [k, raw] of Object.entries(patch)) if (k in defaults) urlPatch[k] = typed(k, raw);
    config = { ...defaults, ...urlPatch };
    applyHidden(); buildControls();
    send({ type: "config", config });
    if (patch.points && config[DATASET_KEY[config.problem]] === "custom") send({ type: "load_csv", text: pointsCSV(patch.points) });
  },
  config(m) { Object.assign(config, m.config); initialised = true; syncControls(); writeHash(); },
  error(m) {
    if (!initialised && m.field && m.field in urlPatch) {
      // A link with a setting the server refuses: drop that one setting and go on with the rest.
      banner(`The link's setting “${m.field}” was not valid (${m.message}); using the default.`, true);
      delete urlPatch[m.field]; config = { ...defaults, ...urlPatch }; syncControls();
      send({ type: "config", config });
      return;
    }
    banner(m.message, true);
  },
  data(m) { data = m; drawPoints(); drawPicker(); if (initialised) writeHash(); },
  network(m) { net = m; diagram.build(config, net); updateLayerCount(); },
  status(m) {
    document.body.classList.toggle("playing", m.playing);
    const s = $("status-line");
    s.textContent = m.diverged ? "Diverged: the loss became NaN or infinite. Lower the learning rate and press Reset." : (m.message || "");
    s.classList.toggle("diverged", !!m.diverged);
  },
  frame(m) {
    initialised = true;
    pendingFrame = m;
    if (!rafPending) { rafPending = true; requestAnimationFrame(renderPending); }
  },
  file(m) {
    const bytes = decodeB64(m.base64), a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes], { type: m.mime }));
    a.download = m.name; document.body.appendChild(a); a.click(); a.remove();
  },
};

// ------------------------------------------------------------------------------------------ drawing
function renderPending() {
  rafPending = false;
  const f = pendingFrame; if (!f) return;
  pendingFrame = null;
  const t0 = performance.now();
  render(f);
  renderMs += performance.now() - t0;
  send({ type: "ack", frame: f.frame });
}
let renders = 0, renderMs = 0;
function render(f) {
  lastFrame = f; renders++;
  $("epoch-number").textContent = formatEpoch(f.epoch);
  const lossText = (v) => (v === null && f.diverged ? "NaN" : fmt(v));
  $("loss-test").textContent = lossText(f.testLoss); $("loss-train").textContent = lossText(f.trainLoss);
  const hasAcc = f.trainAcc !== null && f.trainAcc !== undefined;
  $("acc-row").classList.toggle("hidden", !hasAcc);
  if (hasAcc) { $("acc-test").textContent = pct(f.testAcc); $("acc-train").textContent = pct(f.trainAcc); }
  if (f.resetHistory) { chart.clear(); grads.clear(); }
  chart.add(f.history); chart.draw();
  drawHeatmap();
  diagram.update(f);
  $("lr-now").textContent = f.lr !== undefined ? `learning rate now ${Number(f.lr).toPrecision(3)}` : "";
  grads.add(f.gradNorms);
  const now = performance.now();
  if (now - lastPanels > 120) { lastPanels = now; grads.draw(); drawActivations(f.act); }
}
const pct = (v) => (Number.isFinite(v) ? (100 * v).toFixed(1) + "%" : "–");
function formatEpoch(e) { const s = String(e).padStart(6, "0"); return s.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

function drawHeatmap() {
  const f = lastFrame, canvas = $("heatmap"), label = $("heatmap-label");
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
function setFocus(f) {
  focus = f;
  if (f && !f.feature) send({ type: "focus", layer: f.layer, neuron: f.neuron });
  else send({ type: "focus", layer: -1, neuron: 0 });
  drawHeatmap();
}
function drawPoints() {
  const c = $("points"), ctx = c.getContext("2d"), W = c.width, problem = data.problem || config.problem;
  ctx.clearRect(0, 0, W, W);
  const P = (x) => (x + 6) / 12 * W, Q = (y) => (6 - y) / 12 * W;
  const draw = (pts, stroke) => {
    for (const [x, y, t] of pts) {
      ctx.beginPath(); ctx.arc(P(x), Q(y), 8, 0, 2 * Math.PI);
      ctx.fillStyle = labelCSS(t, problem); ctx.fill(); ctx.lineWidth = 2.5; ctx.strokeStyle = stroke; ctx.stroke();
    }
  };
  draw(data.train, "#fff");
  if (config.showTestData) draw(data.test, "#000");
}
function drawActivations(act) {
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
function drawPicker() {
  const picker = $("dataset-picker"), problem = config.problem, key = DATASET_KEY[problem];
  picker.innerHTML = "";
  const list = DATASETS[problem].slice();
  if (config[key] === "custom") list.push(["custom", "Your data"]);
  for (const [name, title] of list) {
    const cell = document.createElement("div");
    const c = document.createElement("canvas"); c.width = 68; c.height = 68; c.dataset.dataset = name;
    c.className = config[key] === name ? "selected" : ""; c.title = title;
    const pts = name === "custom" ? data.train.concat(data.test) : previews[name] || [];
    const ctx = c.getContext("2d"); ctx.fillStyle = "#f3f4f5"; ctx.fillRect(0, 0, 68, 68);
    for (const [x, y, t] of pts) { ctx.fillStyle = labelCSS(t, problem); ctx.beginPath(); ctx.arc((x + 6) / 12 * 68, (6 - y) / 12 * 68, 1.8, 0, 7); ctx.fill(); }
    c.onclick = () => { if (name !== "custom") change({ [key]: name }); };
    cell.appendChild(c);
    const n = document.createElement("div"); n.className = "name"; n.textContent = title; cell.appendChild(n);
    picker.appendChild(cell);
  }
  $("classes-row").classList.toggle("hidden", problem !== "multiclass");
  drawClassChooser();
}
function drawClassChooser() {
  const box = $("click-class"), problem = config.problem; box.innerHTML = "";
  const choices = problem === "multiclass" ? [...Array(config.nClasses).keys()] : problem === "regression" ? [-1, -0.5, 0, 0.5, 1] : [1, -1];
  if (!choices.includes(clickClass)) clickClass = choices[0];
  for (const c of choices) {
    const b = document.createElement("button"); b.style.background = labelCSS(c, problem);
    b.title = problem === "multiclass" ? `class ${c}` : problem === "regression" ? `target ${c}` : c > 0 ? "class +1 (blue)" : "class −1 (orange)";
    b.className = c === clickClass ? "selected" : ""; b.onclick = () => { clickClass = c; drawClassChooser(); };
    box.appendChild(b);
  }
}
function drawLegend() {
  const lg = $("legend");
  if (config.problem === "multiclass") {
    lg.innerHTML = "Colour = most likely class, paler = less sure: " + [...Array(config.nClasses).keys()]
      .map((k) => `<span style="color:${css(CLASS_COLORS[k])}">● ${k}</span>`).join(" ");
    return;
  }
  lg.innerHTML = `<canvas width="200" height="1"></canvas><div class="ticks"><span>−1</span><span>0</span><span>1</span></div>` +
    `<div>Colour shows the network's output: <span style="color:${valueCSS(-1)}">orange</span> negative, <span style="color:${valueCSS(1)}">blue</span> positive.</div>`;
  const ctx = lg.querySelector("canvas").getContext("2d");
  for (let i = 0; i < 200; i++) { ctx.fillStyle = valueCSS(i / 99.5 - 1); ctx.fillRect(i, 0, 1, 1); }
}

// ------------------------------------------------------------------------------------------ controls
function perLayer(key) {
  const L = config.networkShape.length, a = config[key].slice(0, L);
  while (a.length < L) a.push(key === "layerActivations" ? "" : key === "batchNorm" ? false : 0);
  return a;
}
function change(patch) {
  if (patch.networkShape) for (const k of ["layerActivations", "batchNorm", "dropout"]) {
    const L = patch.networkShape.length, a = (patch[k] || config[k]).slice(0, L);
    if (a.some((v) => v)) patch[k] = a; else patch[k] = [];
  }
  Object.assign(config, patch);
  send({ type: "config", config: patch });
  syncControls(); writeHash();
}
function fillSelect(sel, key) {
  sel.innerHTML = "";
  for (const o of OPTIONS[key]) {
    const [v, label] = Array.isArray(o) ? o : [o, String(o)];
    sel.appendChild(new Option(label, String(v)));
  }
}
function buildControls() {
  for (const key of Object.keys(OPTIONS)) {
    const sel = $(key); if (!sel) continue;
    fillSelect(sel, key);
    sel.onchange = () => change({ [key]: typeof defaults[key] === "number" ? Number(sel.value) : sel.value });
  }
  for (const key of Object.keys(SLIDERS)) {
    const s = $(key);
    s.oninput = () => { $(key + "-value").textContent = SLIDERS[key](s.value); };
    s.onchange = () => change({ [key]: Number(s.value) });
  }
  for (const key of CHECKS) $(key).onchange = () => { change({ [key]: $(key).checked }); if (key === "showTestData") drawPoints(); if (key === "discretize") drawHeatmap(); };
  $("play-pause-button").onclick = () => send({ type: document.body.classList.contains("playing") ? "pause" : "play" });
  $("next-step-button").onclick = () => send({ type: "step" });
  $("reset-button").onclick = () => send({ type: "reset" });
  $("regenerate").onclick = () => send({ type: "regenerate" });
  $("add-layers").onclick = () => { if (config.networkShape.length < MAX_UI_LAYERS) change({ networkShape: [...config.networkShape, 2] }); };
  $("remove-layer").onclick = () => { if (config.networkShape.length) change({ networkShape: config.networkShape.slice(0, -1) }); };
  $("clear-points").onclick = () => send({ type: "clear_points" });
  $("download-data").onclick = () => send({ type: "export", what: "data" });
  $("export-checkpoint").onclick = () => send({ type: "export", what: "checkpoint" });
  $("export-script").onclick = () => send({ type: "export", what: "script" });
  $("csv-file").onchange = async (e) => {
    const file = e.target.files[0]; e.target.value = "";
    if (!file) return;
    if (file.size > limits.csvChars) { banner(`That file is ${file.size} bytes; the limit is ${limits.csvChars}.`, true); return; }
    send({ type: "load_csv", text: await file.text() });
  };
  $("points").addEventListener("click", (e) => {
    const r = e.target.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 12 - 6, y = 6 - ((e.clientY - r.top) / r.height) * 12;
    send({ type: "add_point", x: clamp6(x), y: clamp6(y), label: clickClass, split: e.shiftKey ? "test" : "train" });
  });
  $("pin-run").onclick = () => { chart.pin(); pinnedConfig = { ...config }; $("unpin-run").disabled = false; updatePinned(); chart.draw(); };
  $("unpin-run").onclick = () => { chart.unpin(); pinnedConfig = null; $("unpin-run").disabled = true; updatePinned(); chart.draw(); };
  const hl = $("hide-list"); hl.innerHTML = "";
  for (const h of HIDEABLE) {
    const lab = document.createElement("label"), cb = document.createElement("input");
    cb.type = "checkbox"; cb.dataset.hide = h; cb.onchange = updateClassroomLink;
    lab.append(cb, " " + h); hl.appendChild(lab);
  }
  syncControls();
}
const clamp6 = (v) => Math.max(-6, Math.min(6, Math.round(v * 1000) / 1000));
function syncControls() {
  for (const key of Object.keys(OPTIONS)) {
    const sel = $(key); if (!sel) continue;
    const v = String(config[key]);
    if (![...sel.options].some((o) => o.value === v)) sel.appendChild(new Option(v, v));
    sel.value = v;
  }
  for (const key of Object.keys(SLIDERS)) { $(key).value = config[key]; $(key + "-value").textContent = SLIDERS[key](config[key]); }
  for (const key of CHECKS) $(key).checked = !!config[key];
  const opt = config.optimizer;
  document.querySelectorAll(".opt-momentum").forEach((e) => e.classList.toggle("hidden", !["momentum", "nesterov"].includes(opt)));
  document.querySelectorAll(".opt-adam").forEach((e) => e.classList.toggle("hidden", opt !== "adam"));
  document.querySelectorAll(".opt-rmsprop").forEach((e) => e.classList.toggle("hidden", opt !== "rmsprop"));
  const sch = config.schedule;
  document.querySelectorAll(".sched-param").forEach((e) => e.classList.toggle("hidden", sch === "none" || sch === "cosine"));
  document.querySelectorAll(".sched-step").forEach((e) => e.classList.toggle("hidden", sch !== "step"));
  document.querySelectorAll(".sched-cos").forEach((e) => e.classList.toggle("hidden", sch !== "cosine"));
  $("regularizationRate").disabled = config.regularization === "none";
  $("loss").disabled = config.problem === "regression";
  $("loss").title = config.problem === "regression" ? "Regression always uses squared error" : "";
  updateLayerCount(); drawPicker(); drawLegend(); drawPoints(); updatePinned();
}
function updateLayerCount() {
  const L = config.networkShape.length;
  $("num-layers").textContent = L; $("layers-label").textContent = L === 1 ? "hidden layer" : "hidden layers";
  $("add-layers").disabled = L >= MAX_UI_LAYERS; $("remove-layer").disabled = L === 0;
}
function updatePinned() {
  const info = $("pinned-info");
  if (!pinnedConfig) { info.textContent = ""; return; }
  const diff = Object.keys(config).filter((k) => !["showTestData", "discretize", "speed"].includes(k) &&
    JSON.stringify(config[k]) !== JSON.stringify(pinnedConfig[k])).map((k) => `${k}: ${pinnedConfig[k]} → ${config[k]}`);
  info.textContent = diff.length ? "Changed since pinning: " + diff.join("; ") : "Pinned. Now change a setting and press Reset.";
}
function applyHidden() { for (const h of hidden) document.querySelectorAll(`[data-control="${h}"]`).forEach((e) => e.classList.add("ctl-hidden")); }
function updateClassroomLink() {
  const extra = [...document.querySelectorAll("#hide-list input:checked")].map((c) => `&${c.dataset.hide}_hide=true`).join("");
  const base = location.href.split("#")[0], hash = location.hash.replace(/&[A-Za-z0-9]+_hide=true/g, "");
  $("classroom-link").value = base + hash + extra;
}
let bannerTimer = null;
function banner(text, isError) {
  const b = $("banner"); b.textContent = text; b.className = "banner" + (isError ? " error" : "");
  clearTimeout(bannerTimer); bannerTimer = setTimeout(() => b.classList.add("hidden"), 7000);
}

// A small handle for tests and the curious (the browser console): window.playground.config etc.
window.playground = { get config() { return config; }, get frame() { return lastFrame; }, get data() { return data; },
  get renders() { return renders; }, get renderMs() { return renderMs; }, send };
connect();
