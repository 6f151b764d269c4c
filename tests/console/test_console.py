"""The admin console in a real browser (Debian's chromium, driven by Playwright) against a live
`switchboard serve --demo` (scripts/console-check starts it and sets CONSOLE_BASE_URL).

What the console shows is checked against what the API answers the same person: the console decides
nothing itself.
"""

import csv
import io
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

BASE = os.environ.get("CONSOLE_BASE_URL", "")
PASSWORD = "switchboard-demo"
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS", "")

# The screens and the list each shows: a screen is in the menu exactly when its list answers 200.
SCREENS = {
    "Roles": "/v1/roles?limit=1",
    "Role matrix": "/v1/roles/matrix",
    "Users": "/v1/users?limit=1",
    "Workgroups": "/v1/workgroups?limit=1",
    "Numbers": "/v1/numbers?limit=1",
    "IVRs": "/v1/ivrs?limit=1",
    "History": "/v1/communications?limit=1",
    "Audit log": "/v1/audit-events?limit=1",
    "API keys": "/v1/api-keys?limit=1",
    "Account": "/v1/account",
}

# Every preset role of the three packs the seeds describe, by the demo person who holds it.
PEOPLE = [
    ("demo-mightycall", "administrator"),
    ("demo-mightycall", "manager"),
    ("demo-mightycall", "agent"),
    ("demo-aircall", "owner"),
    ("demo-aircall", "admin"),
    ("demo-aircall", "supervisor"),
    ("demo-aircall", "agent"),
    ("demo-groups-ivr", "admin"),
    ("demo-groups-ivr", "supervisor"),
    ("demo-groups-ivr", "accountant"),
    ("demo-groups-ivr", "technical"),
]


def email(account: str, who: str) -> str:
    return f"{who}@{account}.example"


def call(method: str, path: str, token: str | None = None, body=None, accept: str = "application/json"):
    """The API, as any client calls it: (status, headers, body bytes)."""
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Accept", accept)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def token_of(account: str, who: str) -> str:
    status, _, body = call("POST", "/v1/auth/token", body={"account": account, "email": email(account, who), "password": PASSWORD})
    assert status == 200, body
    return json.loads(body)["access_token"]


@pytest.fixture(scope="session")
def browser():
    assert BASE, "CONSOLE_BASE_URL is not set: run scripts/console-check"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.problems = []
    # A blocked script or style (CSP), a missing file, or any error the page logs fails the test; the
    # API's 401 and 403 answers are the page's to show, and the browser logs them all the same.
    handled = ("status of 401", "status of 403")
    page.on("console", lambda m: page.problems.append(m.text)
            if m.type == "error" and not any(h in m.text for h in handled) else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    assert page.problems == [], page.problems
    context.close()


def sign_in(page: Page, account: str, who: str) -> None:
    page.goto(BASE + "/")
    page.get_by_label("Account").fill(account)
    page.get_by_label("Email").fill(email(account, who))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("nav a").first).to_be_visible()


def menu(page: Page) -> list[str]:
    return page.locator("nav a").all_inner_texts()


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


@pytest.mark.parametrize(("account", "who"), PEOPLE, ids=[f"{a}:{w}" for a, w in PEOPLE])
def test_mc17_each_preset_role_sees_exactly_the_screens_the_api_lets_it_use(page, account, who):
    token = token_of(account, who)
    expected = ["Me"] + [name for name, path in SCREENS.items() if call("GET", path, token)[0] == 200]
    sign_in(page, account, who)
    assert menu(page) == expected


def test_mc17_a_mightycall_agent_sees_history_and_not_roles(page):
    sign_in(page, "demo-mightycall", "agent")
    shown = menu(page)
    assert "History" in shown
    assert "Roles" not in shown and "Role matrix" not in shown and "Users" not in shown


def test_a_denial_shows_the_servers_reason_not_a_blank_page(page):
    sign_in(page, "demo-mightycall", "agent")
    page.goto(BASE + "/console/#/roles")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not allowed")
    expect(alert).to_contain_text("needs `team.roles` at `view`")
    expect(alert).to_contain_text("missing_permission")
    shot(page, "denied")


def test_mc15_the_roles_list_shows_how_many_hold_each_role_and_who(page):
    token = token_of("demo-mightycall", "administrator")
    roles = json.loads(call("GET", "/v1/roles?limit=500", token)[2])["items"]
    sign_in(page, "demo-mightycall", "administrator")
    page.get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles")).to_be_visible()
    for role in roles:
        row = page.locator("main tbody tr", has=page.get_by_role("link", name=role["name"], exact=True))
        expect(row.locator("td").nth(3)).to_have_text(str(role["member_count"]))
    shot(page, "roles")
    agent = next(r for r in roles if r["key"] == "agent")
    page.get_by_role("link", name=agent["name"], exact=True).click()
    expect(page.get_by_role("heading", name=agent["name"])).to_be_visible()
    expect(page.locator("main")).to_contain_text("A preset role: read-only")
    expect(page.locator("main")).to_contain_text("agent@demo-mightycall.example")
    shot(page, "role")


def test_ac13_the_role_matrix_downloads_as_the_apis_csv(page):
    token = token_of("demo-aircall", "owner")
    status, _, expected = call("GET", "/v1/roles/matrix", token, accept="text/csv")
    assert status == 200
    sign_in(page, "demo-aircall", "owner")
    page.get_by_role("link", name="Role matrix").click()
    expect(page.get_by_role("heading", name="Role matrix")).to_be_visible()
    matrix = json.loads(call("GET", "/v1/roles/matrix", token)[2])
    for role in matrix["roles"]:
        expect(page.locator("main table")).to_contain_text(role["name"])
    shot(page, "matrix")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "role-matrix.csv"
    with open(download.path(), "rb") as f:
        got = f.read()
    assert got == expected
    rows = list(csv.reader(io.StringIO(got.decode())))
    assert len(rows) == len(matrix["roles"]) + 1


def test_every_value_is_shown_as_text_never_as_markup(page):
    token = token_of("demo-aircall", "superadmin")
    name = f'<img src=x id="injected-{uuid.uuid4().hex[:8]}"> & "quotes"'
    status, _, body = call("POST", "/v1/workgroups", token, body={"name": name, "members": []})
    assert status == 201, body
    sign_in(page, "demo-aircall", "superadmin")
    page.get_by_role("link", name="Workgroups").click()
    expect(page.locator("main")).to_contain_text(name)
    assert page.locator("main img").count() == 0


def test_the_session_lives_in_an_httponly_strict_cookie_and_signing_out_ends_it_on_the_server(page):
    sign_in(page, "demo-groups-ivr", "supervisor")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session, csrf = cookies["sb_session"], cookies["sb_csrf"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert not csrf["httpOnly"] and csrf["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("sb_session") == -1, "the page's script must not see the session"
    # The cookie alone, as another site could make the browser send it, is refused.
    assert call("GET", "/v1/me", None)[0] == 401
    assert call("GET", "/v1/me", session["value"])[0] == 200
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert call("GET", "/v1/me", session["value"])[0] == 401, "the session ended on the server"
    assert "sb_session" not in {c["name"] for c in page.context.cookies()}


def test_a_wrong_password_is_refused_with_the_servers_words(page):
    page.goto(BASE + "/console/")
    page.get_by_label("Account").fill("demo-mightycall")
    page.get_by_label("Email").fill("agent@demo-mightycall.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("invalid account, email or password")
    shot(page, "sign-in")


def test_history_pages_and_filters_within_the_persons_reach(page):
    token = token_of("demo-aircall", "superadmin")
    first = json.loads(call("GET", "/v1/communications?limit=50", token)[2])
    assert first.get("next_cursor"), "the demo account has more than a page of history"
    sign_in(page, "demo-aircall", "superadmin")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(len(first["items"]))
    page.get_by_role("button", name="More").click()
    second = json.loads(call("GET", f"/v1/communications?limit=50&cursor={first['next_cursor']}", token)[2])
    expect(rows).to_have_count(len(first["items"]) + len(second["items"]))
    shot(page, "history")
    page.get_by_label("Kind").select_option("voicemail")
    voicemails = json.loads(call("GET", "/v1/communications?limit=50&kind=voicemail", token)[2])["items"]
    if voicemails:
        expect(rows).to_have_count(len(voicemails))
    else:
        expect(page.locator("main")).to_contain_text("No communications within your reach.")


@pytest.mark.parametrize("screen", ["sign-in", "Me", "Roles", "Role matrix", "Users", "History", "Audit log"])
def test_no_serious_accessibility_violations(page, screen):
    if screen == "sign-in":
        page.goto(BASE + "/console/")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    else:
        sign_in(page, "demo-aircall", "owner")
        page.get_by_role("link", name=screen, exact=True).click()
        expect(page.get_by_role("heading").first).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Loading")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps([{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]} for v in serious], indent=1)


def invite(token: str, name: str, roles: list[str]) -> str:
    """A new active person of the account (so tests that change roles leave the demo people alone)."""
    mail = f"{name}-{uuid.uuid4().hex[:8]}@console.example"
    status, _, body = call("POST", "/v1/users", token, body={"email": mail, "name": name, "password": "console-pass-1234", "roles": roles})
    assert status == 201, body
    return mail


def roles_of(token: str, mail: str) -> list[str]:
    users = json.loads(call("GET", "/v1/users?limit=500", token)[2])["items"]
    user = next(u for u in users if u["email"] == mail)
    status, _, body = call("GET", f"/v1/users/{user['id']}/permissions", token)
    assert status == 200, body
    return sorted(r["key"] for r in json.loads(body)["roles"])


def test_mc16_a_preset_role_is_copied_and_the_copy_given_from_its_page(page):
    token = token_of("demo-mightycall", "administrator")
    mail = invite(token, "copier", ["agent"])
    key = f"agent_copy_{uuid.uuid4().hex[:6]}"
    sign_in(page, "demo-mightycall", "administrator")
    page.get_by_role("link", name="Roles").click()
    page.get_by_role("link", name="Agent", exact=True).click()
    page.get_by_label("New key").fill(key)
    page.get_by_label("New name").fill(f"Agent {key}")
    page.get_by_role("button", name="Copy role").click()
    expect(page.get_by_role("heading", name=f"Agent {key}", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("A custom role.")
    page.get_by_label("Give this role to").select_option(label=f"copier <{mail}>")
    page.get_by_role("button", name="Give role").click()
    expect(page.locator("main table").last).to_contain_text(mail)
    assert key in roles_of(token, mail)
    page.get_by_role("button", name=f"Take Agent {key} from {mail}").click()
    # the members list is empty again (the person stays in the list of whom to give the role)
    expect(page.get_by_role("button", name=f"Take Agent {key} from {mail}")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Nothing here yet.")
    assert key not in roles_of(token, mail)


def test_giving_a_role_beyond_ones_own_access_is_refused_with_the_servers_reason(page):
    owner = token_of("demo-aircall", "superadmin")
    mail = invite(owner, "raised", ["agent"])
    sign_in(page, "demo-aircall", "admin")
    page.get_by_role("link", name="Roles").click()
    page.get_by_role("link", name="Owner", exact=True).click()
    page.get_by_label("Give this role to").select_option(label=f"raised <{mail}>")
    page.get_by_role("button", name="Give role").click()
    expect(page.get_by_role("alert")).to_contain_text("Not allowed")
    shot(page, "give-refused")
    assert roles_of(owner, mail) == ["agent"]


def test_mc21_roles_of_several_users_change_at_once(page):
    token = token_of("demo-mightycall", "administrator")
    first, second = invite(token, "bulk", ["agent"]), invite(token, "bulk", ["agent"])
    sign_in(page, "demo-mightycall", "administrator")
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    for mail in (first, second):
        page.get_by_label(f"Select {mail}").check()
    page.get_by_label("Role", exact=True).select_option(label="Manager")
    page.get_by_label("Change", exact=True).select_option("replace")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status")).to_contain_text("Changed 2 users.")
    assert roles_of(token, first) == ["manager"] and roles_of(token, second) == ["manager"]
    shot(page, "users")


def test_seed003_a_migration_is_previewed_before_it_is_applied_by_the_superadmin_only(page):
    account = "demo-aircall-classic"
    superadmin = token_of(account, "superadmin")
    # Not the superadmin: the preview is refused with the reason.
    sign_in(page, account, "admin")
    if "Account" in menu(page):
        page.get_by_role("link", name="Account").click()
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("alert")).to_contain_text("superadmin")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, account, "superadmin")
    page.get_by_role("link", name="Account").click()
    page.get_by_label("To pack").select_option(value="aircall")
    page.get_by_label("Keep access").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("main")).to_contain_text("Plan: aircall-classic → aircall (nothing changed yet)")
    shot(page, "migration")
    assert json.loads(call("GET", "/v1/account", superadmin)[2])["preset"] == "aircall-classic", "a preview changes nothing"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply this migration").click()
    expect(page.locator("main")).to_contain_text("Migrated from aircall-classic to aircall")
    assert json.loads(call("GET", "/v1/account", superadmin)[2])["preset"] == "aircall"


def test_an_api_key_is_shown_once_works_and_is_revoked(page):
    sign_in(page, "demo-aircall", "superadmin")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name", exact=True).fill("console test key")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key").inner_text()
    request = urllib.request.Request(BASE + "/v1/me", headers={"X-Api-Key": key})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    page.reload()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    assert key not in page.content(), "a key is shown only once"
    page.get_by_role("button", name="Revoke console test key").first.click()
    # the key stays listed for the record, marked revoked, with nothing left to revoke
    expect(page.get_by_role("button", name="Revoke console test key")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Revoked")
    try:
        urllib.request.urlopen(urllib.request.Request(BASE + "/v1/me", headers={"X-Api-Key": key}), timeout=30)
        raise AssertionError("a revoked key still works")
    except urllib.error.HTTPError as error:
        assert error.code == 401


def test_mc20_the_role_editor_shows_what_one_may_not_grant_disabled_with_the_reason(page):
    token = token_of("demo-aircall", "admin")
    offered = {s["label"]: s for s in json.loads(call("GET", "/v1/roles/grantable", token)[2])["sections"]}
    sign_in(page, "demo-aircall", "admin")
    page.get_by_role("link", name="Roles").click()
    page.get_by_role("link", name="New role").click()
    expect(page.get_by_role("heading", name="New role", exact=True)).to_be_visible()
    # Every level the API says the admin may not grant is disabled, with the API's reason beside it.
    for label, section in offered.items():
        for level in section["levels"]:
            radio = page.get_by_label(f"{label}: {level['level']}", exact=True)
            if level["grantable"]:
                expect(radio).to_be_enabled()
            else:
                expect(radio).to_be_disabled()
    refused = next(l for s in offered.values() for l in s["levels"] if not l["grantable"])
    expect(page.locator("main")).to_contain_text(refused["reason"]["message"])
    shot(page, "role-editor")
    key = f"callbacks_{uuid.uuid4().hex[:6]}"
    page.get_by_label("Key", exact=True).fill(key)
    page.get_by_label("Name", exact=True).fill("Callbacks")
    page.get_by_label("Numbers: view", exact=True).check()
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name="Callbacks", exact=True)).to_be_visible()
    roles = json.loads(call("GET", "/v1/roles?limit=500", token)[2])["items"]
    made = next(r for r in roles if r["key"] == key)
    assert made["grants"] == {"numbers": {"level": "view", "rights": []}} or made["grants"]["numbers"]["level"] == "view"
    # Editing it is the server's decision too: an Aircall Admin may not touch a role outside what
    # their roles may assign, and is told so; the superadmin edits it.
    page.get_by_role("link", name="Edit role").click()
    page.get_by_label("Name", exact=True).fill("Callbacks desk")
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_role("alert")).to_contain_text("guarded_role")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "demo-aircall", "superadmin")
    page.goto(f"{BASE}/console/#/roles/{made['id']}/edit")
    page.get_by_label("Name", exact=True).fill("Callbacks desk")
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_role("heading", name="Callbacks desk", exact=True)).to_be_visible()


def user_id(token: str, mail: str) -> str:
    users = json.loads(call("GET", "/v1/users?limit=500", token)[2])["items"]
    return next(u["id"] for u in users if u["email"] == mail)


def test_mc34_a_person_is_invited_and_another_made_with_the_same_settings(page):
    token = token_of("demo-mightycall", "administrator")
    first = f"invitee-{uuid.uuid4().hex[:8]}@console.example"
    second = f"twin-{uuid.uuid4().hex[:8]}@console.example"
    sign_in(page, "demo-mightycall", "administrator")
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Invitee's email").fill(first)
    page.get_by_label("Invitee's name").fill("Invitee")
    page.get_by_label("With role").select_option(label="Manager")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invited {first}")
    assert roles_of(token, first) == ["manager"]
    page.goto(f"{BASE}/console/#/users/{user_id(token, first)}")
    expect(page.get_by_role("heading", name="Invitee", exact=True)).to_be_visible()
    page.get_by_label("New person's email").fill(second)
    page.get_by_label("New person's name").fill("Twin")
    page.get_by_role("button", name="Duplicate settings and invite").click()
    expect(page.get_by_role("heading", name="Twin", exact=True)).to_be_visible()
    assert roles_of(token, second) == ["manager"]


def test_mc22_gi2_a_profile_shows_what_the_person_was_given_and_sees_as_them(page):
    token = token_of("demo-groups-ivr", "admin")
    target = user_id(token, "supervisor@demo-groups-ivr.example")
    detail = json.loads(call("GET", f"/v1/users/{target}", token)[2])
    seen = json.loads(call("GET", f"/v1/users/{target}/permissions", token)[2])
    workgroups = {w["id"]: w["name"] for w in json.loads(call("GET", "/v1/workgroups?limit=500", token)[2])["items"]}
    sign_in(page, "demo-groups-ivr", "admin")
    page.goto(f"{BASE}/console/#/users/{target}")
    expect(page.get_by_role("heading", name=detail["name"], exact=True)).to_be_visible()
    main = page.locator("main")
    for role in detail["roles"]:
        expect(main).to_contain_text(role["name"])
    assert detail["dashboard_access"]["workgroups"], "the demo supervisor watches some workgroups"
    for wg in detail["dashboard_access"]["workgroups"]:
        expect(main).to_contain_text(workgroups[wg])
    for section in seen["permissions"]["sections"]:
        expect(main).to_contain_text(section["label"])
    shot(page, "profile")


def test_workgroups_numbers_and_ivrs_show_their_members_by_name(page):
    token = token_of("demo-groups-ivr", "admin")
    users = {u["id"]: u["name"] for u in json.loads(call("GET", "/v1/users?limit=500", token)[2])["items"]}
    workgroups = json.loads(call("GET", "/v1/workgroups?limit=500", token)[2])["items"]
    numbers = json.loads(call("GET", "/v1/numbers?limit=500", token)[2])["items"]
    sign_in(page, "demo-groups-ivr", "admin")
    page.get_by_role("link", name="Workgroups").click()
    for w in workgroups:
        row = page.locator("main tbody tr", has_text=w["name"]).first
        for member in w["members"]:
            expect(row).to_contain_text(users[member])
    page.get_by_role("link", name="Numbers").click()
    for n in numbers:
        row = page.locator("main tbody tr", has_text=n["e164"])
        for user in n["users"]:
            expect(row).to_contain_text(users[user])
    page.get_by_role("link", name="IVRs").click()
    ivrs = json.loads(call("GET", "/v1/ivrs?limit=500", token)[2])["items"]
    e164 = {n["id"]: n["e164"] for n in numbers}
    for i in ivrs:
        row = page.locator("main tbody tr", has_text=i["name"]).first
        for number in i["numbers"]:
            expect(row).to_contain_text(e164[number])


def test_gi2_dashboard_access_is_given_from_the_profile(page):
    token = token_of("demo-groups-ivr", "superadmin")
    mail = invite(token, "watcher", ["supervisor"])
    target = user_id(token, mail)
    workgroup = json.loads(call("GET", "/v1/workgroups?limit=500", token)[2])["items"][0]
    sign_in(page, "demo-groups-ivr", "superadmin")
    page.goto(f"{BASE}/console/#/users/{target}")
    page.get_by_label(f"Dashboard workgroup {workgroup['name']}", exact=True).check()
    page.get_by_role("button", name="Save dashboard access").click()
    expect(page.get_by_role("status")).to_contain_text("Dashboard access saved.")
    detail = json.loads(call("GET", f"/v1/users/{target}", token)[2])
    assert detail["dashboard_access"]["workgroups"] == [workgroup["id"]]


def test_mc12_recents_show_what_the_persons_roles_allow(page):
    token = token_of("demo-mightycall", "agent")
    recents = json.loads(call("GET", "/v1/recents?limit=50", token)[2])["items"]
    sign_in(page, "demo-mightycall", "agent")
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Show recents").click()
    if recents:
        expect(page.locator("main table").last.locator("tbody tr")).to_have_count(len(recents))
    else:
        expect(page.locator("main")).to_contain_text("No recents.")


def test_the_audit_log_filters_by_action(page):
    token = token_of("demo-aircall", "superadmin")
    events = json.loads(call("GET", "/v1/audit-events?limit=50", token)[2])["items"]
    action = events[0]["action"]
    matching = json.loads(call("GET", f"/v1/audit-events?limit=50&action={action}", token)[2])["items"]
    sign_in(page, "demo-aircall", "superadmin")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action", exact=True).fill(action)
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(len(matching))
    for text in rows.all_inner_texts():
        assert action in text
