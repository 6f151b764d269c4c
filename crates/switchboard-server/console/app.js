// The Switchboard console: screens over the /v1 API. It decides nothing itself: which screens
// show, and what each shows, is what the API answers for the signed-in person. Every value reaches
// the page as text (textContent, never HTML), and every call carries the session's CSRF token.

const $ = (id) => document.getElementById(id);

/** An element with properties, attributes (`attrs`), handlers (`on`) and children (text or nodes). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "attrs") for (const [a, v] of Object.entries(value)) el.setAttribute(a, v);
    else if (key === "on") for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    else el[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function cookie(name) {
  const pair = document.cookie.split(";").map((c) => c.trim().split("=")).find(([n]) => n === name);
  return pair ? decodeURIComponent(pair[1] ?? "") : "";
}

/** A refusal or failure of the API, as the server put it (problem+json). */
class Problem extends Error {
  constructor(status, body) {
    super(body?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.body = body ?? {};
  }
}

async function api(method, path, { body, accept } = {}) {
  const headers = { "X-CSRF-Token": cookie("sb_csrf") };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (accept) headers.Accept = accept;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok) {
    const problem = type.includes("json") ? await response.json().catch(() => null) : null;
    if (response.status === 401 && !path.startsWith("/console/")) {
      showSignIn("Your session has ended: sign in again.");
    }
    throw new Problem(response.status, problem);
  }
  if (response.status === 204) return null;
  return type.includes("json") ? response.json() : response.text();
}

/** The server's reason for a refusal, shown in place of the screen. */
function problemView(error) {
  if (!(error instanceof Problem)) {
    return h("div", { className: "problem", attrs: { role: "alert" } }, `Something went wrong: ${error.message}`);
  }
  const { code, detail, reason } = error.body;
  return h(
    "div",
    { className: "problem", attrs: { role: "alert" } },
    h("p", {}, h("strong", {}, error.status === 403 ? "Not allowed. " : "Refused. "), detail ?? ""),
    reason?.message && reason.message !== detail ? h("p", {}, reason.message) : null,
    h("p", { className: "code" }, `${error.status} ${code ?? ""}${reason?.code ? ` · ${reason.code}` : ""}`),
  );
}

function table(headings, rows, empty = "Nothing here yet.") {
  if (rows.length === 0) return h("p", { className: "muted" }, empty);
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, headings.map((t) => h("th", { attrs: { scope: "col" } }, t)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => (c instanceof Node && c.tagName === "TD" ? c : h("td", {}, c)))))),
  );
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
const link = (hash, text) => h("a", { href: `#/${hash}` }, text);
const tags = (items) => items.map((t) => h("span", { className: "tag" }, t));

/** A list screen paged by the API's cursors: `render(items)` gives the rows, "More" fetches on. */
function paged(path, headings, render, { empty, query = {} } = {}) {
  const body = h("tbody");
  const more = h("button", { type: "button", className: "secondary", textContent: "More" });
  const status = h("p", { className: "muted", attrs: { "aria-live": "polite" } });
  const holder = h("div", {}, status);
  let cursor = null;
  let shown = 0;
  async function next() {
    more.disabled = true;
    const params = new URLSearchParams({ limit: "50", ...query });
    if (cursor) params.set("cursor", cursor);
    try {
      const page = await api("GET", `${path}?${params}`);
      for (const cells of render(page.items)) body.append(h("tr", {}, cells.map((c) => h("td", {}, c))));
      shown += page.items.length;
      cursor = page.next_cursor ?? null;
      status.textContent = shown === 0 ? (empty ?? "Nothing here yet.") : `${shown} shown${cursor ? "" : ", all of them"}.`;
      more.hidden = !cursor;
      more.disabled = false;
      if (shown > 0 && !holder.contains(body)) {
        holder.prepend(h("table", {}, h("thead", {}, h("tr", {}, headings.map((t) => h("th", { attrs: { scope: "col" } }, t)))), body));
      }
    } catch (error) {
      holder.replaceChildren(problemView(error));
    }
  }
  more.addEventListener("click", next);
  holder.append(more);
  return { element: holder, ready: next() };
}

// ---- screens ---------------------------------------------------------------------------------

/** Each screen, the call whose answer decides whether it shows (rule MC-17), and how it renders. */
const SCREENS = [
  { path: "", label: "Me", probe: null, render: meScreen },
  { path: "roles", label: "Roles", probe: "/v1/roles?limit=1", render: rolesScreen },
  { path: "matrix", label: "Role matrix", probe: "/v1/roles/matrix", render: matrixScreen },
  { path: "users", label: "Users", probe: "/v1/users?limit=1", render: usersScreen },
  { path: "workgroups", label: "Workgroups", probe: "/v1/workgroups?limit=1", render: workgroupsScreen },
  { path: "numbers", label: "Numbers", probe: "/v1/numbers?limit=1", render: numbersScreen },
  { path: "ivrs", label: "IVRs", probe: "/v1/ivrs?limit=1", render: ivrsScreen },
  { path: "history", label: "History", probe: "/v1/communications?limit=1", render: historyScreen },
  { path: "audit", label: "Audit log", probe: "/v1/audit-events?limit=1", render: auditScreen },
];

let me = null;

async function meScreen() {
  me = await api("GET", "/v1/me");
  const p = me.permissions;
  return [
    h("h1", {}, `${me.user.name}`),
    h(
      "dl",
      { className: "facts" },
      h("dt", {}, "Email"), h("dd", {}, me.user.email),
      h("dt", {}, "Account"), h("dd", {}, `${me.account.name} (${me.account.slug})`),
      h("dt", {}, "Roles"), h("dd", {}, me.user.superadmin ? tags(["Superadmin"]) : null, tags(me.roles.map((r) => r.name))),
      h("dt", {}, "Data scopes"), h("dd", {}, tags(p.scopes)),
      h("dt", {}, "Recents"), h("dd", {}, p.recents),
    ),
    h("h2", {}, "Sections I can use"),
    table(["Section", "Level"], p.sections.map((s) => [s.label, s.level]), "No sections."),
    h("h2", {}, "Rights"),
    p.rights.length ? h("p", {}, tags(p.rights)) : h("p", { className: "muted" }, "No rights."),
  ];
}

async function rolesScreen(id) {
  if (id) return roleScreen(id);
  const list = paged("/v1/roles", ["Role", "Key", "Kind", "Members"], (roles) =>
    roles.map((r) => [link(`roles/${r.id}`, r.name), r.key, r.origin.startsWith("preset") ? "preset" : "custom", String(r.member_count ?? "")]),
  );
  await list.ready;
  return [h("h1", {}, "Roles"), list.element];
}

async function roleScreen(id) {
  const [role, sections] = await Promise.all([
    api("GET", `/v1/roles/${encodeURIComponent(id)}`),
    api("GET", "/v1/permissions").catch(() => null),
  ]);
  const labels = new Map((sections?.sections ?? []).map((s) => [s.key, s.label]));
  const grants = Object.entries(role.grants).map(([key, grant]) => [labels.get(key) ?? key, grant.level, tags(grant.rights ?? [])]);
  const members = paged(`/v1/roles/${encodeURIComponent(id)}/members`, ["Name", "Email", "Status"], (users) =>
    users.map((u) => [u.name, u.email, u.status]),
  );
  await members.ready;
  return [
    h("p", {}, link("roles", "← Roles")),
    h("h1", {}, role.name),
    h("p", { className: "muted" }, role.origin.startsWith("preset") ? "A preset role: read-only (copy it to customise)." : "A custom role."),
    role.description ? h("p", {}, role.description) : null,
    h("dl", { className: "facts" }, h("dt", {}, "Key"), h("dd", {}, role.key), h("dt", {}, "Data scope"), h("dd", {}, role.scope)),
    h("h2", {}, "Grants"),
    table(["Section", "Level", "Rights"], grants, "This role grants no section."),
    h("h2", {}, "Members"),
    members.element,
  ];
}

async function matrixScreen() {
  const matrix = await api("GET", "/v1/roles/matrix");
  const download = h("button", { type: "button", className: "secondary", textContent: "Download CSV" });
  const note = h("span", { className: "muted", attrs: { "aria-live": "polite" } });
  download.addEventListener("click", async () => {
    try {
      const csv = await api("GET", "/v1/roles/matrix", { accept: "text/csv" });
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const a = h("a", { href: url, download: "role-matrix.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      note.replaceChildren(problemView(error));
    }
  });
  const headings = ["Role", ...matrix.sections.map((s) => s.label), "Rights"];
  const rights = (r) => (r.rights.length ? h("details", {}, h("summary", {}, `${r.rights.length} rights`), tags(r.rights)) : "none");
  const rows = matrix.roles.map((r) => [link(`roles/${r.id}`, r.name), ...matrix.sections.map((s) => r.levels[s.key] ?? "none"), rights(r)]);
  return [h("h1", {}, "Role matrix"), h("div", { className: "actions" }, download, note), h("div", { className: "scroll" }, table(headings, rows))];
}

async function usersScreen() {
  const filter = h("input", { type: "search", id: "user-filter", attrs: { "aria-label": "Filter by name or email" } });
  const list = paged("/v1/users", ["Name", "Email", "Status"], (users) =>
    users.map((u) => [u.superadmin ? [u.name, " ", h("span", { className: "tag" }, "Superadmin")] : u.name, u.email, u.status]),
  );
  filter.addEventListener("input", () => {
    const wanted = filter.value.trim().toLowerCase();
    for (const row of list.element.querySelectorAll("tbody tr")) row.hidden = wanted !== "" && !row.textContent.toLowerCase().includes(wanted);
  });
  await list.ready;
  return [h("h1", {}, "Users"), h("div", { className: "filters" }, h("label", {}, "Filter", filter)), list.element];
}

async function workgroupsScreen() {
  const list = paged("/v1/workgroups", ["Workgroup", "Members", "Created"], (items) => items.map((w) => [w.name, String(w.members.length), when(w.created_at)]));
  await list.ready;
  return [h("h1", {}, "Workgroups"), list.element];
}

async function numbersScreen() {
  const list = paged("/v1/numbers", ["Number", "Label", "Kind", "Users"], (items) => items.map((n) => [n.e164, n.label, n.kind, String(n.users.length)]));
  await list.ready;
  return [h("h1", {}, "Business numbers"), list.element];
}

async function ivrsScreen() {
  const list = paged("/v1/ivrs", ["IVR", "Numbers", "Created"], (items) => items.map((i) => [i.name, String(i.numbers.length), when(i.created_at)]));
  await list.ready;
  return [h("h1", {}, "IVRs"), list.element];
}

async function historyScreen() {
  const kind = h("select", { id: "history-kind" }, ["", "call", "voicemail", "sms"].map((k) => h("option", { value: k }, k || "every kind")));
  const holder = h("div");
  async function load() {
    const query = kind.value ? { kind: kind.value } : {};
    const list = paged("/v1/communications", ["When", "Kind", "Direction", "Seconds", "Recording"], (items) =>
      items.map((c) => [when(c.started_at), c.kind, c.direction, String(c.duration_seconds), c.has_recording ? (c.recording_playable ? "playable" : "not playable") : ""]),
    { query, empty: "No communications within your reach." });
    holder.replaceChildren(list.element);
    await list.ready;
  }
  kind.addEventListener("change", load);
  await load();
  return [h("h1", {}, "History"), h("div", { className: "filters" }, h("label", {}, "Kind", kind)), holder];
}

async function auditScreen() {
  const actor = (a) => (a.key_prefix ? `API key ${a.key_prefix}` : a.id ? `${a.kind} ${a.id}` : a.kind);
  const list = paged("/v1/audit-events", ["When", "Action", "Target", "By"], (items) =>
    items.map((e) => [when(e.at), e.action, `${e.target_type}${e.target_id ? ` ${e.target_id}` : ""}`, actor(e.actor)]),
  );
  await list.ready;
  return [h("h1", {}, "Audit log"), list.element];
}

// ---- shell -------------------------------------------------------------------------------------

async function buildNav() {
  const shown = await Promise.all(
    SCREENS.map(async (screen) => {
      if (!screen.probe) return true;
      try {
        await api("GET", screen.probe);
        return true;
      } catch (error) {
        // The API refused: the section is not this person's (MC-17). Any other failure still shows
        // the screen, which then says what went wrong.
        return !(error instanceof Problem && error.status === 403);
      }
    }),
  );
  const nav = $("nav");
  nav.replaceChildren(...SCREENS.filter((_, i) => shown[i]).map((s) => h("a", { href: `#/${s.path}`, attrs: { "data-screen": s.path } }, s.label)));
  nav.hidden = false;
}

async function route() {
  const [path = "", id] = location.hash.replace(/^#\/?/, "").split("/");
  const screen = SCREENS.find((s) => s.path === path) ?? SCREENS[0];
  for (const a of $("nav").querySelectorAll("a")) {
    if (a.dataset.screen === screen.path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = $("main");
  main.replaceChildren(h("p", { className: "muted" }, "Loading…"));
  try {
    main.replaceChildren(...(await screen.render(id ? decodeURIComponent(id) : undefined)).filter(Boolean));
  } catch (error) {
    main.replaceChildren(h("h1", {}, screen.label), problemView(error));
  }
  document.title = `${screen.label} · Switchboard console`;
}

async function start() {
  try {
    me = await api("GET", "/v1/me");
  } catch {
    return; // 401 shows the sign-in form
  }
  $("who").textContent = `${me.user.name} · ${me.account.name}`;
  $("bar").hidden = false;
  await buildNav();
  await route();
}

function showSignIn(message) {
  $("bar").hidden = true;
  $("nav").hidden = true;
  const field = (label, name, type = "text", extra = {}) =>
    h("label", {}, label, h("input", { name, type, required: type !== "text" || name !== "code", attrs: { autocomplete: extra.autocomplete ?? "off" } }));
  const error = h("div", { attrs: { "aria-live": "assertive" } });
  const code = field("Authenticator or recovery code", "code", "text");
  code.hidden = true;
  const form = h(
    "form",
    { className: "sign-in", attrs: { "aria-label": "Sign in" } },
    h("h1", {}, "Sign in to Switchboard"),
    message ? h("p", { className: "muted" }, message) : null,
    field("Account", "account", "text", { autocomplete: "organization" }),
    field("Email", "email", "email", { autocomplete: "username" }),
    field("Password", "password", "password", { autocomplete: "current-password" }),
    code,
    error,
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.code) delete data.code;
    try {
      await api("POST", "/console/session", { body: data });
      location.hash = "#/";
      await start();
    } catch (e) {
      if (e instanceof Problem && e.body.code === "two_factor_required") {
        code.hidden = false;
        code.querySelector("input").focus();
      }
      error.replaceChildren(problemView(e));
    }
  });
  $("main").replaceChildren(form);
  form.querySelector("input").focus();
}

$("sign-out").addEventListener("click", async () => {
  try {
    await api("POST", "/console/sign-out");
  } finally {
    me = null;
    showSignIn("You have signed out.");
  }
});
window.addEventListener("hashchange", () => {
  if (me) route();
});
start();
