"""The OpenAPI description states the rules the server enforces (issue 11, defect 8):
schemathesis, with all its checks, generates requests from the description for every
operation and sends them to the app in process; no check fails.

Bounded: three examples an operation, derandomized (a fixed seed), explicit and generated
phases only; about 15 s on the test machine. One allowance, stated here: the check that a
schema-valid request is accepted also takes a 400 whose detail names a rule JSON Schema
cannot express (UNWRITABLE: check characters of GB 32100, GB 11643 and account numbers,
rules between parameters such as start < end, Unicode NFC); any other 400 to a schema-valid
request fails the custom check below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import build_ledger

#: What a schema cannot say, so a schema-valid request may still get a 400 naming it.
UNWRITABLE = re.compile(
    # Check characters and the rules between parameters or members.
    r"check (?:digit|character)|beyond the log's size|must be greater than start"
    r"|is larger than new|at most 1000 entries per request|one credit value for each level"
    # Unicode normalization and the invisible format characters (domain/text_rules.py).
    r"|Unicode normal form NFC|invisible format character"
    # A reference to an object that does not exist: state, not shape.
    r"|is not a published standard"
    # A file's type told by its content (magic bytes), not by anything a schema states.
    r"|must be a PDF \(\.pdf\) or Word|but its content is not one"
)


@schemathesis.check
def refused_only_for_unwritable_rules(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A schema-valid request answered 400 names a rule JSON Schema cannot express."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    if "csv" in str(case.media_type):
        return  # a sheet's grammar (columns, rows, cells) is not JSON Schema's to state
    detail = str(response.json().get("detail", ""))
    if UNWRITABLE.search(detail) is None:
        raise AssertionError(f"a schema-valid request was refused: {detail}")


CONFIG = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"],
        },
    },
}


def _checker(operation: Any, headers: dict[str, str]) -> Callable[[], None]:
    """Three derandomized examples of ``operation``, each sent and checked."""

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers)

    return check  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Litestar]]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    ledger = build_ledger(f"sqlite+pysqlite:///{folder}/ledger.db", folder / "data")
    yield ledger, create_app(ledger)
    ledger.close()


def test_every_operation_keeps_to_its_description(served: tuple[Ledger, Litestar]) -> None:
    ledger, app = served
    config = SchemathesisConfig.from_dict(CONFIG)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)
    failures: list[str] = []
    # Revoking principals last: a generated request may revoke the office itself.
    found = [result.ok() for result in schema.get_all_operations()]
    found.sort(key=lambda operation: operation.path.startswith("/principals/"))
    operations = 0
    for operation in found:
        operations += 1
        office = ledger.tokens.mint(Principal.parse("office"))

        check = _checker(operation, {"Authorization": f"Bearer {office}"})
        try:
            check()
        except BaseException as exc:  # a FailureGroup is a BaseExceptionGroup
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert operations > 60, "the description lists every operation"
    assert failures == [], "\n\n".join(failures)


def _concrete(path: str) -> str:
    """``path`` with a well-formed value for each parameter."""
    values = {
        "{number}": "X202604839205718",
        "{account}": "L04839205715",
        "{id}": "4161010001",
        "{code}": "1X-BIM",
        "{rule}": "R00000000000",
        "{report}": "r",
        "{key_id}": "k",
        "{subject}": "office",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    return path


def test_the_description_states_the_rules(served: tuple[Ledger, Litestar]) -> None:
    _ledger, app = served
    with TestClient(app) as client:
        description = client.get("/schema/openapi.json").json()
        for path, item in description["paths"].items():
            methods = {m.upper() for m in item if m in ("get", "post", "put", "delete", "patch")}
            for method, operation in item.items():
                if method.upper() not in methods:
                    continue
                for parameter in operation.get("parameters", []):
                    schema = parameter["schema"]
                    if parameter["in"] == "path" and not path.startswith(("/learner/", "/api-")):
                        assert "pattern" in schema, (path, parameter["name"])
                    if parameter["name"] == "status":  # an empty ?status= is not a status
                        [values] = [s["enum"] for s in schema.get("oneOf", [schema]) if "enum" in s]
                        assert values and "" not in values, path
                if "requestBody" in operation:
                    assert operation["requestBody"]["required"] is True, (method, path)
            # OPTIONS answers every method the description lists for the path.
            answer = client.options(_concrete(path))
            allowed = {m.strip() for m in answer.headers.get("allow", "").split(",")}
            assert answer.status_code == 204 and methods <= allowed, (path, answer.status_code)
        entries = description["paths"]["/log/entries"]["get"]["description"]
        assert "start must be less than end" in entries
