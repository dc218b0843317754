"""Fakes for tests and benches: nothing here touches the network.

* :class:`ScriptedModel` — a Pydantic AI ``FunctionModel`` answering from a queue of
  scripted replies (dicts, raw strings, exceptions) and then from a responder.
* :class:`FakeAdvisor` — a responder that writes *valid* statements and summaries from the
  prompt alone (cites the first evidence id, keeps its conviction).
* :class:`LooseCiter` — a FakeAdvisor that cites three ids, one of them not in the pack.
* :class:`FaultInjectingModel` — wraps a model and injects timeouts, 429 with Retry-After,
  500s and malformed JSON at a seeded rate.
* :class:`FixedLatencyModel` — wraps a model and adds a fixed latency (concurrency bench).
* :class:`FakeOpenAIServer` — a real HTTP server on loopback speaking the OpenAI Chat
  Completions API (tool-call and JSON-schema replies), for end-to-end tests of the client path;
  with :class:`ServerFaults` it fails a share of requests as real servers do.
"""

from throughline.providers.fakes.responders import FakeAdvisor, LooseCiter, SeenRequest
from throughline.providers.fakes.scripted import ScriptedModel, ScriptExhausted
from throughline.providers.fakes.server import FakeOpenAIServer, HTTPReply, ServerFaults
from throughline.providers.fakes.wrappers import FaultInjectingModel, FixedLatencyModel

__all__ = [
    "FakeAdvisor",
    "FakeOpenAIServer",
    "FaultInjectingModel",
    "FixedLatencyModel",
    "HTTPReply",
    "LooseCiter",
    "ScriptExhausted",
    "ScriptedModel",
    "SeenRequest",
    "ServerFaults",
]
