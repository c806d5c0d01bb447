from conftest import QWEN3_TEMPLATE as QWEN3_LIKE
from hypothesis import given
from hypothesis import strategies as st

from pocketmind.engine.base import Message
from pocketmind.engine.template import CHATML, ChatTemplate, with_thinking_switch
from pocketmind.engine.thinking import ThinkingFilter, split_thinking, strip_thinking


def test_strip_thinking_removes_blocks_and_unterminated_tails() -> None:
    assert strip_thinking("<think>hmm, Maya…</think>\n\nLisbon.") == "Lisbon."
    assert strip_thinking("<think>\n\n</think>\n\nHi") == "Hi"
    assert strip_thinking("Plain answer") == "Plain answer"
    assert strip_thinking("<think>still going") == ""
    assert split_thinking("<think>a</think>b") == ("<think>a</think>", "b")


@given(st.lists(st.integers(1, 7), min_size=1, max_size=30))
def test_streaming_filter_matches_whole_text_for_any_split(cuts: list[int]) -> None:
    text = "<think>plan: look up Maya</think>\n\nMaya lives in <b>Lisbon</b> <thin> ok"
    pieces, i = [], 0
    for cut in cuts:
        pieces.append(text[i : i + cut])
        i += cut
    pieces.append(text[i:])
    assert "".join(ThinkingFilter().filter(pieces)) == strip_thinking(text)


def test_template_renders_chatml_and_the_thinking_switch() -> None:
    messages = [Message("system", "Be brief."), Message("user", "Hi")]
    plain = ChatTemplate(CHATML).render(messages)
    assert plain.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    qwen = ChatTemplate(QWEN3_LIKE)
    assert qwen.knows_thinking
    assert qwen.render(messages, thinking=False).endswith("assistant\n<think>\n\n</think>\n\n")
    assert qwen.render(messages, thinking=True).endswith("assistant\n")


def test_soft_switch_goes_on_the_last_user_message() -> None:
    messages = [Message("user", "a"), Message("assistant", "b"), Message("user", "c")]
    switched = with_thinking_switch(messages, thinking=False)
    assert [m.content for m in switched] == ["a", "b", "c /no_think"]
    assert with_thinking_switch(messages, thinking=True)[-1].content == "c /think"
