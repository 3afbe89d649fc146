// URL state. Every setting lives in the URL hash, written at load and on every change, so that any link
// reproduces a run. A link is read against the server's schema: a value that is not allowed is named in a
// notice with the values that are, and only that setting falls back to its default. `<name>_hide=true`
// hides a control and everything else that changes the same thing (TensorFlow Playground's names work).
import { S } from "./state.js";

// TF Playground writes these into its links; chainrule has no such settings (ignored while false).
const TF_UNUSED = ["collectStats", "cosX", "cosY", "tutorial"];
const VIEW = { projector: "bool", hideText: "bool", preset: "preset" };  // page-only settings

// Hide names -> the control groups (data-control="...") they hide. TF Playground's HIDABLE_CONTROLS first.
export const HIDE_NAMES = {
  showTestData: ["showTestData"], discretize: ["discretize"], playButton: ["playButton"],
  stepButton: ["stepButton"], resetButton: ["resetButton"], learningRate: ["learningRate", "schedule"],
  activation: ["activation", "layerActivations"], regularization: ["regularization"],
  regularizationRate: ["regularizationRate"], problem: ["problem"], dataset: ["dataset", "ownData", "regenerate"],
  percTrainData: ["percTrainData"], noise: ["noise"], batchSize: ["batchSize"],
  numHiddenLayers: ["numHiddenLayers", "numNeurons"],
  // chainrule's own
  play: ["playButton", "stepButton", "resetButton"], networkShape: ["numHiddenLayers", "numNeurons"],
  regenerate: ["regenerate"], ownData: ["ownData"], features: ["features"], optimizer: ["optimizer"],
  loss: ["loss"], init: ["init"], speed: ["speed"], schedule: ["schedule"], batchNorm: ["batchNorm"],
  dropout: ["dropout"], shuffle: ["shuffle"], presets: ["presets"], hiddenView: ["hiddenView"],
};
export const HIDE_LABELS = {
  showTestData: "Show test data", discretize: "Discretize output", playButton: "Play button",
  stepButton: "Step button", resetButton: "Reset button", learningRate: "Learning rate (and schedule)",
  activation: "Activation (every layer's)", regularization: "Regularization", regularizationRate: "Regularization rate",
  problem: "Problem type", dataset: "Which dataset (and own data)", percTrainData: "Ratio train data",
  noise: "Noise level", batchSize: "Batch size", numHiddenLayers: "# of hidden layers and neurons",
  features: "Features", optimizer: "Optimizer", loss: "Loss", init: "Initialisation", speed: "Speed",
  batchNorm: "Batch norm", dropout: "Dropout", shuffle: "Reshuffling", presets: "Presets", hiddenView: "Hidden layer's view",
};
const VIEW_ONLY = new Set(["showTestData", "discretize", "hiddenView", "presets"]);

export function parseHash(hash = location.hash) {
  const raw = {}, hide = new Set(), bad = [];
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    let k, v;
    try {
      k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      v = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1));
    } catch { bad.push(part.slice(0, 40)); continue; }
    if (k.endsWith("_hide")) { if (v === "true") hide.add(k.slice(0, -5)); continue; }
    raw[k] = v;
  }
  return { raw, hide, bad };
}

/** In words, what a schema entry accepts. */
export function describe(spec) {
  switch (spec.type) {
    case "bool": return "true or false";
    case "int": return `a whole number from ${spec.min} to ${spec.max}`;
    case "num": return spec.openMin ? `a number above ${spec.min}, up to ${spec.max}` : `a number from ${spec.min} to ${spec.max}`;
    case "choice": return "one of " + spec.options.map((o) => (o === "" ? "(empty: the network's activation)" : o)).join(", ");
    case "list": return `a comma-separated list of ${spec.minLen ? spec.minLen + " to " : "up to "}${spec.maxLen} entries, each ${describe(spec.item)}`;
    default: return "?";
  }
}

function convert(spec, raw, key) {
  const fail = () => { throw new Error(describe(spec)); };
  switch (spec.type) {
    case "bool":
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      return fail();
    case "int": {
      if (key === "seed" && /^0?\.\d+$/.test(raw)) return Math.round(Number(raw) * 1e6);  // TF's seeds: "0.59704"
      if (!/^[+-]?\d+$/.test(raw.trim())) fail();
      const v = Number(raw);
      return v >= spec.min && v <= spec.max ? v : fail();
    }
    case "num": {
      const v = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(v) || v > spec.max || v < spec.min || (spec.openMin && v === spec.min)) fail();
      return v;
    }
    case "choice": return spec.options.includes(raw) ? raw : fail();
    case "list": {
      const items = raw === "" ? [] : raw.split(",");
      if (items.length < spec.minLen || items.length > spec.maxLen) fail();
      try { return items.map((x) => convert(spec.item, x, key)); } catch { return fail(); }
    }
    default: return fail();
  }
}

const shown = (v) => (Array.isArray(v) ? v.map((x) => (typeof x === "boolean" ? (x ? 1 : 0) : x)).join(",") : String(v));

/** Read a link: {config, problems, view, points}. A bad value is a problem {key, value, allowed, fallback}. */
export function readLink(raw, badParts = []) {
  const { schema, defaults } = S;
  const problems = badParts.map((p) => ({ key: p, value: "", allowed: null, why: "is not valid URL text (ignored)" }));
  const view = { projector: false, hideText: false, preset: "" };
  let base = { ...defaults };
  if ("preset" in raw) {
    const preset = S.presets.find((p) => p.name === raw.preset);
    if (preset) { view.preset = preset.name; base = { ...defaults, ...preset.patch }; }
    else problems.push({ key: "preset", value: raw.preset, allowed: "one of " + S.presets.map((p) => p.name).join(", "), fallback: "none" });
  }
  const config = { ...base };
  for (const [key, value] of Object.entries(raw)) {
    if (key === "preset" || key === "points") continue;
    if (key in VIEW) {
      if (value === "true" || value === "false") view[key] = value === "true";
      else problems.push({ key, value, allowed: "true or false", fallback: "false" });
      continue;
    }
    if (TF_UNUSED.includes(key)) {
      if (value !== "false" && value !== "") problems.push({ key, value, allowed: null, why: "is a TensorFlow Playground setting that chainrule does not have (ignored)" });
      continue;
    }
    const spec = schema[key];
    if (!spec) { problems.push({ key, value, allowed: null, why: "is not a setting of this playground (ignored)" }); continue; }
    try { config[key] = convert(spec, value, key); }
    catch (e) {
      let allowed = e.message;
      if (key === "networkShape") allowed += ` (the page draws at most ${S.limits.neurons} neurons per layer at 20 frames per second)`;
      problems.push({ key, value, allowed, fallback: shown(base[key]) });
    }
  }
  return { config, problems, view, points: raw.points || "" };
}

// Own data travels in the link too (up to 400 points): x_y_label_split rows joined by "~", split 1 = train.
const MAX_URL_POINTS = 400;
const DATASET_KEY = { classification: "dataset", regression: "regDataset", multiclass: "mcDataset" };
export function customPoints() {
  const config = S.config;
  if (!config || config[DATASET_KEY[config.problem]] !== "custom") return "";
  const n = S.data.train.length + S.data.test.length;
  if (n === 0 || n > MAX_URL_POINTS) return "";
  const row = (s) => ([x, y, t]) => `${+x.toFixed(3)}_${+y.toFixed(3)}_${t}_${s}`;  // as exact as the server keeps them
  return S.data.train.map(row(1)).concat(S.data.test.map(row(0))).join("~");
}
export function pointsCSV(encoded) {
  return encoded.split("~").map((r) => { const [x, y, t, s] = r.split("_"); return `${x},${y},${t},${s === "0" ? "test" : "train"}`; }).join("\n");
}

/** Rewrite the URL hash from the current setup (history.replaceState: no new history entry). */
export function writeHash() {
  if (!S.config) return;
  const pointsText = customPoints();
  const parts = [];
  for (const [k, v] of Object.entries(S.config)) parts.push(`${k}=${encodeURIComponent(shown(v))}`);
  for (const k of ["projector", "hideText"]) if (S.view[k]) parts.push(`${k}=true`);
  if (S.view.preset) parts.push(`preset=${S.view.preset}`);
  if (pointsText) parts.push(`points=${pointsText}`);
  for (const h of S.hidden) parts.push(`${encodeURIComponent(h)}_hide=true`);
  history.replaceState(null, "", location.pathname + location.search + "#" + parts.join("&"));
}

/** The control groups hidden by the link's hide names; presets go too when any setting is hidden. */
export function hiddenGroups() {
  const groups = new Set();
  for (const name of S.hidden) for (const g of HIDE_NAMES[name] || []) groups.add(g);
  if ([...S.hidden].some((n) => n in HIDE_NAMES && !VIEW_ONLY.has(n))) groups.add("presets");  // a preset changes them
  return groups;
}

export function applyHidden() {
  const groups = hiddenGroups();
  let style = document.getElementById("hide-style");
  if (!style) { style = document.createElement("style"); style.id = "hide-style"; document.head.appendChild(style); }
  style.textContent = [...groups].map((g) => `[data-control="${g}"]`).join(", ") + (groups.size ? " { display: none !important; }" : "");
  document.body.classList.toggle("no-own-data", groups.has("ownData"));
  document.body.classList.toggle("no-features", groups.has("features"));
}

/** The notice for a link's problems: each names the setting, the value, what is allowed and what is used. */
export function problemText(p) {
  const what = `${p.key}${p.value !== "" ? "=" + p.value : ""}`;
  if (p.allowed === null) return `${what} ${p.why}.`;
  const use = p.fallback === "" ? "the default (none)" : `the default, ${p.fallback}`;
  return `${what} is not valid: ${p.key} must be ${p.allowed}. Using ${use}.`;
}
