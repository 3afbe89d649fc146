// The page's shared state: what the server sent (defaults, schema, limits, presets, data, network, the last
// frame) and what the page holds (the setup, the classroom hides, the view options). One object, read and
// written by app.js, controls.js, url.js and the drawing modules.
export const $ = (id) => document.getElementById(id);

export const S = {
  config: null, defaults: null, schema: null, limits: null, previews: {}, presets: [],
  data: { train: [], test: [] }, net: null, frame: null,
  hidden: new Set(),      // classroom: the control groups hidden by the link (url.js)
  view: { projector: false, hideText: false, preset: "" },  // settings that live only in the page and its URL
  focus: null, clickClass: 1, initialised: false, pinnedConfig: null,
  send: () => {},         // set by app.js once the socket exists
};
