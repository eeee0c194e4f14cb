"""Schemathesis against the served OpenAPI document: whatever a client sends that the
document allows, or that it forbids, the shop answers without a 5xx and as documented.

Every operation is fuzzed as a customer and as an admin, with data the document
allows (positive) and data it forbids (negative: which must be refused with a 4xx).
The run is bounded (``SHOP_FUZZ_EXAMPLES`` examples per operation and mode) and
seeded: the seed is printed, and ``SHOP_FUZZ_SEED=<seed>`` replays a run.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from functools import partial
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import ignored_auth

from tests.support import ApiClient

SEED = int(os.environ.get("SHOP_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
EXAMPLES = int(os.environ.get("SHOP_FUZZ_EXAMPLES", "40"))
BASE_URL = "http://testserver.local"
CONFIG = SchemathesisConfig.from_dict(
    {
        # The shop ignores query parameters an operation does not declare (proxies and
        # trackers add them); they are not invalid data, so none are generated as such.
        "generation": {"allow-extra-parameters": False},
        "checks": {
            # What a well-formed request may get besides a 2xx: no token or the wrong role
            # (401, 403), naming what does not exist (404) or cannot be used (422: a
            # product off sale), or what the current state refuses (409, 412).
            "positive_data_acceptance": {"expected-statuses": ["2XX", 401, 403, 404, 409, 412, 422]}
        },
    }
)


def test_every_operation_answers_fuzzed_requests_as_documented_and_never_with_a_5xx(
    api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    document = api.get("/docs/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    callers = {"customer": api.as_customer("fuzzer"), "admin": api.as_admin("fuzz-admin")}
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    def exercise(case: Any, mode: GenerationMode) -> None:
        for caller, token in callers.items():
            kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=token)
            response = api.client.request(
                kwargs.pop("method"),
                kwargs.pop("url"),
                headers=kwargs.pop("headers", None),
                params=kwargs.pop("params", None),
                content=_content(kwargs),
            )
            statuses[response.status_code] += 1
            try:
                # ignored_auth sends requests of its own, past this client: the
                # authorisation matrix (tests/api/test_authorisation_matrix.py) covers it.
                case.validate_response(response, excluded_checks=[ignored_auth])
            except FailureGroup as failure:
                for check in failure.exceptions:
                    failures.append(
                        f"{mode} as {caller}: {case.method} {case.path}: "
                        f"{check.title} ({type(check).__name__}): {check.message.strip()[:300]}"
                        f"\n    reproduce: {case.as_curl_command()}"
                    )

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz = _fuzzer(
                operation.as_strategy(generation_mode=mode), partial(exercise, mode=mode)
            )
            try:
                fuzz()
            except Unsatisfiable:
                # Nothing to get wrong: an operation without parameters or body has no
                # negative cases.
                assert mode is GenerationMode.NEGATIVE, operation.label

    with capsys.disabled():
        print(
            f"\nschemathesis: seed {SEED} (replay with SHOP_FUZZ_SEED={SEED}), "
            f"{len(operations)} operations, {statuses.total()} requests, "
            f"statuses {dict(sorted(statuses.items()))}, {len(failures)} failures"
        )
    assert not [status for status in statuses if status >= 500], (SEED, statuses)
    assert not failures, f"seed {SEED}:\n" + "\n".join(sorted(set(failures))[:30])


def _fuzzer(cases: st.SearchStrategy[Any], exercise: Any) -> Any:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case: Any) -> None:
        exercise(case)

    return fuzz


def _content(kwargs: dict[str, Any]) -> bytes | None:
    if "json" in kwargs:
        import json

        return json.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if isinstance(data, str):
        return data.encode()
    return data
