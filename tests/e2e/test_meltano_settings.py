"""What a Meltano user's settings become: an inherited extractor and the project's `.env`.

Meltano writes secrets to the project's `.env` and passes every plugin its own values, in
the generated config file and as `TAP_RESTSPEC_*` variables. The SDK's `.env` reader found
that file above the plugin's virtualenv and let it override both, so an inherited extractor
authenticated with its parent's password. An inherited extractor loads into a schema named
after it (`$MELTANO_EXTRACT__LOAD_SCHEMA`), as the README says.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.helpers import Reply, Server, source_spec

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

NAME = "tap-restspec-dotenv"
INHERITED = f"""
  extractors:
    - name: {NAME}
      inherit_from: tap-restspec
"""


def one_item(seen) -> Reply:
    return Reply(body={"items": [{"id": 1}]})


def password(seen) -> str:
    return base64.b64decode(seen.headers["Authorization"][6:]).decode().partition(":")[2]


def test_an_inherited_extractor_gets_its_own_password_and_schema_not_the_dotenv_of_its_parent(
    meltano_project,
):
    root: Path = meltano_project.root
    meltano_yml = root / "meltano.yml"
    original = meltano_yml.read_text()
    dotenv = root / ".env"
    assert not dotenv.exists()
    spec = root / "dotenv-basic.json"
    with Server(one_item) as api:
        document = source_spec(api.url, schema={"type": "object", "properties": {"id": {"type": "integer"}}})
        document["authSpec"] = [{"name": "Basic", "type": "BasicAuthentication", "spec": {"type": "object"}}]
        spec.write_text(json.dumps(document))
        try:
            meltano_yml.write_text(original.replace("\nplugins:\n", "\nplugins:" + INHERITED, 1))
            dotenv.write_text(
                "TAP_RESTSPEC_PASSWORD=the-parents-password\nTAP_RESTSPEC_DOTENV_PASSWORD=its-own-password\n"
            )
            env = {
                "TAP_RESTSPEC_DOTENV_SPECS": json.dumps([str(spec)]),
                "TAP_RESTSPEC_DOTENV_BASE_URL": api.url,
            }
            meltano_project("invoke", NAME, extra_env=env, timeout=300)
            loader = meltano_project("el", NAME, "target-postgres", "--dump=loader-config", extra_env=env)
        finally:
            meltano_yml.write_text(original)
            dotenv.unlink(missing_ok=True)
            spec.unlink(missing_ok=True)
    assert [password(seen) for seen in api.seen] == ["its-own-password"]
    dumped = json.loads(loader.stdout[loader.stdout.index("{") :])
    assert dumped["default_target_schema"] == "tap_restspec_dotenv"
