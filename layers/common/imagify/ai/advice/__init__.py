"""Which advisor model runs: LLaMA on Bedrock, or (only where configured, i.e. the local stack) the offline one."""

from __future__ import annotations

from imagify.ai.advice.protocol import AdvisorModel
from imagify.settings import ai_settings


def advisor_model() -> AdvisorModel:
    if ai_settings().advisor_provider == "offline":
        from imagify.ai.advice.offline import OfflineAdvisor

        return OfflineAdvisor()
    from imagify.ai.advice.bedrock import BedrockAdvisor

    return BedrockAdvisor()
