"""A scripted fake model on Pydantic AI's ``FunctionModel``: queued replies, then a responder."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from throughline.providers.fakes.responders import SeenRequest

Reply = dict[str, Any] | str | BaseException | ModelResponse
Responder = Callable[[SeenRequest], Reply]


class ScriptExhausted(AssertionError):
    """The script ran out and no responder was given."""


class ScriptedModel(FunctionModel):
    """Answers each request with the next queued reply, then with ``responder``.

    A ``dict`` becomes the output tool's arguments (or JSON text when the agent expects
    text/native output); a ``str`` is sent raw (tool arguments when a tool is expected, so a
    broken JSON string is a malformed reply); an exception is raised; a ``ModelResponse``
    is returned as is. ``seen`` keeps every request for assertions.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        responder: Responder | None = None,
        model_name: str = "scripted",
    ) -> None:
        self.queue: deque[Reply] = deque(replies)
        self.responder = responder
        self.seen: list[SeenRequest] = []
        super().__init__(self._answer, model_name=model_name)

    def __repr__(self) -> str:
        return f"ScriptedModel({self.model_name!r}, queued={len(self.queue)})"

    async def _answer(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0].name if info.output_tools else None
        mode = info.model_request_parameters.output_mode
        seen = SeenRequest(
            instructions=info.instructions or "",
            prompt=_last_user_prompt(messages),
            output_tool=tool,
            mode=mode,
            retry_feedback=_retry_feedback(messages),
            index=len(self.seen),
        )
        self.seen.append(seen)
        if self.queue:
            reply = self.queue.popleft()
        elif self.responder is not None:
            reply = self.responder(seen)
        else:
            raise ScriptExhausted(
                f"{self.model_name}: no scripted reply left for request {seen.index}"
            )
        return to_response(reply, tool)


def to_response(reply: Reply, tool: str | None) -> ModelResponse:
    if isinstance(reply, BaseException):
        raise reply
    if isinstance(reply, ModelResponse):
        return reply
    if tool is not None:
        args = reply if isinstance(reply, str) else json.dumps(reply)
        return ModelResponse(parts=[ToolCallPart(tool, args)])
    text = reply if isinstance(reply, str) else json.dumps(reply)
    return ModelResponse(parts=[TextPart(text)])


def _last_user_prompt(messages: list[ModelMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, UserPromptPart):
                    if isinstance(part.content, str):
                        return part.content
                    # text around a cache marker (CachePoint), as one prompt
                    return "".join(c for c in part.content if isinstance(c, str))
    return ""


def _retry_feedback(messages: list[ModelMessage]) -> list[str]:
    out: list[str] = []
    for message in messages:
        if not isinstance(message, ModelRequest):
            continue
        for part in message.parts:
            content: object
            if (
                isinstance(part, RetryFeedbackPart)
                or isinstance(part, ToolReturnPart)
                and part.retry is not None
            ):
                content = part.content
            else:
                continue
            out.append(content if isinstance(content, str) else json.dumps(content, default=str))
    return out
