// chainrule playground: the WebSocket to the Python session, the messages it sends, and the render loop.
// Protocol: chainrule/playground/protocol.py. Training happens in Python; this page only draws.
// url.js reads and writes the link, controls.js the controls, draw.js / network.js / warp.js the pictures.
import { LossChart, GradChart, fmt } from "./charts.js";
import { decodeB64 } from "./colors.js";
import { applyPreset, buildControls, change, perLayer, setView, syncControls, updateLayerCount } from "./controls.js";
import { drawActivations, drawHeatmap, drawPicker, drawPoints } from "./draw.js";
import { NetworkDiagram } from "./network.js";
import { $, S } from "./state.js";
import { applyHidden, parseHash, pointsCSV, problemText, readLink, writeHash } from "./url.js";
import { HiddenView } from "./warp.js";

const DATASET_KEY = { classification: "dataset", regression: "regDataset", multiclass: "mcDataset" };
const chart = new LossChart($("loss-chart"), $("chart-tip"));
const grads = new GradChart($("grad-chart"));
const hiddenView = new HiddenView($("hidden-canvas"), $("hidden-note"));
const diagram = new NetworkDiagram($("network-wrap"), $("links-svg"), $("network"), $("hovercard"), {
  toggleFeature: (key) => change({ [key]: !S.config[key] }),
  changeNeurons: (l, d) => { const s = S.config.networkShape.slice(); s[l] = Math.max(1, Math.min(S.limits.neurons, s[l] + d)); change({ networkShape: s }); },
  layerOption: (key, l, v) => { const a = perLayer(key); a[l] = v; change({ [key]: a }); },
  setParam: (kind, layer, row, col, value) => S.send({ type: "set_param", kind, layer, row, col, value }),
  focus: (f) => setFocus(f),
});
let ws = null, pendingFrame = null, rafPending = false, lastPanels = 0, renders = 0, renderMs = 0;
const notices = [];

// ------------------------------------------------------------------------------------------ socket
function connect() {
  const token = new URLSearchParams(location.search).get("token");
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws` +
    (token ? `?token=${encodeURIComponent(token)}` : ""));
  ws.onopen = () => setConn("connected", "ok");
  ws.onclose = (e) => {
    const why = e.reason === "idle" ? "closed (idle)" : e.code === 1008 ? "refused: this link needs its token" : "disconnected";
    setConn(`${why} — reload the page`, "bad");
    document.body.classList.remove("playing");
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const handler = HANDLERS[msg.type];
    if (handler) handler(msg);
  };
}
S.send = (msg) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); };
function setConn(text, cls) { const c = $("conn-status"); c.textContent = text; c.className = "conn " + cls; }

const HANDLERS = {
  hello(m) {
    Object.assign(S, { defaults: m.defaults, limits: m.limits, previews: m.previews || {}, schema: m.schema, presets: m.presets || [] });
    diagram.maxNeurons = S.limits.neurons;
    const { raw, hide, bad } = parseHash();
    S.hidden = hide;
    const link = readLink(raw, bad);
    S.config = link.config;
    S.linkKeys = new Set(Object.keys(raw));
    setView(link.view);
    buildControls(ACTIONS);
    for (const p of link.problems) notice(problemText(p));
    S.send({ type: "config", config: S.config });
    if (link.points && S.config[DATASET_KEY[S.config.problem]] === "custom") S.send({ type: "load_csv", text: pointsCSV(link.points) });
    writeHash();  // at load: a classroom link built from a fresh page is a whole link
    applyHidden();
  },
  config(m) { Object.assign(S.config, m.config); S.initialised = true; syncControls(); writeHash(); },
  error(m) {
    const more = m.dropped ? ` (and ${m.dropped} more errors not shown)` : "";
    if (!S.initialised && m.field && S.schema && m.field in S.schema) {
      // The server refused one of the link's settings: report it, use the default for it alone, go on.
      notice(`${m.field}: ${m.message}. Using the default, ${JSON.stringify(S.defaults[m.field])}.`);
      S.config[m.field] = S.defaults[m.field];
      syncControls(); writeHash();
      S.send({ type: "config", config: S.config });
      return;
    }
    banner(m.message + more, true);
  },
  data(m) { S.data = m; drawPoints(); drawPicker(change); writeHash(); },
  network(m) { S.net = m; diagram.build(S.config, S.net); updateLayerCount(); },
  status(m) {
    document.body.classList.toggle("playing", m.playing);
    const s = $("status-line");
    s.textContent = m.diverged ? "Diverged: the loss became NaN or infinite. Lower the learning rate and press Reset." : (m.message || "");
    s.classList.toggle("diverged", !!m.diverged);
  },
  frame(m) {
    S.initialised = true;
    pendingFrame = m;
    if (!rafPending) { rafPending = true; requestAnimationFrame(renderPending); }
  },
  file(m) {
    const bytes = decodeB64(m.base64), a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes], { type: m.mime }));
    a.download = m.name; document.body.appendChild(a); a.click(); a.remove();
    if (m.notReplayed && m.notReplayed.length)
      banner(`The script does not replay what changed mid-run: ${m.notReplayed.join("; ")}. It says so at its top.`, false);
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
  S.send({ type: "ack", frame: f.frame });
}
function render(f) {
  S.frame = f; renders++;
  $("epoch-number").textContent = formatEpoch(f.epoch);
  const lossText = (v) => (v === null && f.diverged ? "NaN" : fmt(v));
  $("loss-test").textContent = lossText(f.testLoss); $("loss-train").textContent = lossText(f.trainLoss);
  const hasAcc = f.trainAcc !== null && f.trainAcc !== undefined;
  $("acc-row").classList.toggle("hidden", !hasAcc);
  if (hasAcc) { $("acc-test").textContent = pct(f.testAcc); $("acc-train").textContent = pct(f.trainAcc); }
  if (f.resetHistory) { chart.clear(); grads.clear(); }
  chart.add(f.history); chart.draw();
  drawHeatmap();
  if (S.net && f.weights.length === S.net.sizes.length - 1) diagram.update(f);  // a frame of the network shown
  hiddenView.update(f.warp, S.data, S.config);
  $("lr-now").textContent = f.lr !== undefined ? `learning rate now ${Number(f.lr).toPrecision(3)}` : "";
  if (f.gradNorms) grads.add(f.gradNorms);
  const now = performance.now();
  if (f.act && now - lastPanels > 120) { lastPanels = now; grads.draw(); drawActivations(f.act); }
}
const pct = (v) => (Number.isFinite(v) ? (100 * v).toFixed(1) + "%" : "–");
function formatEpoch(e) { const s = String(e).padStart(6, "0"); return s.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

function setFocus(f) {
  S.focus = f;
  if (f && !f.feature) S.send({ type: "focus", layer: f.layer, neuron: f.neuron });
  else S.send({ type: "focus", layer: -1, neuron: 0 });
  drawHeatmap();
}

// ------------------------------------------------------------------------------------------ messages to the reader
let bannerTimer = null;
function banner(text, isError) {
  const b = $("banner");
  $("banner-text").textContent = text; b.className = "banner" + (isError ? " error" : "");
  clearTimeout(bannerTimer); bannerTimer = setTimeout(() => b.classList.add("hidden"), 12000);
}
/** The link notice stays until dismissed: a bad link is reported where it cannot be missed. */
function notice(text) {
  notices.push(text);
  const box = $("notice"), list = $("notice-list");
  const li = document.createElement("li"); li.textContent = text; list.appendChild(li);
  box.classList.remove("hidden");
}
$("banner-close").onclick = () => $("banner").classList.add("hidden");
$("notice-close").onclick = () => { $("notice").classList.add("hidden"); $("notice-list").innerHTML = ""; };

const ACTIONS = {
  banner,
  redraw: () => { drawPoints(); drawHeatmap(); },
  pin: (on) => { if (on) chart.pin(); else chart.unpin(); chart.draw(); },
  relayout: () => { if (S.net) diagram.build(S.config, S.net); chart.dirty = true; chart.draw(); hiddenView.draw(); },
};

// A small handle for tests and the curious (the browser console): window.playground.config etc.
window.playground = {
  get config() { return S.config; }, get frame() { return S.frame; }, get data() { return S.data; },
  get renders() { return renders; }, get renderMs() { return renderMs; }, get notices() { return notices.slice(); },
  get view() { return { ...S.view }; }, send: (msg) => S.send(msg), applyPreset,
};
connect();
