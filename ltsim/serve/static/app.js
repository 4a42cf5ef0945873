// ltsim serve: the page. Every figure comes from the server (the pipeline); this script only draws.
"use strict";

const T = {
  nb: {
    skip: "Hopp til resultatene", opened: "Åpnet", lang_hint: "Bytt språk", reset: "Tilbake til lagret scenario",
    levers: "Spaker", results: "Resultater", summary: "Nøkkeltall", now: "Nå", saved: "Lagret", change: "Endring",
    diff_note: "Endring mot det lagrede scenarioet i egen kolonne; stiplet linje = lagret.",
    short_title: "Plasser som mangler, per tjeneste og krets", service: "Tjeneste",
    short_caption: "Største mangel per krets (plasser) og år", zone: "Krets", peak: "Største mangel", year: "År",
    place_years: "Plassår", actions: "Optimering, Monte Carlo, sammenligning, lagring", optimize: "Optimer",
    optimize_hint: "Kjører ltsim optimize på spakene nå og viser flyttingene.", reps: "Replikasjoner",
    montecarlo: "Monte Carlo", variant_name: "Navn på variant", save: "Lagre som variant",
    g_population: "Befolkning", g_housing: "Boligbygging", g_projects: "Investeringsprosjekter (startår)",
    g_capacity: "Strukturtiltak og nedleggelser", g_finance: "Økonomi", source: "Kilde", value_saved: "lagret",
    debt: "Netto lånegjeld i % av driftsinntektene (gjeldsgrad)", ceiling: "Tak", ndr: "Netto driftsresultat, % av driftsinntektene",
    fund: "Disposisjonsfond, % av driftsinntektene", pop: "Befolkning etter aldersgruppe", current: "Nå",
    short_fig: "Plasser som mangler", updated: "Oppdatert på", ms: "ms", refused: "Ikke godtatt",
    debt_ratio_max_pct: "Høyeste gjeldsgrad (%)", first_year_over_ceiling: "Første år over taket",
    ndr_min_pct: "Laveste netto driftsresultat (%)", fund_end_pct: "Disposisjonsfond siste år (%)",
    place_years_short: "Plassår som mangler, alle tjenester", persons_end: "Innbyggere siste år",
    running: "Kjører …", moves: "Flyttinger", from: "Fra", to: "Til", apply_moves: "Bruk flyttingene",
    no_moves: "Ingen prosjekter flyttes.", saved_to: "Lagret til", mc_done: "replikasjoner", p10_p90: "P10–P90",
    median: "Median", probability_red: "Sannsynlighet rød", project: "Prosjekt", none: "–", loading: "Laster …",
    seq_on: "på", housing_pace: "Takt (andel)", housing_defer: "Utsatt (år)", development: "Utbygging",
    start_year: "Startår", in_service: "I drift", earliest: "Tidligst", optimized: "optimert", plan: "plan",
    debt_short: "gjeldsgrad", short_all: "Plasser som mangler, alle tjenester og kretser", show: "Vis", mode_now: "Mangel nå", mode_diff: "Endring mot lagret", short_diff: "Endring i plasser som mangler",
    timeline_title: "Investeringsprosjekter på tidslinje",
    timeline_hint: "Dra en stolpe, eller velg den og bruk piltastene, for å flytte startåret. Stolpen går fra start til i drift; streken viser lagret start.",
    bar_label: "startår {start}, i drift {done}; piltastene flytter startåret",
    compare_folder: "Kjøremappe å sammenligne med", compare: "Sammenlign", compared: "Sammenlignet kjøring",
  },
  en: {
    skip: "Skip to the results", opened: "Opened", lang_hint: "Change language", reset: "Back to the saved scenario",
    levers: "Levers", results: "Results", summary: "Key figures", now: "Now", saved: "Saved", change: "Change",
    diff_note: "Change against the saved scenario in its own column; dashed line = saved.",
    short_title: "Places short, per service and zone", service: "Service", actions: "Optimise, Monte Carlo, compare, save",
    short_caption: "Largest shortfall per zone (places) and year", zone: "Zone", peak: "Largest shortfall", year: "Year",
    place_years: "Place-years", optimize: "Optimise",
    optimize_hint: "Runs ltsim optimize on the current levers and shows the moves.", reps: "Replications",
    montecarlo: "Monte Carlo", variant_name: "Variant name", save: "Save as variant",
    g_population: "Population", g_housing: "Housing", g_projects: "Investment projects (start year)",
    g_capacity: "Structural measures and closures", g_finance: "Finance", source: "Source", value_saved: "saved",
    debt: "Net debt, % of operating revenue (debt ratio)", ceiling: "Ceiling", ndr: "Net operating result, % of revenue",
    fund: "Disposition fund, % of revenue", pop: "Population by age group", current: "Now",
    short_fig: "Places short", updated: "Updated in", ms: "ms", refused: "Refused",
    debt_ratio_max_pct: "Highest debt ratio (%)", first_year_over_ceiling: "First year over the ceiling",
    ndr_min_pct: "Lowest net operating result (%)", fund_end_pct: "Disposition fund, last year (%)",
    place_years_short: "Place-years short, all services", persons_end: "Population, last year",
    running: "Running …", moves: "Moves", from: "From", to: "To", apply_moves: "Apply the moves",
    no_moves: "No project moves.", saved_to: "Saved to", mc_done: "replications", p10_p90: "P10–P90",
    median: "Median", probability_red: "Probability red", project: "Project", none: "–", loading: "Loading …",
    seq_on: "on", housing_pace: "Pace (share)", housing_defer: "Delay (years)", development: "Development",
    start_year: "Start year", in_service: "In service", earliest: "Earliest", optimized: "optimised", plan: "plan",
    debt_short: "debt ratio", short_all: "Places short, all services and zones", show: "Show", mode_now: "Places short now", mode_diff: "Change against saved", short_diff: "Change in places short",
    timeline_title: "Investment projects on a timeline",
    timeline_hint: "Drag a bar, or select it and use the arrow keys, to move the start year. A bar runs from start to in service; the tick marks the saved start.",
    bar_label: "start year {start}, in service {done}; arrow keys move the start year",
    compare_folder: "Run folder to compare with", compare: "Compare", compared: "Compared run",
  },
};

// latencies_ms: from a lever's input event to the figures on screen drawn with its result; latencies_all_ms: to
// every figure drawn (read by benchmarks/bench_serve.py)
const S = {
  lang: "nb", state: null, values: {}, seq: 0, shown: 0, last: null, service: null, lastKey: null, updates: 0,
  changedAt: null, latencies_ms: [], latencies_all_ms: [], compare: null,
};
window.ltsim = S;

const $ = (sel) => document.querySelector(sel);
const t = (key) => (T[S.lang] && T[S.lang][key]) || key;

function fmt(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return t("none");
  const locale = S.lang === "nb" ? "nb-NO" : "en-GB";
  return Number(v).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
function signed(v, digits = 1) {
  if (v === null || v === undefined) return t("none");
  return (v > 0 ? "+" : "") + fmt(v, digits);
}

async function post(url, body) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { ok: res.ok, status: res.status, data: await res.json() };
}

// ------------------------------------------------------------------ levers

function changedValues() {
  const out = {};
  for (const lever of S.state.levers) {
    const v = S.values[lever.key];
    if (v !== undefined && v !== lever.value) out[lever.key] = v;
  }
  return out;
}

function leverInput(lever) {
  const id = "lever-" + lever.key.replace(/[^A-Za-z0-9_-]/g, "_");
  const input = document.createElement("input");
  input.id = id;
  input.name = lever.key;
  input.dataset.key = lever.key;
  if (lever.kind === "toggle") {
    input.type = "checkbox";
    input.checked = !!lever.value;
  } else {
    input.type = "number";
    input.value = lever.value;
    if (lever.lo !== null) input.min = lever.lo;
    if (lever.hi !== null) input.max = lever.hi;
    if (lever.step !== null) input.step = lever.step;
  }
  input.addEventListener(lever.kind === "toggle" ? "change" : "input", () => {
    S.values[lever.key] = lever.kind === "toggle" ? input.checked : (input.value === "" ? input.value : Number(input.value));
    S.lastKey = lever.key;
    S.changedAt = performance.now();
    schedule();
  });
  return input;
}

function simpleLever(lever) {
  const row = document.createElement("div");
  row.className = lever.kind === "toggle" ? "lever toggle" : "lever";
  const input = leverInput(lever);
  const label = document.createElement("label");
  label.htmlFor = input.id;
  label.textContent = lever.label[S.lang] + (lever.unit[S.lang] ? ` (${lever.unit[S.lang]})` : "");
  const note = document.createElement("small");
  note.id = input.id + "-note";
  note.className = "muted";
  note.textContent = `${t("value_saved")}: ${lever.kind === "toggle" ? (lever.value ? "✓" : "✗") : lever.value}` +
    (lever.source ? ` · ${t("source")}: ${lever.source}` : "");
  input.setAttribute("aria-describedby", note.id);
  if (lever.kind === "toggle") row.append(input, label, note);
  else row.append(label, input, note);
  return row;
}

function tableOf(levers, columns) {
  const table = document.createElement("table");
  table.className = "levers";
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c.title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of levers) {
    const tr = body.insertRow();
    for (const c of columns) {
      const cell = c.header ? document.createElement("th") : document.createElement("td");
      if (c.header) cell.scope = "row";
      const content = c.cell(row);
      if (typeof content === "string") cell.textContent = content;
      else cell.append(content);
      tr.append(cell);
    }
  }
  return table;
}

function labelled(input, text) {
  input.setAttribute("aria-label", text);
  return input;
}

function buildLevers() {
  const root = $("#lever-groups");
  root.textContent = "";
  const by = (g) => S.state.levers.filter((l) => l.group === g);
  const group = (key, open = true) => {
    const d = document.createElement("details");
    d.open = open;
    const s = document.createElement("summary");
    s.textContent = t("g_" + key);
    d.append(s);
    root.append(d);
    return d;
  };
  const pop = group("population");
  for (const l of by("population")) pop.append(simpleLever(l));
  const housing = by("housing");
  if (housing.length) {
    const g = group("housing", false);
    for (const l of housing.filter((l) => l.kind === "toggle")) g.append(simpleLever(l));
    const devs = housing.filter((l) => l.key.startsWith("housing_pace."));
    const byKey = Object.fromEntries(housing.map((l) => [l.key, l]));
    g.append(tableOf(devs, [
      { title: t("development"), header: true, cell: (l) => `${l.key.slice(13)} (${fmt(l.info.dwellings, 0)}, ${l.info.first_year}–${l.info.last_year})` },
      { title: t("housing_pace"), cell: (l) => labelled(leverInput(l), `${t("housing_pace")} ${l.key.slice(13)}`) },
      { title: t("housing_defer"), cell: (l) => { const d = byKey["housing_defer." + l.key.slice(13)]; return labelled(leverInput(d), `${t("housing_defer")} ${l.key.slice(13)}`); } },
    ]));
  }
  const projects = by("projects");
  if (projects.length) {
    const g = group("projects", false);
    g.append(tableOf(projects, [
      { title: t("project"), header: true, cell: (l) => l.label[S.lang] },
      { title: t("start_year"), cell: (l) => labelled(leverInput(l), `${t("start_year")} ${l.label[S.lang]}`) },
      { title: t("earliest"), cell: (l) => String(l.info.earliest_start) },
      { title: t("in_service"), cell: (l) => String(l.info.completion_year) },
    ]));
  }
  const cap = by("capacity");
  if (cap.length) {
    const g = group("capacity");
    for (const l of cap) g.append(simpleLever(l));
  }
  const fin = by("finance");
  if (fin.length) {
    const g = group("finance");
    for (const l of fin) g.append(simpleLever(l));
  }
  // restore values typed before a rebuild (language change)
  for (const [key, v] of Object.entries(S.values)) {
    const input = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = !!v;
    else input.value = v;
  }
}

// ------------------------------------------------------------------ updates

// One request at a time: a change made while one is on its way is sent, with every lever as it then
// is, when the answer comes back (no fixed delay, and fast typing never queues stale requests).
let inFlight = false;
let pending = false;
function schedule() {
  if (inFlight) {
    pending = true;
    return;
  }
  inFlight = true;
  pending = false;
  update().finally(() => {
    inFlight = false;
    if (pending) schedule();
  });
}

function markInvalid(messages) {
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const box = $("#errors");
  if (!messages.length) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = "";
  const h = document.createElement("strong");
  h.textContent = t("refused") + ":";
  const ul = document.createElement("ul");
  for (const m of messages) {
    const li = document.createElement("li");
    li.textContent = m;
    ul.append(li);
  }
  box.append(h, ul);
  if (S.lastKey) {
    const input = document.querySelector(`[data-key="${CSS.escape(S.lastKey)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

async function update() {
  const seq = ++S.seq;
  const started = performance.now();
  const changedAt = S.changedAt;
  const res = await post("/api/update", { values: changedValues() });
  if (seq < S.shown) return; // a later answer is already on the page
  S.shown = seq;
  if (!res.ok) {
    markInvalid(res.data.errors || [String(res.status)]);
    document.body.dataset.updates = String(++S.updates);
    return;
  }
  markInvalid([]);
  S.last = res.data;
  const later = render();
  const ms = performance.now() - started;
  const measured = changedAt !== null && changedAt === S.changedAt;
  if (measured) S.latencies_ms.push(performance.now() - changedAt);
  $("#status").textContent = `${t("updated")} ${fmt(ms, 0)} ${t("ms")} (server ${fmt(res.data.compute_ms, 0)} ${t("ms")})`;
  // figures below the fold are drawn right after, so what is on screen comes first
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (const draw of later) draw();
  if (measured) S.latencies_all_ms.push(performance.now() - changedAt);
  document.body.dataset.updates = String(++S.updates);
}

function onScreen(id) {
  const r = document.getElementById(id).getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth;
}

// ------------------------------------------------------------------ drawing

const SEP = { nb: ", ", en: ".," };
function layout(title, extra = {}) {
  return Object.assign({
    title: { text: title, font: { size: 14 } }, margin: { l: 50, r: 10, t: 40, b: 40 }, height: 280,
    separators: SEP[S.lang], legend: { orientation: "h" }, hovermode: "x unified",
  }, extra);
}
const CONFIG = { displaylogo: false, responsive: true };
const drawn = {}; // figure id → the JSON it was last drawn from (a figure whose input is unchanged is not redrawn)
function react(id, traces, lay) {
  const key = JSON.stringify([traces, lay]);
  if (drawn[id] === key) return;
  drawn[id] = key;
  Plotly.react(id, traces, lay, CONFIG);
}

function line(x, y, name, dashed, color) {
  return { x, y, name, type: "scatter", mode: "lines", line: { dash: dashed ? "dash" : "solid", color } };
}

function kpiFigure(id, key, title, withCeiling) {
  const cur = S.last.view, saved = S.state.saved;
  const k = cur.kpis[key], ks = saved.kpis[key];
  if (!k) return;
  const traces = [line(cur.finance_years, k.values, t("current"), false, "#1f5fa8"), line(saved.finance_years, ks.values, t("saved"), true, "#777")];
  if (withCeiling) {
    traces.push(line(cur.finance_years, cur.finance_years.map(() => cur.ceiling_pct), t("ceiling"), false, "#c0392b"));
  }
  if (S.compare && S.compare.kpis[key]) {
    traces.push(Object.assign(line(S.compare.finance_years, S.compare.kpis[key].values, t("compared"), false, "#2e8b57"), { line: { dash: "dot", color: "#2e8b57" } }));
  }
  react(id, traces, layout(title));
  document.getElementById(id).setAttribute("aria-label", title);
}

function render() {
  const cur = S.last.view, saved = S.state.saved, diff = S.last.difference;
  // summary table
  const body = $("#summary tbody");
  body.textContent = "";
  for (const key of ["debt_ratio_max_pct", "first_year_over_ceiling", "ndr_min_pct", "fund_end_pct", "place_years_short", "persons_end"]) {
    if (!(key in cur.summary)) continue;
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = t(key);
    tr.append(th);
    const year = key === "first_year_over_ceiling";
    tr.insertCell().textContent = year ? (cur.summary[key] ?? t("none")) : fmt(cur.summary[key]);
    tr.insertCell().textContent = year ? (saved.summary[key] ?? t("none")) : fmt(saved.summary[key]);
    const d = tr.insertCell();
    d.textContent = year ? "" : signed(diff[key]);
    d.dataset.key = key;
    if (!year && diff[key]) d.className = "changed";
    if (S.compare) {
      const c = tr.insertCell();
      c.dataset.compared = key;
      c.textContent = year ? (S.compare.summary[key] ?? t("none")) : fmt(S.compare.summary[key]);
    }
  }
  for (const th of document.querySelectorAll("th.compared")) th.hidden = !S.compare;
  $("#warnings").textContent = cur.warnings.join(" ");
  const draws = [
    ["fig-debt", () => kpiFigure("fig-debt", "debt_ratio_pct", t("debt"), true)],
    ["fig-ndr", () => kpiFigure("fig-ndr", "net_operating_result_pct", t("ndr"), false)],
    ["fig-fund", () => kpiFigure("fig-fund", "disposition_fund_pct", t("fund"), false)],
    ["fig-pop", populationFigure],
    ["fig-short", renderShort],
    ["timeline", renderTimeline],
  ];
  const later = [];
  for (const [id, draw] of draws) {
    if (onScreen(id)) draw();
    else later.push(draw);
  }
  return later; // drawn by the caller once the visible ones are on screen
}

// ------------------------------------------------------------------ project timeline (drag or arrow keys)

const TL = { built: false, bars: {}, drag: null };

function setStart(id, year) {
  const key = "start_year." + id;
  S.values[key] = year;
  S.lastKey = key;
  S.changedAt = performance.now();
  const input = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (input) input.value = year;
  const bar = TL.bars[id];
  if (bar) placeBar(bar, year, undefined);
  schedule();
}

// done: the year in service (null: not within the horizon; undefined: keep the last one known)
function placeBar(bar, start, done) {
  const years = S.state.saved.years;
  const first = years[0], last = years[years.length - 1];
  const from = Math.min(Math.max(start, first), last);
  if (done !== undefined) bar._done = done;
  const to = Math.min(Math.max(bar._done ?? last, from), last);
  bar._start = start;
  bar.style.gridColumn = `${from - first + 1} / ${to - first + 2}`;
  bar.setAttribute("aria-label", `${bar._name}: ` + t("bar_label").replace("{start}", start).replace("{done}", bar._done ?? t("none")));
  bar.textContent = String(start);
}

function buildTimeline() {
  const root = $("#timeline");
  root.textContent = "";
  TL.bars = {};
  const years = S.state.saved.years;
  const levers = Object.fromEntries(S.state.levers.filter((l) => l.group === "projects").map((l) => [l.key.slice(11), l]));
  const axis = document.createElement("div");
  axis.className = "tl-row tl-axis";
  axis.setAttribute("aria-hidden", "true");
  const blank = document.createElement("span");
  const scale = document.createElement("div");
  scale.className = "tl-track";
  scale.style.gridTemplateColumns = `repeat(${years.length}, 1fr)`;
  for (const y of years) {
    const c = document.createElement("span");
    c.textContent = y % 5 === 0 ? String(y) : "";
    scale.append(c);
  }
  axis.append(blank, scale);
  root.append(axis);
  for (const p of S.last.view.projects) {
    const lever = levers[p.id];
    if (!lever) continue;
    const row = document.createElement("div");
    row.className = "tl-row";
    const name = document.createElement("span");
    name.className = "tl-name";
    name.textContent = p.name;
    const track = document.createElement("div");
    track.className = "tl-track";
    track.style.gridTemplateColumns = `repeat(${years.length}, 1fr)`;
    const tick = document.createElement("span");
    tick.className = "tl-saved";
    tick.style.gridColumn = `${lever.value - years[0] + 1}`;
    tick.setAttribute("aria-hidden", "true");
    const bar = document.createElement("button");
    bar.type = "button";
    bar.className = "tl-bar";
    bar.id = "bar-" + p.id;
    bar._name = p.name;
    bar._id = p.id;
    bar.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 }[e.key];
      if (!step) return;
      e.preventDefault();
      setStart(p.id, bar._start + step);
    });
    bar.addEventListener("pointerdown", (e) => {
      bar.setPointerCapture(e.pointerId);
      TL.drag = { id: p.id, x: e.clientX, start: bar._start, width: track.getBoundingClientRect().width / years.length };
    });
    bar.addEventListener("pointermove", (e) => {
      if (!TL.drag || TL.drag.id !== p.id) return;
      const year = TL.drag.start + Math.round((e.clientX - TL.drag.x) / TL.drag.width);
      if (year !== bar._start) setStart(p.id, year);
    });
    const end = () => { TL.drag = null; };
    bar.addEventListener("pointerup", end);
    bar.addEventListener("pointercancel", end);
    track.append(tick, bar);
    row.append(name, track);
    root.append(row);
    TL.bars[p.id] = bar;
  }
  TL.built = true;
}

function renderTimeline() {
  if (!TL.built) buildTimeline();
  for (const p of S.last.view.projects) {
    const bar = TL.bars[p.id];
    if (!bar || (TL.drag && TL.drag.id === p.id)) continue;
    const key = "start_year." + p.id;
    placeBar(bar, S.values[key] ?? p.start_year, p.completion_year);
  }
}

function populationFigure() {
  const cur = S.last.view, saved = S.state.saved;
  const colors = ["#1f5fa8", "#2e8b57", "#888", "#d98c1f", "#8e44ad"];
  const pop = Object.keys(cur.population).flatMap((g, i) => [
    line(cur.years, cur.population[g], g, false, colors[i % colors.length]),
    Object.assign(line(saved.years, saved.population[g], g + " (" + t("saved") + ")", true, colors[i % colors.length]), { showlegend: false }),
  ]);
  react("fig-pop", pop, layout(t("pop")));
  $("#fig-pop").setAttribute("aria-label", t("pop"));
}

function renderShort() {
  const cur = S.last.view, saved = S.state.saved;
  const select = $("#service");
  if (!select.options.length) {
    for (const s of cur.short) select.append(new Option(s.name, s.id));
    select.addEventListener("change", () => { S.service = select.value; renderShort(); });
    $("#short-mode").addEventListener("change", renderShort);
  }
  const svc = cur.short.find((s) => s.id === (S.service || select.value)) || cur.short[0];
  if (!svc) return;
  const old = saved.short.find((s) => s.id === svc.id);
  const diff = $("#short-mode").value === "diff" && old;
  const z = diff ? svc.short.map((row, i) => row.map((v, j) => Math.round(((v || 0) - (old.short[i][j] || 0)) * 10) / 10)) : svc.short;
  const top = diff ? Math.max(1, ...z.flat().map(Math.abs)) : undefined;
  const title = diff ? t("short_diff") : t("short_fig");
  react("fig-short", [{
    type: "heatmap", x: cur.years, y: svc.zones, z,
    colorscale: diff ? [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]] : [[0, "#f7fbff"], [0.01, "#fde0c5"], [1, "#b30000"]],
    zmin: diff ? -top : 0, zmax: top, hovertemplate: "%{y} %{x}: %{z}<extra></extra>", colorbar: { title: { text: title } },
  }], layout(`${title}: ${svc.name}`, { height: Math.max(260, 26 * svc.zones.length + 90), margin: { l: 220, r: 10, t: 40, b: 40 }, hovermode: "closest", yaxis: { autorange: "reversed" } }));
  $("#fig-short").setAttribute("aria-label", `${title}: ${svc.name}`);
  const body = $("#short-table tbody");
  body.textContent = "";
  svc.zones.forEach((zone, z) => {
    const row = svc.short[z];
    const peak = Math.max(...row.map((v) => v || 0));
    if (peak <= 0 && !(old && Math.max(...old.short[z]) > 0)) return;
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = zone;
    tr.append(th);
    tr.insertCell().textContent = fmt(peak, 0);
    tr.insertCell().textContent = peak > 0 ? cur.years[row.indexOf(peak)] : t("none");
    const py = row.reduce((a, b) => a + (b || 0), 0);
    tr.insertCell().textContent = fmt(py, 0);
    const was = old ? old.short[z].reduce((a, b) => a + (b || 0), 0) : 0;
    tr.insertCell().textContent = signed(py - was, 0);
  });
}

// ------------------------------------------------------------------ optimise, Monte Carlo, save

async function poll(job, onProgress) {
  for (;;) {
    const res = await fetch(`/api/jobs/${job}`);
    const data = await res.json();
    onProgress(data);
    if (data.finished) return data;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function optimize() {
  const out = $("#optimize-out");
  out.textContent = t("running");
  const res = await post("/api/optimize", { values: changedValues() });
  if (!res.ok) { out.textContent = (res.data.errors || []).join(" "); return; }
  const job = await poll(res.data.job, () => {});
  out.textContent = "";
  if (job.errors.length) { out.textContent = job.errors.join(" "); return; }
  const r = job.result;
  const moves = r.moves.filter((m) => m.kind === "project");
  const p = document.createElement("p");
  p.textContent = `${t("place_years_short")}: ${fmt(r.place_years_short_plan, 0)} (${t("plan")}) → ${fmt(r.place_years_short_optimized, 0)} (${t("optimized")}) · ${job.seconds} s`;
  out.append(p);
  if (!moves.length) { out.append(document.createTextNode(t("no_moves"))); return; }
  out.append(tableOf(moves, [
    { title: t("project"), header: true, cell: (m) => m.name },
    { title: t("from"), cell: (m) => String(m.from ?? t("none")) },
    { title: t("to"), cell: (m) => String(m.to ?? t("none")) },
  ]));
  const apply = document.createElement("button");
  apply.type = "button";
  apply.id = "apply-moves";
  apply.textContent = t("apply_moves");
  apply.addEventListener("click", () => {
    for (const m of moves) {
      if (m.to === null) continue;
      const key = "start_year." + m.project;
      S.values[key] = m.to;
      const input = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (input) input.value = m.to;
    }
    S.lastKey = null;
    schedule();
  });
  out.append(apply);
}

async function montecarlo() {
  const out = $("#mc-out"), bar = $("#mc-progress");
  const reps = Number($("#reps").value);
  out.textContent = t("running");
  const res = await post("/api/montecarlo", { values: changedValues(), reps });
  if (!res.ok) { out.textContent = (res.data.errors || []).join(" "); return; }
  bar.hidden = false;
  bar.max = reps;
  bar.value = 0;
  const job = await poll(res.data.job, (d) => { bar.value = d.done; out.textContent = `${d.done} / ${d.total}`; });
  if (job.errors.length) { out.textContent = job.errors.join(" "); return; }
  const r = job.result;
  out.textContent = `${r.reps} ${t("mc_done")} · ${job.seconds} s`;
  const fig = $("#fig-mc");
  fig.hidden = false;
  const d = r.debt_ratio_pct;
  if (!d) return;
  const x = r.finance_years;
  const worst = d.probability_red.indexOf(Math.max(...d.probability_red));
  out.textContent += ` · ${t("probability_red")} (${t("debt_short")}): ${fmt(100 * d.probability_red[worst], 0)} % (${x[worst]})`;
  Plotly.react(fig, [
    { x, y: d.p90, type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
    { x, y: d.p10, type: "scatter", mode: "lines", fill: "tonexty", fillcolor: "rgba(31,95,168,0.2)", line: { width: 0 }, name: t("p10_p90") },
    line(x, d.p50, t("median"), false, "#1f5fa8"),
    line(x, x.map(() => S.last.view.ceiling_pct), t("ceiling"), false, "#c0392b"),
  ], layout(`${t("debt")} — Monte Carlo`), CONFIG);
  fig.setAttribute("aria-label", `${t("debt")} — Monte Carlo`);
  const s = r.short_total;
  if (!s) return;
  const figShort = $("#fig-mc-short");
  figShort.hidden = false;
  const ys = r.years;
  Plotly.react(figShort, [
    { x: ys, y: s.p90, type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
    { x: ys, y: s.p10, type: "scatter", mode: "lines", fill: "tonexty", fillcolor: "rgba(179,0,0,0.18)", line: { width: 0 }, name: t("p10_p90") },
    line(ys, s.p50, t("median"), false, "#b30000"),
  ], layout(`${t("short_all")} — Monte Carlo`), CONFIG);
  figShort.setAttribute("aria-label", `${t("short_all")} — Monte Carlo`);
}

async function compare() {
  const out = $("#compare-out");
  out.textContent = t("running");
  const res = await post("/api/compare", { folder: $("#compare-folder").value });
  if (!res.ok) { out.textContent = (res.data.errors || []).join(" "); return; }
  S.compare = res.data.view;
  out.textContent = `${t("compared")}: ${S.compare.name || ""} (${S.compare.path})`;
  for (const draw of render()) draw();
}

async function save() {
  const out = $("#save-out");
  const res = await post("/api/save", { name: $("#variant-name").value, values: changedValues() });
  if (!res.ok) { out.textContent = (res.data.errors || []).join(" "); return; }
  out.textContent = "";
  const p = document.createElement("p");
  p.textContent = `${t("saved_to")} ${res.data.path}`;
  const pre = document.createElement("pre");
  pre.textContent = res.data.text;
  out.append(p, pre);
}

// ------------------------------------------------------------------ language, start

function applyLang() {
  document.documentElement.lang = S.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("#lang").textContent = S.lang === "nb" ? "English" : "Norsk";
  buildLevers();
  TL.built = false;
  if (S.last) for (const draw of render()) draw();
}

async function start() {
  const res = await fetch("/api/state");
  S.state = await res.json();
  S.lang = S.state.lang;
  $("#title").textContent = S.state.title;
  $("#file").textContent = S.state.file;
  $("#variant-name").value = S.state.name + "-variant";
  $("#lang").addEventListener("click", () => { S.lang = S.lang === "nb" ? "en" : "nb"; applyLang(); });
  $("#reset").addEventListener("click", () => { S.values = {}; S.lastKey = null; buildLevers(); TL.built = false; schedule(); });
  $("#optimize").addEventListener("click", optimize);
  $("#montecarlo").addEventListener("click", montecarlo);
  $("#save").addEventListener("click", save);
  $("#compare").addEventListener("click", compare);
  $("#levers").addEventListener("submit", (e) => e.preventDefault());
  applyLang();
  await update();
}

start();
