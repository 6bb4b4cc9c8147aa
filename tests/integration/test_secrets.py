"""Secrets and parameters as the functions read them: from the Parameters and Secrets extension's HTTP interface
(the local stack serves it, answered from moto), and through the SDK where no extension listens."""

from __future__ import annotations

import socket
import sys
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from imagify import db, secrets
from imagify.identity import keys
from tests.support.env import setenv


@pytest.fixture
def ssm(local_stack: Any) -> Any:
    return local_stack.aws.client("ssm")


@pytest.fixture
def secretsmanager(local_stack: Any) -> Any:
    return local_stack.aws.client("secretsmanager")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_database_url_comes_from_its_secure_parameter_through_the_extension_without_an_sdk_client(
    database: str, ssm: Any, monkeypatch: pytest.MonkeyPatch
):
    # Given the database URL kept only in an SSM SecureString, as in AWS
    ssm.put_parameter(Name="imagify/test/database-url", Value=database, Type="SecureString", Overwrite=True)
    setenv(monkeypatch, DATABASE_URL=None, DATABASE_URL_PARAMETER="imagify/test/database-url")
    monkeypatch.delitem(sys.modules, "aws_lambda_powertools.utilities.parameters", raising=False)

    # When the function connects
    row = db.fetch_one("SELECT current_database() AS name")

    # Then it reached the database named in the parameter, asking the extension, not the SDK
    assert row is not None and row["name"] == conninfo_to_dict(database)["dbname"]
    assert "aws_lambda_powertools.utilities.parameters" not in sys.modules


def test_the_jwt_keys_come_from_their_secret_through_the_extension(
    local_stack: Any, secretsmanager: Any, monkeypatch: pytest.MonkeyPatch
):
    document = '{"signingKid": "k9", "k9": "' + "s" * 40 + '"}'
    secretsmanager.create_secret(Name="imagify/test/jwt-keys-extension", SecretString=document)
    setenv(monkeypatch, JWT_KEYS=None, JWT_KEYS_SECRET_ID="imagify/test/jwt-keys-extension")

    assert keys.key_ring().signing_kid == "k9"


def test_a_read_the_extension_refuses_is_an_error_not_a_silent_fallback(
    local_stack: Any, monkeypatch: pytest.MonkeyPatch
):
    # A missing name, and a request without the session token the extension checks
    with pytest.raises(secrets.SecretUnavailable):
        secrets.parameter("imagify/test/no-such-parameter")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "another-token")
    with pytest.raises(secrets.SecretUnavailable):
        secrets.secret("imagify/test/jwt-keys-extension")


def test_without_an_extension_listening_the_sdk_reads_the_same_values(
    local_stack: Any, ssm: Any, secretsmanager: Any, monkeypatch: pytest.MonkeyPatch
):
    # Given values in SSM and Secrets Manager, and no extension on the configured port
    ssm.put_parameter(Name="imagify/test/fallback", Value="from-ssm", Type="SecureString", Overwrite=True)
    secretsmanager.create_secret(Name="imagify/test/fallback-secret", SecretString="from-secrets-manager")
    setenv(monkeypatch, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=str(_closed_port()))

    # Then both are read through the SDK (boto3 against the local AWS)
    assert secrets.parameter("imagify/test/fallback") == "from-ssm"
    assert secrets.secret("imagify/test/fallback-secret") == "from-secrets-manager"
    assert "aws_lambda_powertools.utilities.parameters" in sys.modules
