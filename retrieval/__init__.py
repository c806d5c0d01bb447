"""Retrieval: the memories that answer a query (time windows, fusion of vector and
full-text candidates, neighbours). It reads the memory room through ``MemoryStore``.

Above words and vectors:
- :mod:`.relations`: learned facts as relations ("sister" -> Maya) and their history
  (the supersede chain says which names are former states of a subject);
- :mod:`.expansion`: a question naming a relation or role gains the entity it resolves
  to, and a question about "now" prefers stated changes and current states;
- :mod:`.informative` and :mod:`.coverage`: statements over chatter, question words held;
- :mod:`.feedback`: a second hop (pseudo-relevance feedback), off by default;
- :mod:`.rerank`: the reranking seam (Protocol, fake, llama.cpp over HTTP), with
  :mod:`.late_interaction` (MaxSim over MiniLM's token vectors) and :mod:`.judge` (a small
  chat GGUF asked yes/no), in process, off by default.
"""

from .retriever import Retriever

__all__ = ["Retriever"]
