// The qdrant-backup dashboard: plain JavaScript over the admin API under /admin/backup, served by
// `qdrant-backup serve` itself. Every value from the server reaches the page through textContent
// (never innerHTML), and the admin token stays in this tab's sessionStorage and the Authorization
// header: never in a URL, a cookie or the page.
"use strict";

const API = "/admin/backup";
const TOKEN_KEY = "qdrant-backup-admin-token";

/// What the page knows; each view renders from it.
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  needsToken: false,
  health: null,
  collections: { production: null, local: null },
  archives: null,
  /// The answers of Verify, by archive name.
  verifications: new Map(),
  jobs: new Map(),
  schedules: null,
  openapi: null,
  results: {},
};

// ---------------------------------------------------------------------------------------------
// Views. Each is data: what it is called, what it loads, how it draws. A new view is one more
// entry here and, if it has live data, one more event type in `listen`.

const views = [
  { id: "health", title: "Servers", load: loadHealth, render: renderHealth },
  { id: "collections", title: "Collections", load: loadCollections, render: renderCollections },
  { id: "archives", title: "Archives", load: loadArchives, render: renderArchives },
  { id: "jobs", title: "Jobs", load: loadJobs, render: renderJobs },
  { id: "schedules", title: "Schedules", load: loadSchedules, render: renderSchedules },
  { id: "actions", title: "Actions", load: loadOpenAPI, render: renderActions },
];

/// The operations the Actions view offers: each a POST endpoint whose form is generated from the
/// request schema in the server's OpenAPI document. `primary` fields are shown first, the rest
/// under "More options"; `confirmWhen` says which filled-in values delete or overwrite something.
const operations = [
  { id: "start", title: "Backup", path: "/start", schema: "StartRequest",
    primary: ["collections", "target_prefix", "method", "overwrite", "keep_archive"],
    confirmWhen: (body) => body.overwrite ? "Existing local collections of the same names are deleted and replaced." : null },
  { id: "export", title: "Export", path: "/export", schema: "ExportRequest",
    primary: ["collections", "method", "timestamp", "overwrite"],
    confirmWhen: (body) => body.overwrite ? "Archives of the same names in the archive directory are replaced." : null },
  { id: "import", title: "Import", path: "/import", schema: "ImportRequest",
    primary: ["archives", "target", "target_prefix", "overwrite", "dry_run"],
    confirmWhen: (body) => body.overwrite && !body.dry_run ? "Existing local collections of the same names are deleted and replaced." : null },
  { id: "validate", title: "Validate", path: "/validate", schema: "ValidateRequest",
    primary: ["source_collection", "archive", "target_collection", "sample_size", "full"],
    confirmWhen: () => null },
  { id: "drill", title: "Drill", path: "/drill", schema: "DrillRequest",
    primary: ["archive", "collections", "target", "keep"],
    confirmWhen: () => null },
];

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// An element with attributes (`on*` become listeners) and children (strings become text).
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function bytes(count) {
  if (count === undefined || count === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function number(value) {
  return value === undefined || value === null ? "–" : Number(value).toLocaleString("en-US");
}

function time(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function duration(seconds) {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return "–";
  if (seconds < 1) return "< 1 s";
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

function badge(text, tone) {
  return el("span", { class: `badge ${tone}` }, text);
}

function tone(jobState) {
  return { succeeded: "good", failed: "bad", interrupted: "warn", cancelled: "warn", cancelling: "warn", running: "busy" }[jobState] || "neutral";
}

function showNotice(text) {
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.hidden = !text;
}

/// Asks before something is deleted or overwritten; resolves true only on "Go ahead".
function confirmAction(text) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  return new Promise((resolve) => {
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    const finish = (answer) => {
      yes.removeEventListener("click", onYes);
      no.removeEventListener("click", onNo);
      dialog.removeEventListener("cancel", onNo);
      dialog.close();
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    yes.addEventListener("click", onYes);
    no.addEventListener("click", onNo);
    dialog.addEventListener("cancel", onNo);
    dialog.showModal();
    no.focus();
  });
}

// ---------------------------------------------------------------------------------------------
// The API. Every request carries the token when there is one; a 401 asks for it again.

class APIError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

async function api(method, path, body) {
  if (state.needsToken) throw new APIError(401, "the admin token is needed first");
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (method === "POST") headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, {
    method, headers, body: method === "POST" ? JSON.stringify(body || {}) : undefined,
    credentials: "omit", cache: "no-store",
  });
  let payload = null;
  try { payload = await response.json(); } catch { payload = null; }
  if (response.status === 401) {
    askForToken(state.token ? "The token was refused; give the server's admin token." : "");
    throw new APIError(401, "the admin token is needed");
  }
  // /health answers 503 with its usual body when production is not usable.
  if (!response.ok && !(response.status === 503 && path === "/health")) {
    const error = payload && payload.error ? payload.error : {};
    throw new APIError(response.status, error.message || `${method} ${path} answered ${response.status}`, error.field);
  }
  return payload;
}

function askForToken(problem) {
  state.needsToken = true;
  stopListening();
  const form = document.getElementById("token-form");
  form.hidden = false;
  document.getElementById("views").hidden = true;
  document.getElementById("token-problem").textContent = problem || "";
  setConnection("needs the admin token");
  document.getElementById("token-input").focus();
}

function useToken(event) {
  event.preventDefault();
  const input = document.getElementById("token-input");
  const token = input.value.trim();
  if (!token) return;
  input.value = "";
  state.token = token;
  state.needsToken = false;
  sessionStorage.setItem(TOKEN_KEY, token);
  document.getElementById("token-form").hidden = true;
  document.getElementById("views").hidden = false;
  start();
}

// ---------------------------------------------------------------------------------------------
// Loading.

async function loadHealth() { state.health = await api("GET", "/health"); }

async function loadCollections() {
  const [production, local] = await Promise.allSettled([api("GET", "/collections/production"), api("GET", "/collections/local")]);
  state.collections.production = production.status === "fulfilled" ? production.value : { error: production.reason.message };
  state.collections.local = local.status === "fulfilled" ? local.value : { error: local.reason.message };
}

/// A listing does not verify; a Verify pressed earlier still holds while the archive is the same
/// file (same size and creation time), so its result is carried over.
async function loadArchives() {
  const listed = (await api("GET", "/archives")).archives;
  state.archives = listed.map((entry) => {
    const checked = state.verifications.get(entry.name);
    const same = checked && entry.summary && checked.summary && checked.summary.file_size === entry.summary.file_size
      && checked.summary.created_at === entry.summary.created_at;
    return same ? { ...entry, verified: checked.verified, problem: checked.problem } : entry;
  });
}

async function loadJobs() {
  const { jobs } = await api("GET", "/jobs");
  state.jobs = new Map(jobs.map((job) => [job.id, job]));
}

async function loadSchedules() { state.schedules = (await api("GET", "/schedules")).schedules; }

async function loadOpenAPI() { if (!state.openapi) state.openapi = await api("GET", "/openapi.json"); }

async function refresh(view) {
  try {
    await view.load();
    view.problem = null;
  } catch (error) {
    view.problem = error.status === 401 ? null : error.message;
  }
  render(view);
}

// ---------------------------------------------------------------------------------------------
// Live job updates: server-sent events read through fetch (EventSource cannot send the
// Authorization header), falling back to polling /jobs when the stream is not available.

let listener = null;

function stopListening() {
  if (listener) { listener.stop(); listener = null; }
}

function listen() {
  stopListening();
  const controller = new AbortController();
  let pollTimer = null;
  let retryTimer = null;
  let stopped = false;
  const stop = () => { stopped = true; controller.abort(); clearInterval(pollTimer); clearTimeout(retryTimer); };
  listener = { stop };

  const poll = () => {
    if (pollTimer) return;
    setConnection("polling every 2 s");
    pollTimer = setInterval(() => refresh(viewByID("jobs")), 2000);
    // Try the stream again now and then: it may have failed for a passing reason.
    retryTimer = setTimeout(() => { if (!stopped) listen(); }, 30000);
  };

  const headers = { Accept: "text/event-stream" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  fetch(`${API}/events`, { headers, signal: controller.signal, credentials: "omit", cache: "no-store" })
    .then(async (response) => {
      if (response.status === 401) { askForToken("The token was refused; give the server's admin token."); return; }
      if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
      setConnection("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end;
        while ((end = buffered.indexOf("\n\n")) >= 0) {
          handleEvent(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
      }
      // The server ended the stream (it is shutting down, or restarting): reconnect shortly.
      if (!stopped) { setConnection("reconnecting…"); retryTimer = setTimeout(listen, 2000); }
    })
    .catch(() => { if (!stopped) poll(); });
}

/// One server-sent event: `event: job` with a job record as its data.
function handleEvent(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (type !== "job" || data.length === 0) return;
  const job = JSON.parse(data.join("\n"));
  const before = state.jobs.get(job.id);
  state.jobs.set(job.id, job);
  scheduleRender(viewByID("jobs"));
  // A job that just ended may have written archives or collections.
  if (before && before.state !== job.state && !["queued", "running", "cancelling"].includes(job.state)) {
    refresh(viewByID("archives"));
    refresh(viewByID("collections"));
  }
}

function setConnection(text) {
  document.getElementById("connection").textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Rendering. A view's section is rebuilt from `state`; the focused control is found again by its
// data-focus key so that a keyboard user does not lose their place on a live update.

const pendingRenders = new Set();

/// Draws a view soon, once for a burst of events.
function scheduleRender(view) {
  if (pendingRenders.size === 0) setTimeout(() => { pendingRenders.forEach(render); pendingRenders.clear(); }, 50);
  pendingRenders.add(view);
}

function viewByID(id) { return views.find((view) => view.id === id); }

function render(view) {
  const section = document.getElementById(`view-${view.id}`);
  if (!section) return;
  const focusKey = document.activeElement && section.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
  const body = section.querySelector(".view-body");
  body.replaceChildren(...[view.problem ? el("p", { class: "problem", role: "alert" }, view.problem) : null, view.render()].filter(Boolean));
  // A count of draws: scripts and tests can tell a fresh drawing from the one before.
  section.dataset.renders = String(Number(section.dataset.renders || 0) + 1);
  if (focusKey) {
    const again = body.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
}

function table(columns, rows, caption) {
  return el("div", { class: "table-wrap" },
    el("table", {},
      caption ? el("caption", {}, caption) : null,
      el("thead", {}, el("tr", {}, columns.map((column) => el("th", { scope: "col" }, column)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((cell, index) => el("td", { "data-label": columns[index] }, cell)))))));
}

function renderHealth() {
  const health = state.health;
  if (!health) return el("p", {}, "Loading…");
  return el("div", { class: "cards" }, ["production", "local"].map((role) => {
    const server = health[role];
    const ok = server.reachable && server.authenticated !== false && !server.problem;
    return el("article", { class: "card", "aria-label": `${role} server` },
      el("h3", {}, role, " ", badge(ok ? "healthy" : "unhealthy", ok ? "good" : "bad")),
      el("dl", {},
        el("dt", {}, "URL"), el("dd", {}, server.url),
        el("dt", {}, "Version"), el("dd", {}, server.version || "–"),
        el("dt", {}, "API key"), el("dd", {}, server.api_key_set ? (server.authenticated ? "set, accepted" : "set, refused") : "none"),
        el("dt", {}, "Latency"), el("dd", {}, server.latency_ms === undefined || server.latency_ms === null ? "–" : `${server.latency_ms.toFixed(1)} ms`)),
      server.problem ? el("p", { class: "problem" }, server.problem) : null);
  }));
}

function renderCollections() {
  return el("div", {}, ["production", "local"].map((role) => {
    const listing = state.collections[role];
    const heading = el("h3", {}, `${role[0].toUpperCase()}${role.slice(1)}`, listing && listing.server ? el("small", {}, ` ${listing.server}`) : null);
    if (!listing) return el("div", {}, heading, el("p", {}, "Loading…"));
    if (listing.error) return el("div", {}, heading, el("p", { class: "problem" }, listing.error));
    if (listing.collections.length === 0) return el("div", {}, heading, el("p", {}, "No collections."));
    return el("div", {}, heading, table(["Collection", "Points", "Vectors", "Indexes", "Status"], listing.collections.map((collection) => [
      collection.name,
      number(collection.points_count),
      collection.vectors.map((vector) => `${vector.name || "(default)"} ${vector.size ?? ""}${vector.distance ? " " + vector.distance : ""}`)
        .concat(collection.sparse_vectors.map((name) => `${name} (sparse)`)).join(", ") || "none",
      collection.payload_indexes.map((index) => `${index.field} (${index.type})`).join(", ") || "none",
      collection.status || "–",
    ])));
  }));
}

function renderArchives() {
  const archives = state.archives;
  if (!archives) return el("p", {}, "Loading…");
  const toolbar = el("p", { class: "toolbar" },
    el("button", { type: "button", "data-focus": "archives-reload", onclick: () => refresh(viewByID("archives")) }, "Reload"));
  if (archives.length === 0) return el("div", {}, toolbar, el("p", {}, "No archives in the archive directory yet."));
  const byCollection = new Map();
  for (const entry of archives) {
    if (!byCollection.has(entry.collection)) byCollection.set(entry.collection, []);
    byCollection.get(entry.collection).push(entry);
  }
  return el("div", {}, toolbar, [...byCollection].map(([collection, entries]) => el("section", { class: "group", "aria-label": `archives of ${collection}` },
    el("h3", {}, collection, el("small", {}, ` ${entries.length} generation${entries.length === 1 ? "" : "s"}`)),
    table(["Archive", "Generation", "Method", "Points", "Size", "Created", "Encryption", "Complete", "Verified", ""], entries.map((entry) => {
      const summary = entry.summary || {};
      const verified = entry.verified === true ? badge("verified", "good")
        : entry.verified === false ? badge("damaged", "bad") : badge("not verified", "neutral");
      return [
        entry.name,
        time(entry.generation_time),
        summary.method || "–",
        number(summary.points_count),
        bytes(summary.file_size),
        time(summary.created_at),
        summary.encryption || "none",
        entry.summary ? (summary.complete ? badge("complete", "good") : badge("incomplete", "warn")) : badge("unreadable", "bad"),
        el("span", {}, verified, entry.problem ? el("span", { class: "problem" }, ` ${entry.problem}`) : null),
        el("button", { type: "button", "data-focus": `verify-${entry.name}`, "data-archive": entry.name, class: "verify",
                       onclick: (event) => verifyArchive(entry.name, event.currentTarget) }, "Verify"),
      ];
    }), `Archives of ${collection}`))));
}

async function verifyArchive(name, button) {
  button.disabled = true;
  button.textContent = "Verifying…";
  try {
    const entry = await api("GET", `/archives/${encodeURIComponent(name)}?verify=true`);
    state.verifications.set(name, entry);
    const index = state.archives.findIndex((candidate) => candidate.name === name);
    if (index >= 0) state.archives[index] = entry;
    showNotice("");
  } catch (error) {
    showNotice(`Verifying ${name}: ${error.message}`);
  }
  render(viewByID("archives"));
}

function renderJobs() {
  if (state.jobs.size === 0) return el("p", {}, "No jobs yet. Start one under Actions.");
  const jobs = [...state.jobs.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
  return el("ol", { class: "jobs" }, jobs.map((job) => {
    const active = ["queued", "running"].includes(job.state);
    return el("li", { class: "card job", "data-job": job.id, "data-state": job.state },
      el("h3", {}, `${job.kind} `, badge(job.state, tone(job.state)), el("small", {}, ` ${job.id}`)),
      el("p", { class: "meta" }, `created ${time(job.created_at)}`, job.finished_at ? ` · ended ${time(job.finished_at)}` : "",
        job.runs > 1 ? ` · run ${job.runs}` : ""),
      job.error ? el("p", { class: "problem" }, job.error) : null,
      job.items.length ? el("ul", { class: "items" }, job.items.map(renderItem)) : null,
      el("p", { class: "buttons" },
        active ? el("button", { type: "button", class: "danger", "data-focus": `cancel-${job.id}`, onclick: () => cancelJob(job) }, "Cancel") : null,
        job.resumable ? el("button", { type: "button", "data-focus": `resume-${job.id}`, onclick: () => resumeJob(job) }, "Resume") : null));
  }));
}

/// Each schedule with its next and last run and the last outcome; a schedule added through the API
/// can be deleted here (one from the `--schedules` file comes back at the next start, so it is not offered).
function renderSchedules() {
  const schedules = state.schedules;
  if (!schedules) return el("p", {}, "Loading…");
  const toolbar = el("p", { class: "toolbar" },
    el("button", { type: "button", "data-focus": "schedules-reload", onclick: () => refresh(viewByID("schedules")) }, "Reload"));
  if (schedules.length === 0) {
    return el("div", {}, toolbar, el("p", {}, "No schedules. Add one with POST /admin/backup/schedules or serve --schedules FILE."));
  }
  return el("div", {}, toolbar, table(["Schedule", "Cron", "Kind", "Next run", "Last run", "Last outcome", "Source", ""],
    schedules.map((schedule) => [
      schedule.id,
      `${schedule.cron}${schedule.time_zone ? ` (${schedule.time_zone})` : " (UTC)"}`,
      schedule.kind,
      time(schedule.next_run),
      time(schedule.last_run),
      schedule.last_outcome ? badge(schedule.last_outcome, schedule.last_outcome === "skipped" ? "warn" : tone(schedule.last_outcome)) : "–",
      schedule.source,
      schedule.source === "api"
        ? el("button", { type: "button", class: "danger", "data-focus": `delete-schedule-${schedule.id}`,
                         onclick: () => deleteSchedule(schedule.id) }, "Delete")
        : null,
    ]), "Schedules"));
}

async function deleteSchedule(id) {
  if (!(await confirmAction(`The schedule ${id} is deleted: it starts no more jobs (its jobs so far are kept).`))) return;
  try {
    await api("DELETE", `/schedules/${encodeURIComponent(id)}`);
    showNotice("");
  } catch (error) {
    showNotice(`Deleting schedule ${id}: ${error.message}`);
  }
  await refresh(viewByID("schedules"));
}

function renderItem(item) {
  const byPoints = item.points_total !== undefined && item.points_total !== null && item.points_total > 0;
  const done = byPoints ? item.points_done : item.bytes_done;
  const total = byPoints ? item.points_total : item.bytes_total;
  const label = `${item.name} ${item.phase}`;
  const rate = item.points_per_second ? `${number(Math.round(item.points_per_second))} points/s`
    : item.bytes_per_second ? `${bytes(item.bytes_per_second)}/s` : null;
  // Without a total the bar is indeterminate while the item runs, and empty or full otherwise.
  const progress = total ? el("progress", { max: total, value: Math.min(done, total), "aria-label": label, "data-item": item.name })
    : el("progress", { "aria-label": label, "data-item": item.name, max: 1,
                       value: item.state === "running" ? null : item.state === "succeeded" ? 1 : 0 });
  return el("li", { class: "item", "data-item": item.name },
    el("div", { class: "item-head" },
      el("strong", {}, item.name), item.target && item.target !== item.name ? ` → ${item.target}` : "",
      " ", badge(item.phase, "neutral"), " ", badge(item.state, tone(item.state))),
    progress,
    el("p", { class: "meta" },
      total ? `${byPoints ? number(done) + " / " + number(total) + " points" : bytes(done) + " / " + bytes(total)}` : (done ? (byPoints ? `${number(done)} points` : bytes(done)) : ""),
      rate ? ` · ${rate}` : "", item.eta_seconds !== undefined && item.eta_seconds !== null && item.state === "running" ? ` · ETA ${duration(item.eta_seconds)}` : "",
      item.method ? ` · method ${item.method}` : "", item.archive ? ` · ${item.archive}` : ""),
    item.error ? el("p", { class: "problem" }, item.error) : null,
    item.notes && item.notes.length ? el("ul", { class: "notes" }, item.notes.map((note) => el("li", {}, note))) : null);
}

async function cancelJob(job) {
  const keeps = job.request && job.request.keep_partial;
  const ok = await confirmAction(`Cancel ${job.kind} job ${job.id}? It stops at its next safe point`
    + (keeps ? "." : "; a partly imported collection is deleted."));
  if (!ok) return;
  try {
    const record = await api("DELETE", `/jobs/${encodeURIComponent(job.id)}`);
    state.jobs.set(record.id, record);
    showNotice("");
  } catch (error) {
    showNotice(`Cancelling ${job.id}: ${error.message}`);
  }
  render(viewByID("jobs"));
}

async function resumeJob(job) {
  try {
    const record = await api("POST", `/jobs/${encodeURIComponent(job.id)}/resume`);
    state.jobs.set(record.id, record);
    showNotice("");
  } catch (error) {
    showNotice(`Resuming ${job.id}: ${error.message}`);
  }
  render(viewByID("jobs"));
}

// ---------------------------------------------------------------------------------------------
// Actions: forms generated from the OpenAPI document's request schemas.

let chosenOperation = operations[0].id;

function resolve(schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return { ...state.openapi.components.schemas[name], description: schema.description };
  }
  return schema;
}

function renderActions() {
  if (!state.openapi) return el("p", {}, "Loading…");
  const picker = el("div", { class: "picker", role: "group", "aria-label": "Operation" }, operations.map((operation) =>
    el("button", { type: "button", "aria-pressed": String(operation.id === chosenOperation), "data-focus": `pick-${operation.id}`,
                   "data-operation": operation.id,
                   onclick: () => { chosenOperation = operation.id; render(viewByID("actions")); } }, operation.title)));
  const operation = operations.find((candidate) => candidate.id === chosenOperation);
  return el("div", {}, picker, operationForm(operation), state.results[operation.id] || null);
}

function operationForm(operation) {
  const schema = state.openapi.components.schemas[operation.schema];
  const names = Object.keys(schema.properties);
  const primary = operation.primary.filter((name) => names.includes(name));
  const rest = names.filter((name) => !primary.includes(name)).sort();
  const summary = state.openapi.paths[operation.path].post.summary;
  const form = el("form", { class: "panel operation", id: `form-${operation.id}`, "aria-label": `${operation.title} form`, novalidate: true,
                            onsubmit: (event) => { event.preventDefault(); submitOperation(operation, form); } },
    el("h3", {}, operation.title, el("small", {}, ` POST ${API}${operation.path}`)),
    el("p", {}, summary),
    primary.map((name) => field(operation, name, resolve(schema.properties[name]))),
    el("details", {}, el("summary", {}, `More options (${rest.length})`),
      rest.map((name) => field(operation, name, resolve(schema.properties[name])))),
    el("p", { class: "problem", role: "alert", id: `problem-${operation.id}` }),
    el("button", { type: "submit", "data-focus": `submit-${operation.id}` }, operation.id === "validate" ? "Validate" : `Start ${operation.title.toLowerCase()}`));
  return form;
}

/// One input for one schema property, its kind chosen by the property's type.
function field(operation, name, schema) {
  const id = `${operation.id}-${name}`;
  const help = schema.description ? el("small", { id: `${id}-help` }, schema.description) : null;
  const described = help ? `${id}-help` : null;
  let input;
  let hint = "";
  const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== "null") : schema.type;
  if (type === "boolean") {
    input = el("input", { type: "checkbox", id, name, "data-kind": "boolean", "aria-describedby": described });
    return el("div", { class: "field check" }, input, el("label", { for: id }, name), help);
  }
  if (schema.enum) {
    input = el("select", { id, name, "data-kind": "string", "aria-describedby": described },
      el("option", { value: "" }, schema.default !== undefined ? `default (${schema.default})` : "default"),
      schema.enum.filter((value) => value !== null).map((value) => el("option", { value }, value)));
  } else if (type === "integer" || type === "number") {
    input = el("input", { type: "number", id, name, "data-kind": type, min: schema.minimum, max: schema.maximum,
                          step: type === "integer" ? 1 : "any", placeholder: schema.default, "aria-describedby": described });
  } else if (type === "array") {
    input = el("input", { type: "text", id, name, "data-kind": "array", "aria-describedby": described, autocomplete: "off" });
    hint = " (comma-separated)";
  } else if (type === "object") {
    input = el("textarea", { id, name, "data-kind": "object", rows: 3, "aria-describedby": described, placeholder: "{ JSON }" });
  } else {
    input = el("input", { type: "text", id, name, "data-kind": "string", "aria-describedby": described, autocomplete: "off" });
  }
  return el("div", { class: "field" }, el("label", { for: id }, name, hint), input, help);
}

/// The request body: only the fields filled in, each as its schema type.
function formBody(form) {
  const body = {};
  for (const input of form.querySelectorAll("[data-kind]")) {
    const kind = input.dataset.kind;
    if (kind === "boolean") { if (input.checked) body[input.name] = true; continue; }
    const text = input.value.trim();
    if (!text) continue;
    if (kind === "integer" || kind === "number") {
      const value = Number(text);
      if (!Number.isFinite(value)) throw new APIError(400, "must be a number", input.name);
      body[input.name] = value;
    } else if (kind === "array") {
      body[input.name] = text.split(/[,\n]/).map((part) => part.trim()).filter(Boolean);
    } else if (kind === "object") {
      try { body[input.name] = JSON.parse(text); } catch { throw new APIError(400, "must be a JSON object", input.name); }
    } else {
      body[input.name] = text;
    }
  }
  return body;
}

async function submitOperation(operation, form) {
  const problem = form.querySelector(`#problem-${operation.id}`);
  problem.textContent = "";
  let body;
  try {
    body = formBody(form);
  } catch (error) {
    problem.textContent = `${error.field}: ${error.message}`;
    return;
  }
  const warning = operation.confirmWhen(body);
  if (warning && !(await confirmAction(warning))) return;
  try {
    const answer = await api("POST", operation.path, body);
    if (operation.id === "validate") {
      // Beside the form, which keeps what was typed into it.
      state.results.validate = validationReport(answer);
      const shown = form.parentElement.querySelector(".result");
      if (shown) shown.replaceWith(state.results.validate); else form.after(state.results.validate);
      return;
    }
    showNotice(`${operation.title} job ${answer.job_id} queued.`);
    await refresh(viewByID("jobs"));
    location.hash = "#jobs";
  } catch (error) {
    problem.textContent = error.field ? `${error.field}: ${error.message}` : error.message;
    if (error.field) {
      const input = form.querySelector(`[name="${CSS.escape(error.field)}"]`);
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    }
  }
}

function validationReport(report) {
  const differences = report.mismatches || [];
  return el("section", { class: "panel result", "aria-label": "validation report" },
    el("h3", {}, "Validation ", report.passed ? badge("equal", "good")
      : badge(`${differences.length} difference${differences.length === 1 ? "" : "s"}`, "bad")),
    el("p", {}, `${report.source} → ${report.target}: counts ${number(report.source_count)} / ${number(report.target_count)}`),
    differences.length ? el("ul", {}, differences.slice(0, 50).map((mismatch) =>
      el("li", {}, `${mismatch.kind}${mismatch.point_id !== undefined ? ` point ${mismatch.point_id}` : ""}: ${mismatch.detail}`))) : null,
    el("details", {}, el("summary", {}, "The whole report"), el("pre", {}, JSON.stringify(report, null, 2))));
}

// ---------------------------------------------------------------------------------------------
// Start-up: the tabs, one section per view, the hash chooses the view shown.

function build() {
  const tabs = document.getElementById("tabs");
  const container = document.getElementById("views");
  for (const view of views) {
    tabs.append(el("li", {}, el("a", { href: `#${view.id}`, id: `tab-${view.id}` }, view.title)));
    container.append(el("section", { id: `view-${view.id}`, class: "view", "aria-labelledby": `heading-${view.id}` },
      el("h2", { id: `heading-${view.id}` }, view.title), el("div", { class: "view-body" })));
  }
  document.getElementById("token-form").addEventListener("submit", useToken);
  window.addEventListener("hashchange", showView);
  showView();
}

/// Shows the view the hash names; on a hash change (an event) also reloads it.
function showView(event) {
  const id = views.some((view) => `#${view.id}` === location.hash) ? location.hash.slice(1) : views[0].id;
  for (const view of views) {
    const shown = view.id === id;
    document.getElementById(`view-${view.id}`).hidden = !shown;
    const tab = document.getElementById(`tab-${view.id}`);
    if (shown) tab.setAttribute("aria-current", "page"); else tab.removeAttribute("aria-current");
  }
  if (event && !state.needsToken) refresh(viewByID(id));
}

async function start() {
  // Health first: it tells whether a token is needed before anything else is asked.
  await refresh(viewByID("health"));
  if (state.needsToken) return;
  await Promise.all(views.filter((view) => view.id !== "health").map(refresh));
  listen();
}

document.addEventListener("DOMContentLoaded", () => {
  build();
  start();
});
