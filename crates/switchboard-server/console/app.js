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

async function api(method, path, { body, accept, headers: extra = {} } = {}) {
  const headers = { "X-CSRF-Token": cookie("sb_csrf"), ...extra };
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

/** A table's header row. */
function thead(headings) {
  return h("thead", {}, h("tr", {}, headings.map((t) => h("th", { attrs: { scope: "col" } }, t))));
}

/** A table row of cells. */
function tableRow(cells) {
  return h("tr", {}, cells.map((c) => h("td", {}, c)));
}

function table(headings, rows, empty = "Nothing here yet.") {
  if (rows.length === 0) return h("p", { className: "muted" }, empty);
  return h("table", {}, thead(headings), h("tbody", {}, rows.map(tableRow)));
}

/** A place beside a control that shows how a call went: done, or the server's reason. */
function outcome() {
  const el = h("div", { attrs: { "aria-live": "polite" } });
  el.done = (text) => el.replaceChildren(h("p", { className: "done", attrs: { role: "status" } }, text));
  el.failed = (error) => el.replaceChildren(problemView(error));
  return el;
}

/** Runs `work` when the form is submitted, showing its outcome; the form's fields as an object. */
function onSubmit(form, result, work) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await work(Object.fromEntries(new FormData(form)));
    } catch (error) {
      result.failed(error);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

/** A control with its visible label, which is also its accessible name (not the options' text). */
const labelled = (label, control) => {
  control.setAttribute("aria-label", label);
  return h("label", {}, label, control);
};

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
      for (const cells of render(page.items)) body.append(tableRow(cells));
      shown += page.items.length;
      cursor = page.next_cursor ?? null;
      status.textContent = shown === 0 ? (empty ?? "Nothing here yet.") : `${shown} shown${cursor ? "" : ", all of them"}.`;
      more.hidden = !cursor;
      more.disabled = false;
      if (shown > 0 && !holder.contains(body)) {
        holder.prepend(h("table", {}, thead(headings), body));
      }
    } catch (error) {
      holder.replaceChildren(problemView(error));
    }
  }
  more.addEventListener("click", next);
  holder.append(more);
  return { element: holder, body, ready: next() };
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
  { path: "api-keys", label: "API keys", probe: "/v1/api-keys?limit=1", render: apiKeysScreen },
  { path: "account", label: "Account", probe: "/v1/account", render: accountScreen },
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

async function rolesScreen(id, sub) {
  if (id === "new") return roleEditor(null);
  if (id && sub === "edit") return roleEditor(id);
  if (id) return roleScreen(id);
  const list = paged("/v1/roles", ["Role", "Key", "Kind", "Members"], (roles) =>
    roles.map((r) => [link(`roles/${r.id}`, r.name), r.key, r.origin.startsWith("preset") ? "preset" : "custom", String(r.member_count ?? "")]),
  );
  await list.ready;
  return [h("h1", {}, "Roles"), h("div", { className: "actions" }, h("a", { href: "#/roles/new", className: "button" }, "New role")), list.element];
}

async function roleScreen(id) {
  const [role, sections] = await Promise.all([
    api("GET", `/v1/roles/${encodeURIComponent(id)}`),
    api("GET", "/v1/permissions").catch(() => null),
  ]);
  const labels = new Map((sections?.sections ?? []).map((s) => [s.key, s.label]));
  const grants = Object.entries(role.grants).map(([key, grant]) => [labels.get(key) ?? key, grant.level, tags(grant.rights ?? [])]);
  const path = `/v1/roles/${encodeURIComponent(id)}`;
  const result = outcome();
  const reload = () => route();
  const remove = (u) =>
    h("button", {
      type: "button",
      className: "secondary",
      textContent: "Remove",
      attrs: { "aria-label": `Take ${role.name} from ${u.email}` },
      on: {
        click: async () => {
          try {
            await api("DELETE", `${path}/members/${encodeURIComponent(u.id)}`);
            await reload();
          } catch (error) {
            result.failed(error);
          }
        },
      },
    });
  const members = paged(`${path}/members`, ["Name", "Email", "Status", ""], (users) => users.map((u) => [u.name, u.email, u.status, remove(u)]));
  await members.ready;
  // Whom the role can be given to: the account's people, as the API lists them for this person.
  const people = await api("GET", "/v1/users?limit=500").then((page) => page.items).catch(() => []);
  const give = onSubmit(
    h(
      "form",
      { className: "filters", attrs: { "aria-label": "Give this role" } },
      labelled("Give this role to", h("select", { name: "user" }, people.map((u) => h("option", { value: u.id }, `${u.name} <${u.email}>`)))),
      h("button", { type: "submit" }, "Give role"),
    ),
    result,
    async ({ user }) => {
      await api("POST", `${path}/members`, { body: { user_ids: [user] } });
      await reload();
    },
  );
  const copy = onSubmit(
    h(
      "form",
      { className: "filters", attrs: { "aria-label": "Copy this role" } },
      labelled("New key", h("input", { name: "key", required: true, pattern: "[a-z][a-z0-9_]*", value: `${role.key}_copy` })),
      labelled("New name", h("input", { name: "name", required: true, value: `${role.name} (copy)` })),
      h("button", { type: "submit" }, "Copy role"),
    ),
    result,
    async (body) => {
      const made = await api("POST", `${path}/copy`, { body });
      location.hash = `#/roles/${made.id}`;
    },
  );
  return [
    h("p", {}, link("roles", "← Roles")),
    h("h1", {}, role.name),
    h("p", { className: "muted" }, role.origin.startsWith("preset") ? "A preset role: read-only (copy it to customise)." : "A custom role."),
    role.origin.startsWith("preset") ? null : h("div", { className: "actions" }, h("a", { href: `#/roles/${role.id}/edit`, className: "button" }, "Edit role")),
    role.description ? h("p", {}, role.description) : null,
    h("dl", { className: "facts" }, h("dt", {}, "Key"), h("dd", {}, role.key), h("dt", {}, "Data scope"), h("dd", {}, role.scope)),
    h("h2", {}, "Grants"),
    table(["Section", "Level", "Rights"], grants, "This role grants no section."),
    h("h2", {}, "Members"),
    result,
    give,
    members.element,
    h("h2", {}, "Copy"),
    h("p", { className: "muted" }, "A copy is a custom role with the same grants, which you can then change (MC-16)."),
    copy,
  ];
}

/**
 * The role editor: sections × levels with each section's rights. What the signed-in person may not
 * grant is disabled with the server's reason (`GET /v1/roles/grantable`, rule MC-20); saving is
 * decided by the server all the same.
 */
async function roleEditor(id) {
  const [offered, role] = await Promise.all([
    api("GET", "/v1/roles/grantable"),
    id ? api("GET", `/v1/roles/${encodeURIComponent(id)}`) : Promise.resolve(null),
  ]);
  const grants = role?.grants ?? {};
  // A level or right to choose; one the person may not grant is disabled, with the server's reason.
  const choice = ({ type, name, value, label, checked, reason, keep = false }) =>
    h(
      "label",
      { className: reason ? "choice disabled" : "choice" },
      h("input", { type, name, value, checked, disabled: Boolean(reason) && !keep, attrs: { "aria-label": label.full } }),
      ` ${label.short}`,
      reason ? h("small", { className: "why" }, reason.message) : null,
    );
  const rows = offered.sections.map((section) => {
    const held = grants[section.key]?.level ?? "none";
    const given = grants[section.key]?.rights ?? [];
    const levels = section.levels.map((l) =>
      choice({
        type: "radio",
        name: `level:${section.key}`,
        value: l.level,
        label: { full: `${section.label}: ${l.level}`, short: l.level },
        checked: l.level === held,
        reason: l.reason,
        keep: l.level === held,
      }),
    );
    const rights = section.rights.map((r) =>
      choice({ type: "checkbox", name: `right:${section.key}`, value: r.key, label: { full: r.label, short: r.label }, checked: given.includes(r.key), reason: r.reason }),
    );
    return [section.label, h("div", { className: "choices" }, levels), h("div", { className: "choices" }, rights)];
  });
  const result = outcome();
  const scopes = ["personal", "workgroup", "numbers", "dashboard", "all"];
  const form = onSubmit(
    h(
      "form",
      { className: "editor", attrs: { "aria-label": "Role editor" } },
      h(
        "div",
        { className: "filters" },
        id ? null : labelled("Key", h("input", { name: "key", required: true, pattern: "[a-z][a-z0-9_]*", attrs: { autocomplete: "off" } })),
        labelled("Name", h("input", { name: "name", required: true, value: role?.name ?? "" })),
        labelled("Description", h("input", { name: "description", value: role?.description ?? "" })),
        labelled("Data scope", h("select", { name: "scope" }, scopes.map((v) => h("option", { value: v, selected: (role?.scope ?? "personal") === v }, v)))),
      ),
      h("div", { className: "scroll" }, table(["Section", "Level", "Rights"], rows)),
      result,
      h("button", { type: "submit" }, id ? "Save role" : "Create role"),
    ),
    result,
    async (fields) => {
      const data = new FormData(form);
      const chosen = {};
      for (const section of offered.sections) {
        const level = data.get(`level:${section.key}`) ?? "none";
        const rights = data.getAll(`right:${section.key}`);
        if (level !== "none" || rights.length) chosen[section.key] = { level, rights };
      }
      const body = { name: fields.name, description: fields.description, scope: fields.scope, grants: chosen };
      const saved = id
        ? await api("PATCH", `/v1/roles/${encodeURIComponent(id)}`, { body, headers: { "If-Match": `"${role.version}"` } })
        : await api("POST", "/v1/roles", { body: { ...body, key: fields.key } });
      location.hash = `#/roles/${saved.id}`;
    },
  );
  return [
    h("p", {}, link(id ? `roles/${id}` : "roles", id ? `← ${role.name}` : "← Roles")),
    h("h1", {}, id ? `Edit ${role.name}` : "New role"),
    h("p", { className: "muted" }, "What you may not grant is shown disabled, with the reason."),
    form,
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

async function usersScreen(id) {
  if (id) return profileScreen(id);
  const filter = h("input", { type: "search", id: "user-filter", attrs: { "aria-label": "Filter by name or email" } });
  const pick = (u) => h("input", { type: "checkbox", name: "user", value: u.id, attrs: { "aria-label": `Select ${u.email}` } });
  const list = paged("/v1/users", ["", "Name", "Email", "Status"], (users) =>
    users.map((u) => [pick(u), [link(`users/${u.id}`, u.name), u.superadmin ? [" ", h("span", { className: "tag" }, "Superadmin")] : null], u.email, u.status]),
  );
  filter.addEventListener("input", () => {
    const wanted = filter.value.trim().toLowerCase();
    for (const row of list.element.querySelectorAll("tbody tr")) row.hidden = wanted !== "" && !row.textContent.toLowerCase().includes(wanted);
  });
  await list.ready;
  // A bulk change of the selected people's roles (MC-21), when the API lists roles to this person.
  const roles = await api("GET", "/v1/roles?limit=500").then((page) => page.items).catch(() => null);
  const result = outcome();
  const bulk = roles
    ? onSubmit(
        h(
          "form",
          { className: "filters", attrs: { "aria-label": "Change roles of the selected users" } },
          labelled("Role", h("select", { name: "role" }, roles.map((r) => h("option", { value: r.key }, r.name)))),
          labelled(
            "Change",
            h("select", { name: "action" }, [["replace", "replace their roles with it"], ["add", "add it"], ["remove", "remove it"]].map(([v, t]) => h("option", { value: v }, t))),
          ),
          h("button", { type: "submit" }, "Apply to selected"),
        ),
        result,
        async ({ role, action }) => {
          const users = [...list.element.querySelectorAll("input[name=user]:checked")].map((c) => c.value);
          if (users.length === 0) return result.done("Select the users to change first.");
          await api("POST", "/v1/users/bulk-role", { body: { user_ids: users, role, action } });
          result.done(`Changed ${users.length} user${users.length === 1 ? "" : "s"}.`);
        },
      )
    : null;
  const invited = outcome();
  const invite = onSubmit(
    personForm(
      "Invite a user",
      "Invitee's",
      roles ? labelled("With role", h("select", { name: "role" }, h("option", { value: "" }, "the pack's default"), roles.map((r) => h("option", { value: r.key }, r.name)))) : null,
      "Invite",
    ),
    invited,
    async ({ email, name, role }) => {
      const made = await api("POST", "/v1/users", { body: { email, name, ...(role ? { roles: [role] } : {}) } });
      invited.done(`Invited ${made.email}: they are ${made.status} until they set a password.`);
    },
  );
  return [
    h("h1", {}, "Users"),
    h("div", { className: "filters" }, h("label", {}, "Filter", filter)),
    bulk,
    result,
    list.element,
    h("h2", {}, "Invite"),
    invite,
    invited,
  ];
}

/** A form asking for a new person's email and name (invite, duplicate), with `extra` fields. */
function personForm(name, whose, extra, button) {
  return h(
    "form",
    { className: "filters", attrs: { "aria-label": name } },
    labelled(`${whose} email`, h("input", { name: "email", type: "email", required: true })),
    labelled(`${whose} name`, h("input", { name: "name", required: true })),
    extra,
    h("button", { type: "submit" }, button),
  );
}

/** A person's profile: what they were given, and "see as this user" — the server's view of them. */
async function profileScreen(id) {
  const path = `/v1/users/${encodeURIComponent(id)}`;
  const [user, seen, numbers, workgroups, ivrs] = await Promise.all([
    api("GET", path),
    api("GET", `${path}/permissions`).catch((error) => error),
    numberNames(),
    workgroupNames(),
    ivrNames(),
  ]);
  const result = outcome();
  // Dashboard access (GI-1, GI-2): the workgroups and IVRs whose data the person sees and filters.
  const access = user.dashboard_access;
  const boxes = (kind, items, chosen) =>
    items.map((x) => h("label", { className: "choice" }, h("input", { type: "checkbox", name: kind, value: x.id, checked: chosen.includes(x.id), attrs: { "aria-label": `Dashboard ${kind === "workgroup" ? "workgroup" : "IVR"} ${x.name}` } }), ` ${x.name}`));
  const dashboardResult = outcome();
  const dashboard = h(
    "form",
    { attrs: { "aria-label": "Dashboard access" } },
    h("h3", {}, "Workgroups"),
    h("div", { className: "choices" }, boxes("workgroup", workgroups.items, access.workgroups)),
    h("h3", {}, "IVRs"),
    h("div", { className: "choices" }, boxes("ivr", ivrs.items, access.ivrs)),
    h("div", { className: "actions" }, h("button", { type: "submit" }, "Save dashboard access")),
  );
  onSubmit(
    dashboard,
    dashboardResult,
    async () => {
      const data = new FormData(dashboard);
      await api("PUT", `${path}/dashboard-access`, { body: { workgroups: data.getAll("workgroup"), ivrs: data.getAll("ivr") } });
      dashboardResult.done("Dashboard access saved.");
    },
  );
  const duplicate = onSubmit(
    personForm("Duplicate settings and invite", "New person's", null, "Duplicate settings and invite"),
    result,
    async (body) => {
      const made = await api("POST", `${path}/duplicate`, { body });
      location.hash = `#/users/${made.id}`;
    },
  );
  const seeAs =
    seen instanceof Error
      ? [problemView(seen)]
      : [
          table(["Section", "Level"], seen.permissions.sections.map((x) => [x.label, x.level]), "No sections: they see only their own history."),
          h("dl", { className: "facts" }, h("dt", {}, "Data scopes"), h("dd", {}, tags(seen.permissions.scopes)), h("dt", {}, "Rights"), h("dd", {}, seen.permissions.rights.length ? tags(seen.permissions.rights) : "none")),
        ];
  return [
    h("p", {}, link("users", "← Users")),
    h("h1", {}, user.name),
    h(
      "dl",
      { className: "facts" },
      h("dt", {}, "Email"), h("dd", {}, user.email),
      h("dt", {}, "Status"), h("dd", {}, user.status),
      h("dt", {}, "Roles"), h("dd", {}, user.superadmin ? tags(["Superadmin"]) : null, tags(user.roles.map((r) => r.name))),
      h("dt", {}, "Business numbers"), h("dd", {}, tags(numbers.of(user.numbers))),
      h("dt", {}, "Workgroups"), h("dd", {}, tags(workgroups.of(user.workgroups))),
      h("dt", {}, "Dashboard workgroups"), h("dd", {}, tags(workgroups.of(access.workgroups))),
      h("dt", {}, "Dashboard IVRs"), h("dd", {}, tags(ivrs.of(access.ivrs))),
    ),
    h("h2", {}, `See as ${user.name}`),
    h("p", { className: "muted" }, "What the server lets this person see and do: the sections their menu shows, their rights and data scopes."),
    ...seeAs,
    h("h2", {}, "Dashboard access"),
    h("p", { className: "muted" }, "The workgroups and IVRs whose activity, logs and analytics this person sees (GI-1, GI-2)."),
    dashboard,
    dashboardResult,
    h("h2", {}, "Duplicate settings and invite"),
    h("p", { className: "muted" }, "A new person with the same roles, numbers and workgroups (MC-34)."),
    duplicate,
    result,
  ];
}

/** Names by id of what the API lists to this person (people, numbers, workgroups, IVRs), for showing
 * members by name; an id the person may not list stays an id. */
async function namesOf(path, text) {
  const items = await api("GET", `${path}?limit=500`).then((p) => p.items).catch(() => []);
  const names = new Map(items.map((x) => [x.id, text(x)]));
  return { items, of: (ids) => ids.map((i) => names.get(i) ?? i) };
}

const people = () => namesOf("/v1/users", (u) => u.name);
const numberNames = () => namesOf("/v1/numbers", (n) => `${n.e164} ${n.label}`.trim());
const workgroupNames = () => namesOf("/v1/workgroups", (w) => w.name);
const ivrNames = () => namesOf("/v1/ivrs", (i) => i.name);

async function workgroupsScreen() {
  const users = await people();
  const list = paged("/v1/workgroups", ["Workgroup", "Members", "Created"], (items) => items.map((w) => [w.name, tags(users.of(w.members)), when(w.created_at)]));
  await list.ready;
  return [h("h1", {}, "Workgroups"), list.element];
}

async function numbersScreen() {
  const [users, ivrs] = await Promise.all([people(), ivrNames()]);
  const list = paged("/v1/numbers", ["Number", "Label", "Kind", "Users", "IVR"], (items) =>
    items.map((n) => [n.e164, n.label, n.kind, tags(users.of(n.users)), n.ivr ? ivrs.of([n.ivr]) : ""]),
  );
  await list.ready;
  return [h("h1", {}, "Business numbers"), list.element];
}

async function ivrsScreen() {
  const numbers = await numberNames();
  const list = paged("/v1/ivrs", ["IVR", "Numbers", "Created"], (items) => items.map((i) => [i.name, tags(numbers.of(i.numbers)), when(i.created_at)]));
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
  const recents = h("div");
  const showRecents = h("button", { type: "button", className: "secondary", textContent: "Show recents" });
  showRecents.addEventListener("click", async () => {
    const list = paged("/v1/recents", ["When", "Kind", "Direction", "Seconds"], (items) => items.map((c) => [when(c.started_at), c.kind, c.direction, String(c.duration_seconds)]), { empty: "No recents." });
    recents.replaceChildren(list.element);
    await list.ready;
  });
  return [
    h("h1", {}, "History"),
    h("div", { className: "filters" }, h("label", {}, "Kind", kind)),
    holder,
    h("h2", {}, "Recents"),
    h("p", { className: "muted" }, "The Recents list: everyone's, or only the person's own, as their roles say (MC-12)."),
    h("div", { className: "actions" }, showRecents),
    recents,
  ];
}

async function auditScreen() {
  const actor = (a) => (a.key_prefix ? `API key ${a.key_prefix}` : a.id ? `${a.kind} ${a.id}` : a.kind);
  const holder = h("div");
  const load = async (query = {}) => {
    const list = paged("/v1/audit-events", ["When", "Action", "Target", "By"], (items) =>
      items.map((e) => [when(e.at), e.action, `${e.target_type}${e.target_id ? ` ${e.target_id}` : ""}`, actor(e.actor)]),
    { query, empty: "No events match." });
    holder.replaceChildren(list.element);
    await list.ready;
  };
  const filters = onSubmit(
    h(
      "form",
      { className: "filters", attrs: { "aria-label": "Filter the audit log" } },
      labelled("Action", h("input", { name: "action", placeholder: "e.g. role.assigned" })),
      labelled("Target type", h("input", { name: "target_type", placeholder: "e.g. user" })),
      h("button", { type: "submit" }, "Filter"),
    ),
    holder,
    async (fields) => load(Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ""))),
  );
  holder.failed = (error) => holder.replaceChildren(problemView(error));
  await load();
  return [h("h1", {}, "Audit log"), filters, holder];
}

async function accountScreen() {
  const [account, presets] = await Promise.all([api("GET", "/v1/account"), api("GET", "/v1/presets").catch(() => ({ items: [] }))]);
  const others = presets.items.filter((p) => p.name !== account.preset);
  const result = outcome();
  const plan = h("div");
  const showPlan = (p) => {
    const changed = p.users.filter((u) => u.from.join() !== u.to.join() || u.dropped.length);
    plan.replaceChildren(
      h("h3", {}, p.applied ? `Migrated from ${p.from_pack} to ${p.to_pack}` : `Plan: ${p.from_pack} → ${p.to_pack} (nothing changed yet)`),
      h("p", {}, `Roles created: ${p.roles_created.join(", ") || "none"}. Roles removed: ${p.roles_removed.join(", ") || "none"}.`),
      table(["User", "Roles now", "Roles after", "Dropped"], changed.map((u) => [u.user_id, u.from.join(", "), u.to.join(", "), u.dropped.join(", ")]), "No user's roles change."),
    );
  };
  let planned = null;
  const apply = h("button", { type: "button", hidden: true, textContent: "Apply this migration" });
  const migrate = onSubmit(
    h(
      "form",
      { className: "filters", attrs: { "aria-label": "Migrate to another preset pack" } },
      labelled("To pack", h("select", { name: "to_pack" }, others.map((p) => h("option", { value: p.name }, `${p.name} ${p.version}`)))),
      labelled("Keep access", h("input", { type: "checkbox", name: "keep_access", value: "yes" })),
      h("button", { type: "submit" }, "Preview"),
    ),
    result,
    async ({ to_pack, keep_access }) => {
      planned = { to_pack, keep_access: keep_access === "yes" };
      showPlan(await api("POST", "/v1/presets/migrate", { body: { ...planned, dry_run: true } }));
      apply.hidden = false;
      result.replaceChildren();
    },
  );
  apply.addEventListener("click", async () => {
    if (!planned || !window.confirm(`Migrate this account to ${planned.to_pack}? Every user's roles change as planned.`)) return;
    try {
      showPlan(await api("POST", "/v1/presets/migrate", { body: { ...planned, dry_run: false } }));
      apply.hidden = true;
    } catch (error) {
      result.failed(error);
    }
  });
  return [
    h("h1", {}, "Account"),
    h("dl", { className: "facts" }, h("dt", {}, "Name"), h("dd", {}, account.name), h("dt", {}, "Slug"), h("dd", {}, account.slug), h("dt", {}, "Preset pack"), h("dd", {}, account.preset)),
    h("h2", {}, "Migrate to another preset pack"),
    h("p", { className: "muted" }, "Preview first: the plan shows every user's roles before and after. Only the account's superadmin may apply it."),
    migrate,
    result,
    plan,
    apply,
  ];
}

async function apiKeysScreen() {
  const result = outcome();
  const revoke = (k) =>
    h("button", {
      type: "button",
      className: "secondary",
      textContent: "Revoke",
      attrs: { "aria-label": `Revoke ${k.name}` },
      on: {
        click: async () => {
          try {
            await api("DELETE", `/v1/api-keys/${encodeURIComponent(k.id)}`);
            await route();
          } catch (error) {
            result.failed(error);
          }
        },
      },
    });
  const list = paged("/v1/api-keys", ["Name", "Prefix", "Created", "Last used", ""], (keys) =>
    // a revoked key stays listed, for the record, without its button
    keys.map((k) => [k.name, k.prefix, when(k.created_at), when(k.last_used_at), k.revoked_at ? `Revoked ${when(k.revoked_at)}` : revoke(k)]),
  );
  await list.ready;
  const create = onSubmit(
    h("form", { className: "filters", attrs: { "aria-label": "Create an API key" } }, labelled("Name", h("input", { name: "name", required: true })), h("button", { type: "submit" }, "Create key")),
    result,
    async ({ name }) => {
      const made = await api("POST", "/v1/api-keys", { body: { name } });
      result.replaceChildren(
        h("div", { className: "secret", attrs: { role: "status" } }, h("p", {}, "Copy the key now: it is shown only this once."), h("code", { id: "new-key" }, made.key)),
      );
      list.body.prepend(h("tr", {}, [made.name, made.prefix, when(made.created_at), "", revoke(made)].map((c) => h("td", {}, c))));
    },
  );
  return [h("h1", {}, "API keys"), create, result, list.element];
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

/** Navigations so far: a screen is shown only if no later navigation began while it loaded. */
let navigations = 0;

async function route() {
  const navigation = ++navigations;
  const [path = "", id, sub] = location.hash.replace(/^#\/?/, "").split("/");
  const screen = SCREENS.find((s) => s.path === path) ?? SCREENS[0];
  for (const a of $("nav").querySelectorAll("a")) {
    if (a.dataset.screen === screen.path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = $("main");
  main.replaceChildren(h("p", { className: "muted" }, "Loading…"));
  let shown;
  try {
    shown = (await screen.render(id ? decodeURIComponent(id) : undefined, sub)).filter(Boolean);
  } catch (error) {
    shown = [h("h1", {}, screen.label), problemView(error)];
  }
  // The first screen after signing in can finish loading after a navigation made meanwhile.
  if (navigation !== navigations) return;
  main.replaceChildren(...shown);
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
