"""Fakes for tests and benches: nothing here touches the network.

* :class:`ScriptedModel` — a Pydantic AI ``FunctionModel`` answering from a queue of
  scripted replies (dicts, raw strings, exceptions) and then from a responder.
* :class:`FakeAdvisor` — a responder that writes *valid* statements and summaries from the
  prompt alone (cites the first evidence id, keeps its conviction).
* :class:`FaultInjectingModel` — wraps a model and injects timeouts, 429 with Retry-After,
  500s and malformed JSON at a seeded rate.
* :class:`FixedLatencyModel` — wraps a model and adds a fixed latency (concurrency bench).
* :class:`FakeOpenAIServer` — a real HTTP server on loopback speaking the OpenAI Chat
  Completions API (tool-call and JSON-schema replies), for end-to-end tests of the client path.
"""

from throughline.models.fakes.responders import FakeAdvisor, SeenRequest
from throughline.models.fakes.scripted import ScriptedModel, ScriptExhausted
from throughline.models.fakes.server import FakeOpenAIServer, HTTPReply
from throughline.models.fakes.wrappers import FaultInjectingModel, FixedLatencyModel

__all__ = [
    "FakeAdvisor",
    "FakeOpenAIServer",
    "FaultInjectingModel",
    "FixedLatencyModel",
    "HTTPReply",
    "ScriptExhausted",
    "ScriptedModel",
    "SeenRequest",
]
