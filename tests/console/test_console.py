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
