"""A Lambda context object for local invocations and tests."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.typing import LambdaContext as _PowertoolsContext

from devstack.cfn import ACCOUNT_ID, REGION


class LambdaContext(_PowertoolsContext):
    """What the Python runtime passes as ``context``; the deadline counts down from creation."""

    def __init__(
        self,
        function_name: str = "devstack-function",
        *,
        memory_limit_in_mb: int = 512,
        timeout_s: float = 15,
        invoked_function_arn: str | None = None,
        aws_request_id: str | None = None,
        function_version: str = "$LATEST",
    ) -> None:
        self._function_name = function_name
        self._function_version = function_version
        self._invoked_function_arn = (
            invoked_function_arn or f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        )
        self._memory_limit_in_mb = memory_limit_in_mb
        self._aws_request_id = aws_request_id or str(uuid.uuid4())
        self._log_group_name = f"/aws/lambda/{function_name}"
        day = datetime.now(UTC).strftime("%Y/%m/%d")
        self._log_stream_name = f"{day}/[{function_version}]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + timeout_s
        # What the Python runtime passes when the caller sent neither (a direct or API Gateway invoke).
        self._identity = None  # type: ignore[assignment]
        self._client_context = None  # type: ignore[assignment]

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return max(0, int((self._deadline - time.monotonic()) * 1000))
