"""Parameters and secrets: from AWS's Parameters and Secrets Lambda Extension where it runs, else the SDK.

The extension (a layer, see template.yaml) serves SSM parameters and Secrets Manager secrets over HTTP on
localhost, with its own cache (``SSM_PARAMETER_STORE_TTL``, ``SECRETS_MANAGER_TTL``), so a function reads them
with no boto3 client (creating one costs 100-150 ms at its first call) and no botocore at all. A request carries
the function's session token (``X-Aws-Parameters-Secrets-Token``), which the extension checks. The local stack
serves the same interface (``devstack/extension.py``), so this code runs the same locally and in tests.

Without the extension (``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`` unset, or nothing listening on it), the value
comes from Powertools' parameters utility through boto3, cached five minutes.
"""

from __future__ import annotations

import http.client
import json
import os
from typing import Any
from urllib.parse import urlencode

from imagify import lifecycle

PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"  # noqa: S105 (a header name)
TIMEOUT_S = 3.0
SDK_MAX_AGE_S = 300


class SecretUnavailable(Exception):
    """The extension answered, but not with the value (a missing name, a denied read)."""


def parameter(name: str) -> str:
    """An SSM parameter's value, decrypted (a SecureString)."""
    found = _from_extension("/systemsmanager/parameters/get", {"name": name, "withDecryption": "true"})
    if found is not None:
        return str(found["Parameter"]["Value"])
    from aws_lambda_powertools.utilities.parameters import get_parameter

    return str(get_parameter(name, decrypt=True, max_age=SDK_MAX_AGE_S))


def secret(secret_id: str) -> str:
    """A Secrets Manager secret's string."""
    found = _from_extension("/secretsmanager/get", {"secretId": secret_id})
    if found is not None:
        return str(found["SecretString"])
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(secret_id, max_age=SDK_MAX_AGE_S))


def _from_extension(path: str, query: dict[str, str]) -> dict[str, Any] | None:
    """The extension's JSON answer, or None when there is no extension to ask."""
    lifecycle.refuse_offline("secret")  # (none is kept in a snapshot)
    port, token = os.environ.get(PORT_VARIABLE), os.environ.get("AWS_SESSION_TOKEN")
    if not port or not token:
        return None
    # 127.0.0.1, where the extension listens, rather than "localhost": a name would load the IDNA codec
    # (stringprep, unicodedata) on the first request.
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=TIMEOUT_S)
    try:
        connection.request("GET", f"{path}?{urlencode(query)}", headers={TOKEN_HEADER: token})
        response = connection.getresponse()
        body = response.read()
    except ConnectionRefusedError:
        from imagify.observability import logger  # (only here: importing Powertools loads botocore's package)

        logger.warning("the Parameters and Secrets extension is not listening; reading through the SDK")
        return None
    finally:
        connection.close()
    if response.status != 200:
        from imagify.observability import logger

        # The extension's answer names the resource and the AWS error; it goes to the logs only.
        logger.error("the Parameters and Secrets extension refused a read", extra={"status": response.status})
        raise SecretUnavailable(f"the Parameters and Secrets extension answered {response.status} for {path}")
    document: dict[str, Any] = json.loads(body)
    return document
