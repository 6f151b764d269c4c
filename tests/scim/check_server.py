"""SCIM 2.0 compliance check (scripts/scim-check): runs scim2-tester against a live server.

Checks discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas), unknown URLs, and the create, read
(with `attributes`), replace, delete and PATCH add/remove/replace of Users and Groups. Reads
SCIM_BASE_URL (e.g. http://127.0.0.1:8080/scim/v2) and SCIM_TOKEN (a SCIM bearer token) from the
environment. Prints one line per result and closes with `scim-check: N passed, M failed, K skipped`.

Exits 1 on any result that is neither SUCCESS nor SKIPPED, and also when fewer than MIN_RESULTS results
came back or no CRUD or PATCH check ran: scim2-tester returns right after discovery when it cannot use
the discovery documents, which must not pass as a short, clean run.
"""

import os
import sys

from httpx2 import Client  # scim2-client 0.13 uses httpx2, not httpx
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

INCLUDE_TAGS = {"discovery", "misc", "crud", "patch"}
RESOURCE_TYPES = ["User", "Group"]
# 73 results with the above (two of them SKIPPED); far fewer means whole groups of checks did not run.
MIN_RESULTS = 60


def ran(results, family):
    """Whether a check tagged `family` or `family:…` ran (was not skipped)."""
    return any(
        r.status is not Status.SKIPPED
        and any(tag == family or tag.startswith(family + ":") for tag in r.tags)
        for r in results
    )


def main() -> int:
    base_url = os.environ["SCIM_BASE_URL"]
    token = os.environ["SCIM_TOKEN"]
    with Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        results = check_server(
            SyncSCIMClient(http),
            include_tags=INCLUDE_TAGS,
            resource_types=RESOURCE_TYPES,
        )

    passed = failed = skipped = 0
    for r in results:
        if r.status is Status.SUCCESS:
            passed += 1
        elif r.status is Status.SKIPPED:
            skipped += 1
        else:
            failed += 1
        print(f"{r.status.name:10} {r.resource_type or '-':6} {r.title}: {r.reason or ''}")
        if r.status not in (Status.SUCCESS, Status.SKIPPED) and r.data is not None:
            print(f"           data: {r.data!r}"[:2000])

    problems = []
    if len(results) < MIN_RESULTS:
        problems.append(f"only {len(results)} results, expected at least {MIN_RESULTS}")
    for family in ("crud", "patch"):
        if not ran(results, family):
            problems.append(f"no {family.upper()} check ran")
    for problem in problems:
        print(f"scim-check: {problem} (did discovery fail? see the results above)")

    print(f"scim-check: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
