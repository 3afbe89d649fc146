// The controls: building them, keeping them in step with the setup, and turning a change into a `config`
// message and a new URL. Also the presets, the projector switch, the hidden layer's view choice and the
// classroom link.
import { drawLegend, drawPicker, drawPoints } from "./draw.js";
import { ACT_LABELS, MAX_UI_LAYERS } from "./network.js";
import { $, S } from "./state.js";
import { HIDE_LABELS, applyHidden, writeHash } from "./url.js";

export const OPTIONS = {
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
    ["large", "large N(0, 4²) (saturates)"], ["lecun", "LeCun normal"], ["xavier", "Xavier / Glorot"], ["he", "He / Kaiming"]],
  speed: [[1, "1 epoch / frame"], [2, "2 epochs / frame"], [5, "5 epochs / frame"], [10, "10 epochs / frame"],
    [20, "20 epochs / frame"], [50, "50 epochs / frame"], [0, "as fast as possible"]],
  hiddenStage: [["post", "after the activation"], ["pre", "before it (W·h + b)"]],
};
const SLIDERS = { percTrainData: (v) => v + "%", noise: (v) => v, batchSize: (v) => v, nClasses: (v) => v };
const CHECKS = ["showTestData", "discretize", "shuffle"];
const clamp6 = (v) => Math.max(-6, Math.min(6, Math.round(v * 1000) / 1000));

export function perLayer(key) {
  const L = S.config.networkShape.length, a = S.config[key].slice(0, L);
  while (a.length < L) a.push(key === "layerActivations" ? "" : key === "batchNorm" ? false : 0);
  return a;
}

/** Change some settings: the server applies them (new data, new weights, or in the running network). */
export function change(patch) {
  const config = S.config;
  if (patch.networkShape) for (const k of ["layerActivations", "batchNorm", "dropout"]) {
    const L = patch.networkShape.length, a = (patch[k] || config[k]).slice(0, L);
    patch[k] = a.some((v) => v) ? a : [];
  }
  Object.assign(config, patch);
  S.send({ type: "config", config: patch });
  syncControls(); writeHash();
}

/** A preset: the whole setup from TF Playground's defaults, new data and weights as if its link were opened. */
export function applyPreset(name) {
  const preset = S.presets.find((p) => p.name === name);
  if (!preset) return;
  S.view.preset = name;
  S.config = { ...S.defaults, ...preset.patch };
  S.send({ type: "config", config: S.config, fresh: true });
  syncControls(); writeHash();
}

function fillSelect(sel, key) {
  sel.innerHTML = "";
  for (const o of OPTIONS[key]) {
    const [v, label] = Array.isArray(o) ? o : [o, String(o)];
    sel.appendChild(new Option(label, String(v)));
  }
}

export function buildControls(actions) {
  for (const key of Object.keys(OPTIONS)) {
    const sel = $(key); if (!sel) continue;
    fillSelect(sel, key);
    sel.onchange = () => change({ [key]: typeof S.defaults[key] === "number" ? Number(sel.value) : sel.value });
  }
  $("hiddenView").onchange = () => change({ hiddenView: Number($("hiddenView").value) });
  for (const key of Object.keys(SLIDERS)) {
    const s = $(key);
    s.oninput = () => { $(key + "-value").textContent = SLIDERS[key](s.value); };
    s.onchange = () => change({ [key]: Number(s.value) });
  }
  for (const key of CHECKS) $(key).onchange = () => { change({ [key]: $(key).checked }); actions.redraw(); };
  $("play-pause-button").onclick = () => S.send({ type: document.body.classList.contains("playing") ? "pause" : "play" });
  $("next-step-button").onclick = () => S.send({ type: "step" });
  $("reset-button").onclick = () => S.send({ type: "reset" });
  $("regenerate").onclick = () => S.send({ type: "regenerate" });
  $("add-layers").onclick = () => { if (S.config.networkShape.length < MAX_UI_LAYERS) change({ networkShape: [...S.config.networkShape, 2] }); };
  $("remove-layer").onclick = () => { if (S.config.networkShape.length) change({ networkShape: S.config.networkShape.slice(0, -1) }); };
  $("clear-points").onclick = () => S.send({ type: "clear_points" });
  $("download-data").onclick = () => S.send({ type: "export", what: "data" });
  $("export-checkpoint").onclick = () => S.send({ type: "export", what: "checkpoint" });
  $("export-script").onclick = () => S.send({ type: "export", what: "script" });
  $("csv-file").onchange = async (e) => {
    const file = e.target.files[0]; e.target.value = "";
    if (!file) return;
    if (file.size > S.limits.csvChars) { actions.banner(`That file is ${file.size} bytes; the limit is ${S.limits.csvChars}.`, true); return; }
    S.send({ type: "load_csv", text: await file.text() });
  };
  $("points").addEventListener("click", (e) => {
    if (document.body.classList.contains("no-own-data")) return;  // the classroom link hides own data
    const r = e.target.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 12 - 6, y = 6 - ((e.clientY - r.top) / r.height) * 12;
    S.send({ type: "add_point", x: clamp6(x), y: clamp6(y), label: S.clickClass, split: e.shiftKey ? "test" : "train" });
  });
  $("pin-run").onclick = () => { actions.pin(true); S.pinnedConfig = { ...S.config }; $("unpin-run").disabled = false; updatePinned(); };
  $("unpin-run").onclick = () => { actions.pin(false); S.pinnedConfig = null; $("unpin-run").disabled = true; updatePinned(); };
  $("projector-button").onclick = () => { setView({ projector: !S.view.projector }); actions.relayout(); };
  buildPresets();
  buildHideList();
  syncControls();
}

export function setView(patch) {
  Object.assign(S.view, patch);
  document.body.classList.toggle("projector", S.view.projector);
  document.body.classList.toggle("hide-text", S.view.hideText);
  $("projector-button").classList.toggle("on", S.view.projector);
  writeHash();
}

function buildPresets() {
  const box = $("preset-buttons"); box.innerHTML = "";
  for (const p of S.presets) {
    const b = document.createElement("button");
    b.className = "text-button preset"; b.dataset.preset = p.name; b.textContent = p.title; b.title = p.look;
    b.onclick = () => applyPreset(p.name);
    box.appendChild(b);
  }
}

function updatePreset() {
  const note = $("preset-note"), preset = S.presets.find((p) => p.name === S.view.preset);
  document.querySelectorAll("#preset-buttons button").forEach((b) => b.classList.toggle("selected", b.dataset.preset === S.view.preset));
  if (!preset) { note.classList.add("hidden"); return; }
  const want = { ...S.defaults, ...preset.patch };
  const changed = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(S.config[k]));
  note.innerHTML = `<b>${preset.title}.</b> ${preset.look}` + (changed.length ? ` <i>(changed since: ${changed.join(", ")})</i>` : "");
  note.classList.remove("hidden");
}

function buildHideList() {
  const hl = $("hide-list"); hl.innerHTML = "";
  for (const [name, label] of Object.entries(HIDE_LABELS)) {
    const lab = document.createElement("label"), cb = document.createElement("input");
    cb.type = "checkbox"; cb.dataset.hide = name; cb.onchange = updateClassroomLink;
    lab.title = `${name}_hide=true`; lab.append(cb, " " + label); hl.appendChild(lab);
  }
}

export function updateClassroomLink() {
  const extra = [...document.querySelectorAll("#hide-list input:checked")].map((c) => `&${c.dataset.hide}_hide=true`).join("");
  const hash = location.hash.replace(/&[A-Za-z0-9%]+_hide=true/g, "");
  $("classroom-link").value = location.origin + location.pathname + location.search + hash + extra;
}

export function syncControls() {
  const config = S.config;
  for (const key of Object.keys(OPTIONS)) {
    const sel = $(key); if (!sel) continue;
    const v = String(config[key]);
    if (![...sel.options].some((o) => o.value === v)) sel.appendChild(new Option(v, v));
    sel.value = v;
  }
  for (const key of Object.keys(SLIDERS)) { $(key).value = config[key]; $(key + "-value").textContent = SLIDERS[key](config[key]); }
  for (const key of CHECKS) $(key).checked = !!config[key];
  const opt = config.optimizer, sch = config.schedule;
  const show = (sel, on) => document.querySelectorAll(sel).forEach((e) => e.classList.toggle("hidden", !on));
  show(".opt-momentum", ["momentum", "nesterov"].includes(opt)); show(".opt-adam", opt === "adam"); show(".opt-rmsprop", opt === "rmsprop");
  show(".sched-param", sch === "step" || sch === "exp"); show(".sched-step", sch === "step"); show(".sched-cos", sch === "cosine");
  $("regularizationRate").disabled = config.regularization === "none";
  $("loss").disabled = config.problem === "regression";
  $("loss").title = config.problem === "regression" ? "Regression always uses squared error" : "";
  const hv = $("hiddenView"); hv.innerHTML = "";
  hv.appendChild(new Option("off", "0"));
  config.networkShape.forEach((n, l) => {
    const o = new Option(`hidden layer ${l + 1} (${n} neuron${n > 1 ? "s" : ""})`, String(l + 1));
    o.disabled = n !== 2 && n !== 3; hv.appendChild(o);
  });
  hv.value = String(config.hiddenView <= config.networkShape.length ? config.hiddenView : 0);
  updateLayerCount(); drawPicker(change); drawLegend(); drawPoints(); updatePinned(); updatePreset(); applyHidden();
}

export function updateLayerCount() {
  const L = S.config.networkShape.length;
  $("num-layers").textContent = L; $("layers-label").textContent = L === 1 ? "hidden layer" : "hidden layers";
  $("add-layers").disabled = L >= MAX_UI_LAYERS; $("remove-layer").disabled = L === 0;
}

function updatePinned() {
  const info = $("pinned-info"), pinned = S.pinnedConfig, config = S.config;
  if (!pinned) { info.textContent = ""; return; }
  const diff = Object.keys(config).filter((k) => !["showTestData", "discretize", "speed", "hiddenView", "hiddenStage"].includes(k) &&
    JSON.stringify(config[k]) !== JSON.stringify(pinned[k])).map((k) => `${k}: ${pinned[k]} → ${config[k]}`);
  info.textContent = diff.length ? "Changed since pinning: " + diff.join("; ") : "Pinned. Now change a setting and press Reset.";
}
