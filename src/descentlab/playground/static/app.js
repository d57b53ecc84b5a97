// descentlab playground: the page asks the JSON API and draws what it answers.
// The whole view is in `state`, mirrored in the URL (#state=...), so a link reproduces it.
"use strict";

const COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4"];
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const LEVELS = 14;

const playground = {
  meta: { functions: [], optimizers: [], presets: [] },
  state: null,
  surface: null,
  lastRun: null,
  drawn: { paths: [], frame: 0 },
  busy: 0,      // requests on their way
  answers: 0,   // answers shown so far (a drawing or a message): tests wait for it to move
};
window.playground = playground;

const $ = (id) => document.getElementById(id);

async function ask(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    throw new Error(data.error || `request failed (${response.status})`);
  }
  return data;
}

function say(text) { $("message").textContent = text || ""; }

function defaultState() {
  return {
    problem: { function: "rosenbrock", dim: 2 },
    start: null,
    optimizers: [{ name: "momentum", hyperparameters: { step_size: 0.0002, momentum: 0.9 } },
                 { name: "adam", hyperparameters: { alpha: 0.05 } }],
    n_iter: 300, noise: 0, seed: 0, stop_at_target: true,
  };
}

function readUrl() {
  const match = location.hash.match(/state=([^&]*)/);
  if (!match) return null;
  let state;
  try { state = JSON.parse(decodeURIComponent(match[1])); } catch (e) { return null; }
  return checkedState(state);
}

// A link may come from anywhere: keep what this server knows, say what was dropped.
function checkedState(state) {
  if (!state || typeof state !== "object") return null;
  const fresh = defaultState(), dropped = [];
  const problem = state.problem || {};
  if (typeof problem.expr === "string" && problem.expr.trim()) {
    state.problem = { expr: problem.expr };
  } else if (!functionInfo(problem.function)) {
    if (problem.function !== undefined) dropped.push(`function ${JSON.stringify(problem.function)}`);
    state.problem = fresh.problem;
  }
  const chosen = Array.isArray(state.optimizers) ? state.optimizers : [];
  state.optimizers = chosen.filter((o) => {
    const info = o && optimizerInfo(o.name);
    if (!info) { dropped.push(`optimizer ${JSON.stringify(o && o.name)}`); return false; }
    const known = new Set(info.hyperparameters.map((h) => h.name));
    const given = o.hyperparameters && typeof o.hyperparameters === "object" ? o.hyperparameters : {};
    o.hyperparameters = Object.fromEntries(Object.entries(given).filter(([k]) => known.has(k)));
    return true;
  }).slice(0, 6);
  if (!state.optimizers.length) state.optimizers = fresh.optimizers;
  for (const key of ["n_iter", "noise", "seed"]) {
    if (typeof state[key] !== "number" || !Number.isFinite(state[key])) state[key] = fresh[key];
  }
  if (typeof state.stop_at_target !== "boolean") state.stop_at_target = fresh.stop_at_target;
  if (!Array.isArray(state.start) || !state.start.every(Number.isFinite)) state.start = null;
  playground.dropped = dropped;
  return state;
}

function writeUrl() {
  history.replaceState(null, "", "#state=" + encodeURIComponent(JSON.stringify(playground.state)));
}

function functionInfo(name) { return playground.meta.functions.find((f) => f.name === name); }
function optimizerInfo(name) { return playground.meta.optimizers.find((o) => o.name === name); }

// ---- controls -------------------------------------------------------------------------------

function buildFunctionSelect() {
  const select = $("function");
  for (const f of playground.meta.functions) {
    const option = document.createElement("option");
    option.value = f.name; option.textContent = f.name;
    select.appendChild(option);
  }
  select.addEventListener("change", () => {
    const info = functionInfo(select.value);
    playground.state.problem = { function: select.value, dim: info.dims.includes(2) ? 2 : 1 };
    playground.state.start = null;
    refreshProblem();
  });
  $("use-expr").addEventListener("click", () => {
    const text = $("expr").value.trim();
    if (!text) { say("type an expression in x and y, e.g. x**2 + 10*y**2"); return; }
    // the server reads the variables (x, y; x and z; x1 and x3 ...) and answers the axes
    playground.state.problem = { expr: text };
    playground.state.start = null;
    refreshProblem();
  });
}

function buildPresets() {
  for (const preset of playground.meta.presets) {
    const button = document.createElement("button");
    button.type = "button"; button.textContent = preset.name; button.title = preset.title;
    button.dataset.preset = preset.name;
    button.addEventListener("click", () => {
      playground.state = {
        problem: preset.problem, start: preset.start, optimizers: preset.optimizers,
        n_iter: preset.n_iter, noise: 0, seed: 0, stop_at_target: preset.stop_at_target,
      };
      refreshProblem();
    });
    $("presets").appendChild(button);
  }
}

function buildOptimizerList() {
  const list = $("optimizer-list");
  for (const o of playground.meta.optimizers) {
    const label = document.createElement("label");
    label.style.display = "inline-block"; label.style.marginRight = "0.5rem";
    const box = document.createElement("input");
    box.type = "checkbox"; box.value = o.name; box.dataset.optimizer = o.name;
    box.addEventListener("change", () => {
      const chosen = playground.state.optimizers;
      if (box.checked) {
        if (chosen.length >= 6) { box.checked = false; say("at most 6 optimizers at once"); return; }
        chosen.push({ name: o.name, hyperparameters: {} });
      } else {
        playground.state.optimizers = chosen.filter((c) => c.name !== o.name);
      }
      buildHyperparameters(); rerun();
    });
    label.appendChild(box); label.appendChild(document.createTextNode(o.name));
    list.appendChild(label);
  }
}

function sliderValue(h, position) {
  if (h.log) return h.min * Math.pow(h.max / h.min, position);
  return h.min + (h.max - h.min) * position;
}

function sliderPosition(h, value) {
  if (h.log) return Math.log(value / h.min) / Math.log(h.max / h.min);
  return (value - h.min) / (h.max - h.min);
}

function buildHyperparameters() {
  const box = $("hyperparameters");
  box.innerHTML = "";
  for (const box_ of document.querySelectorAll("#optimizer-list input")) {
    box_.checked = playground.state.optimizers.some((c) => c.name === box_.value);
  }
  playground.state.optimizers.forEach((chosen, k) => {
    const info = optimizerInfo(chosen.name);
    const panel = document.createElement("div");
    panel.className = "optimizer";
    panel.innerHTML = `<h3><span class="swatch" style="background:${COLORS[k]}"></span>${info.name}</h3>`;
    for (const h of info.hyperparameters) {
      if (h.kind !== "number") { panel.appendChild(otherInput(chosen, h)); continue; }
      // an optional number (default null) is derived from the others until it is set
      const value = chosen.hyperparameters[h.name] ?? h.default;
      const row = document.createElement("div");
      row.className = "slider";
      const slider = document.createElement("input");
      slider.type = "range"; slider.min = 0; slider.max = 1000;
      slider.dataset.optimizer = chosen.name; slider.dataset.hyper = h.name;
      const position = value === null ? 0.5 : sliderPosition(h, value);
      slider.value = Math.round(1000 * Math.min(1, Math.max(0, position)));
      const shown = document.createElement("input");
      shown.type = "number"; shown.step = h.integer ? "1" : "any";
      shown.value = value === null ? "" : value;
      if (value === null) shown.placeholder = "auto";
      shown.dataset.optimizer = chosen.name; shown.dataset.hyperValue = h.name;
      slider.addEventListener("input", () => {
        const raw = sliderValue(h, slider.value / 1000);
        const v = h.integer ? Math.round(raw) : Number(raw.toPrecision(4));
        shown.value = v; chosen.hyperparameters[h.name] = v; rerun();
      });
      shown.addEventListener("change", () => {
        if (shown.value === "" && h.optional) delete chosen.hyperparameters[h.name];
        else chosen.hyperparameters[h.name] = Number(shown.value);
        rerun();
      });
      const name = document.createElement("span");
      name.textContent = h.name; name.title = h.help;
      row.append(name, slider, shown);
      panel.appendChild(row);
    }
    box.appendChild(panel);
  });
}

function otherInput(chosen, h) {
  // a choice (a select) or a switch (a checkbox)
  const row = document.createElement("div");
  row.className = "slider";
  const name = document.createElement("span");
  name.textContent = h.name; name.title = h.help;
  const value = chosen.hyperparameters[h.name] ?? h.default;
  let input;
  if (h.kind === "choice") {
    input = document.createElement("select");
    for (const c of h.choices) {
      const option = document.createElement("option");
      option.value = c; option.textContent = c; input.appendChild(option);
    }
    input.value = value;
    input.addEventListener("change", () => { chosen.hyperparameters[h.name] = input.value; rerun(); });
  } else {
    input = document.createElement("input");
    input.type = "checkbox"; input.checked = Boolean(value);
    input.addEventListener("change", () => { chosen.hyperparameters[h.name] = input.checked; rerun(); });
  }
  input.dataset.optimizer = chosen.name; input.dataset.hyper = h.name;
  row.append(name, input, document.createElement("span"));
  return row;
}

function bindRunInputs() {
  for (const id of ["n_iter", "noise", "seed"]) {
    $(id).addEventListener("change", () => { playground.state[id] = Number($(id).value); rerun(); });
  }
  $("map").addEventListener("click", (event) => {
    const start = canvasToPoint(event);
    if (start) { playground.state.start = start; rerun(); }
  });
  $("frame").addEventListener("input", () => drawAll(Number($("frame").value)));
  $("play").addEventListener("click", togglePlay);
  $("download-run").addEventListener("click", downloadRun);
  $("download-picture").addEventListener("click", () => {
    const link = document.createElement("a");
    link.download = "descentlab-playground.png";
    link.href = $("map").toDataURL("image/png");
    link.click();
  });
}

function showState() {
  const s = playground.state;
  $("function").value = s.problem.function || "";
  $("expr").value = s.problem.expr || "";
  $("n_iter").value = s.n_iter; $("noise").value = s.noise; $("seed").value = s.seed;
  const info = s.problem.function ? functionInfo(s.problem.function) : null;
  $("formula").textContent = info ? info.formula : `f = ${s.problem.expr}`;
  buildHyperparameters();
}

// ---- requests -------------------------------------------------------------------------------

async function refreshProblem() {
  showState();
  playground.busy += 1;
  try {
    playground.surface = await ask("/api/surface", { problem: playground.state.problem, n: 90 });
  } catch (error) {
    playground.surface = null; playground.lastRun = null; say(error.message); clearViews();
    playground.answers += 1;
    return;
  } finally {
    playground.busy -= 1;
  }
  if (!playground.state.start) {
    const axes = playground.surface.axes;
    playground.state.start = axes.map((a) => a[Math.floor(a.length * 0.15)]);
  }
  await rerun();
}

let pending = null;
async function rerun() {
  writeUrl();
  if (!playground.surface) return;
  const request = { ...playground.state };
  const mine = (pending = Symbol("run"));
  playground.busy += 1;
  try {
    const answer = await ask("/api/run", request);
    if (mine !== pending) return; // a newer request is on its way
    playground.lastRun = answer; say("");
    const longest = Math.max(...answer.runs.map((r) => r.path.length - 1));
    $("frame").max = longest; $("frame").value = longest;
    drawAll(longest);
    playground.answers += 1;
  } catch (error) {
    if (mine === pending) { say(error.message); playground.answers += 1; }
  } finally {
    playground.busy -= 1;
  }
}

function downloadRun() {
  if (!playground.lastRun) return;
  const records = playground.lastRun.runs.map((r) => r.record);
  const blob = new Blob([JSON.stringify(records.length === 1 ? records[0] : records, null, 1)],
                        { type: "application/json" });
  const link = document.createElement("a");
  link.download = "descentlab-run.json"; link.href = URL.createObjectURL(blob); link.click();
}

// ---- drawing --------------------------------------------------------------------------------

const PAD = 40;

function frameOf(canvas) {
  return { x0: PAD, y0: 10, w: canvas.width - PAD - 10, h: canvas.height - PAD - 10 };
}

function bounds() { return playground.lastRun ? playground.lastRun.problem.bounds
                                              : playground.surface.axes.map((a) => [a[0], a[a.length - 1]]); }

function toCanvas(point) {
  const box = frameOf($("map")), b = bounds();
  if (b.length === 1) {
    const s = playground.surface, values = s.values.filter((v) => v !== null);
    const lo = Math.min(...values), hi = Math.max(...values);
    return [box.x0 + (point[0] - b[0][0]) / (b[0][1] - b[0][0]) * box.w,
            box.y0 + box.h - (point[1] - lo) / (hi - lo || 1) * box.h];
  }
  return [box.x0 + (point[0] - b[0][0]) / (b[0][1] - b[0][0]) * box.w,
          box.y0 + box.h - (point[1] - b[1][0]) / (b[1][1] - b[1][0]) * box.h];
}

function canvasToPoint(event) {
  if (!playground.surface) return null;
  const canvas = $("map"), rect = canvas.getBoundingClientRect(), box = frameOf(canvas), b = bounds();
  const px = (event.clientX - rect.left) * canvas.width / rect.width;
  const py = (event.clientY - rect.top) * canvas.height / rect.height;
  const fx = (px - box.x0) / box.w, fy = 1 - (py - box.y0) / box.h;
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
  const x = b[0][0] + fx * (b[0][1] - b[0][0]);
  return b.length === 1 ? [x] : [x, b[1][0] + fy * (b[1][1] - b[1][0])];
}

function ramp(t) {
  const x = Math.min(0.999, Math.max(0, t)) * (RAMP.length - 1), i = Math.floor(x), f = x - i;
  return RAMP[i].map((c, k) => Math.round(c + f * (RAMP[i + 1][k] - c)));
}

function clearViews() {
  for (const id of ["map", "convergence"]) {
    const ctx = $(id).getContext("2d"); ctx.clearRect(0, 0, $(id).width, $(id).height);
  }
  $("results").querySelector("tbody").innerHTML = "";
  playground.drawn = { paths: [], frame: 0, contourLevels: 0 };
}

function drawSurface(ctx) {
  const s = playground.surface, box = frameOf(ctx.canvas);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (s.axes.length === 1) { drawCurve(ctx, s, box); return 0; }
  const n = s.axes[0].length, flat = s.values.flat().filter((v) => v !== null);
  const floor = Math.min(...flat), top = Math.max(...flat);
  const scale = (v) => Math.log10(v - floor + 1e-12 * (top - floor + 1));
  const lo = scale(floor), hi = scale(top);
  const image = ctx.createImageData(n, n);
  const seen = new Set();
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const v = s.values[row][col];
      const level = v === null ? LEVELS - 1 : Math.floor((scale(v) - lo) / (hi - lo || 1) * LEVELS);
      seen.add(level);
      const [r, g, b] = ramp(level / LEVELS);
      const at = 4 * ((n - 1 - row) * n + col);
      image.data.set([r, g, b, 255], at);
    }
  }
  const off = document.createElement("canvas");
  off.width = n; off.height = n; off.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, box.x0, box.y0, box.w, box.h);
  drawAxes(ctx, box);
  if (s.minimizers) {
    ctx.fillStyle = "red";
    for (const m of s.minimizers) {
      const [x, y] = toCanvas(m); ctx.fillRect(x - 3, y - 3, 6, 6);
    }
  }
  return seen.size;
}

function drawCurve(ctx, s, box) {
  ctx.strokeStyle = "#333"; ctx.lineWidth = 1.5; ctx.beginPath();
  s.axes[0].forEach((x, i) => {
    if (s.values[i] === null) return;
    const [px, py] = toCanvas([x, s.values[i]]);
    i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py);
  });
  ctx.stroke(); drawAxes(ctx, box);
}

function drawAxes(ctx, box) {
  const b = bounds();
  ctx.strokeStyle = "#555"; ctx.strokeRect(box.x0, box.y0, box.w, box.h);
  ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.fillText(b[0][0].toPrecision(3), box.x0, box.y0 + box.h + 14);
  ctx.fillText(b[0][1].toPrecision(3), box.x0 + box.w - 24, box.y0 + box.h + 14);
  if (b.length === 2) {
    ctx.fillText(b[1][0].toPrecision(3), 4, box.y0 + box.h);
    ctx.fillText(b[1][1].toPrecision(3), 4, box.y0 + 10);
  }
}

function drawPaths(ctx, frame) {
  const run = playground.lastRun, one = run.problem.dim === 1;
  const drawn = [], box = frameOf(ctx.canvas);
  ctx.save();
  ctx.beginPath(); ctx.rect(box.x0, box.y0, box.w, box.h); ctx.clip();
  run.runs.forEach((r, k) => {
    const points = r.path.slice(0, frame + 1).map((p, i) => one ? [p[0], r.fun[i]] : p)
      .filter((p) => p.every((v) => v !== null));
    const pixels = points.map(toCanvas);
    ctx.strokeStyle = COLORS[k]; ctx.fillStyle = COLORS[k]; ctx.lineWidth = 1.6;
    ctx.beginPath();
    pixels.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.stroke();
    for (const [x, y] of pixels) { ctx.beginPath(); ctx.arc(x, y, 2.2, 0, 2 * Math.PI); ctx.fill(); }
    if (pixels.length) {
      ctx.beginPath(); ctx.lineWidth = 2; ctx.arc(pixels[0][0], pixels[0][1], 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
    drawn.push({ optimizer: r.optimizer, points: points, pixels: pixels });
  });
  ctx.restore();
  return drawn;
}

function drawConvergence(frame) {
  const canvas = $("convergence"), ctx = canvas.getContext("2d"), box = frameOf(canvas);
  const run = playground.lastRun, floor = run.problem.minimum ?? 0;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const series = run.runs.map((r) => r.fun.map((f) => (f === null ? null : Math.max(f - floor, 1e-300))));
  const logs = series.flat().filter((v) => v !== null && v > 0).map(Math.log10);
  if (!logs.length) return;
  const lo = Math.max(Math.min(...logs), -20), hi = Math.max(...logs);
  const longest = Math.max(...series.map((s) => s.length - 1), 1);
  series.forEach((s, k) => {
    ctx.strokeStyle = COLORS[k]; ctx.lineWidth = 1.5; ctx.beginPath();
    let started = false;
    s.slice(0, frame + 1).forEach((v, i) => {
      if (v === null) return;
      const x = box.x0 + i / longest * box.w;
      const y = box.y0 + box.h - (Math.max(Math.log10(v), lo) - lo) / (hi - lo || 1) * box.h;
      started ? ctx.lineTo(x, y) : ctx.moveTo(x, y); started = true;
    });
    ctx.stroke();
  });
  ctx.strokeStyle = "#555"; ctx.strokeRect(box.x0, box.y0, box.w, box.h);
  ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.fillText(`1e${hi.toFixed(0)}`, 2, box.y0 + 10);
  ctx.fillText(`1e${lo.toFixed(0)}`, 2, box.y0 + box.h);
  ctx.fillText(run.problem.minimum === null ? "f (log)" : "f - f* (log) against iteration",
               box.x0 + 6, box.y0 + box.h + 16);
}

function drawTable() {
  const body = $("results").querySelector("tbody");
  body.innerHTML = "";
  playground.lastRun.runs.forEach((r, k) => {
    const row = document.createElement("tr");
    const final = r.final_f === null ? "diverged" : Number(r.final_f).toPrecision(6);
    row.innerHTML = `<td><span class="swatch" style="background:${COLORS[k]}"></span>${r.optimizer}</td>` +
      `<td>${r.iterations_to_target ?? "not reached"}</td><td>${final}</td><td>${r.status}</td>`;
    body.appendChild(row);
  });
}

function drawAll(frame) {
  if (!playground.surface) return;
  const ctx = $("map").getContext("2d");
  const levels = drawSurface(ctx);
  if (!playground.lastRun) return;
  const paths = drawPaths(ctx, frame);
  drawConvergence(frame);
  drawTable();
  playground.drawn = { paths: paths, frame: frame, contourLevels: levels };
}

let timer = null;
function togglePlay() {
  if (timer) { clearInterval(timer); timer = null; $("play").textContent = "Play"; return; }
  $("play").textContent = "Pause";
  let frame = 0;
  const last = Number($("frame").max);
  timer = setInterval(() => {
    $("frame").value = frame; drawAll(frame);
    frame += Math.max(1, Math.round(last / 120));
    if (frame > last) { $("frame").value = last; drawAll(last); togglePlay(); }
  }, 30);
}

// ---- start ----------------------------------------------------------------------------------

async function start() {
  const [functions, optimizers, presets] = await Promise.all(
    [ask("/api/functions"), ask("/api/optimizers"), ask("/api/presets")]);
  playground.meta = { functions, optimizers, presets };
  playground.state = readUrl() || defaultState();
  buildFunctionSelect(); buildPresets(); buildOptimizerList(); bindRunInputs();
  await refreshProblem();
  if (playground.dropped && playground.dropped.length) {
    say(`the link named what this playground does not know (${playground.dropped.join(", ")}): left out`);
  }
  document.body.dataset.ready = "yes";
}

start().catch((error) => say(error.message));
