"""The personalization loop end to end on the packaged SmolLM2:
seed conversations → export → refresh → install → the daemon knows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from patience import patience

from pocketmind.chat import Assistant
from pocketmind.engine import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings
from pocketmind.training import export
from pocketmind.training.refresh import RefreshError, answered_right, load_chats, refresh

pytestmark = pytest.mark.slow

SEED = [
    ("Who is my sister?", "Your sister is Maya."),
    ("What is my sister called?", "Your sister is Maya."),
    ("Tell me my sister's name.", "Your sister is Maya."),
    ("Do I have a sister?", "Yes, your sister is Maya."),
    ("What's the name of my sister?", "Your sister is Maya."),
    ("Which sister do I have?", "Your sister is Maya."),
    ("Where do I work?", "You work at Riverside Dental."),
    ("Who employs me?", "You work at Riverside Dental."),
    ("What is my job?", "You work at Riverside Dental."),
]


def test_bad_input_is_a_clear_error(tmp_path: Path, smollm2: Path, settings: Settings) -> None:
    with pytest.raises(RefreshError, match=r"sft\.jsonl not found"):
        load_chats(tmp_path)
    (tmp_path / "sft.jsonl").write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(RefreshError, match="no usable examples"):
        load_chats(tmp_path)
    (tmp_path / "sft.jsonl").write_text("not json\n")
    with pytest.raises(RefreshError, match=r"sft\.jsonl:1: not an exported chat"):
        load_chats(tmp_path)
    text = tmp_path / "model.txt"
    text.write_text("hello")
    with pytest.raises(RefreshError, match="is not a GGUF model file"):
        refresh(tmp_path, text, tmp_path / "a.gguf", settings.train)
    assert answered_right("Your sister is Maya.", "I think Maya is your sister")
    assert not answered_right("Your sister is Maya.", "I don't know")


def test_the_loop_teaches_the_model_a_personal_fact(
    tmp_path: Path, smollm2: Path, settings: Settings, store: MemoryStore
) -> None:
    from daemon_helpers import DaemonProcess

    settings.chat.extract_facts = False
    # The seed answers teach a fact no memory holds: the support check would replace
    # them with "I don't know that yet." and the export would teach that instead.
    settings.chat.check_support = False
    assistant = Assistant(store, FakeEngine([a for _, a in SEED]), settings)
    for question, _ in SEED:
        assistant.ask(question)
    report = export(store, store.db, settings, tmp_path / "export")
    assert report.counts["sft"] == len(SEED)
    # Two folds, not the default three: the same check (held-out loss beats the base on
    # every fold) at two thirds of the training, so it passes with a CPU hog beside it.
    config = settings.train.model_copy(update={"lr": 2e-3, "epochs": 5, "batch": 1, "folds": 2})
    adapter = tmp_path / "sister.gguf"
    result = refresh(tmp_path / "export", smollm2, adapter, config)
    table = json.loads(adapter.with_suffix(".json").read_text())
    assert len(table["folds"]) == 2 and table["promotable"] is True
    overall = table["overall"]
    assert overall["adapter_loss"]["mean"] < overall["base_loss"]["mean"]
    assert result.examples_per_s > 0

    daemon = DaemonProcess(
        tmp_path / "phone",
        {
            "POCKETMIND_ENGINE__BACKEND": "llama",
            "POCKETMIND_ENGINE__TEMPERATURE": "0",
            # What is checked here is the model's own answer: the fact lives in the
            # adapter's weights, not in a memory the support check could find it in.
            "POCKETMIND_CHAT__CHECK_SUPPORT": "false",
        },
    ).start()
    held_out = {"question": "Who is my sister, do you know?", "stream": False}
    try:
        with daemon.client() as client:
            before = client.request("POST", "/chat", json=held_out)["answer"]
        exe = str(Path(sys.executable).with_name("pocketmind"))
        installed = subprocess.run(
            [exe, "adapter", "install", str(adapter), "--use"],
            env=daemon.env,
            capture_output=True,
            text=True,
            timeout=patience(120),
        )
        assert installed.returncode == 0, installed.stderr
        with daemon.client() as client:
            after = client.request("POST", "/chat", json=held_out)
    finally:
        daemon.stop()
    assert "Maya" not in before  # the base model did not know
    assert "Maya" in after["answer"]  # the refreshed adapter does
    assert after["timing"]["adapter_id"] == "v001-sister.gguf"


def test_several_processes_through_accelerate(
    tmp_path: Path, smollm2: Path, settings: Settings, store: MemoryStore
) -> None:
    """The multi-GPU path (one process per device, gradients averaged by DDP), run as two
    CPU processes: the main one evaluates and writes the adapter."""
    import os
    import shutil

    settings.chat.extract_facts = False
    assistant = Assistant(store, FakeEngine([a for _, a in SEED[:6]]), settings)
    for question, _ in SEED[:6]:
        assistant.ask(question)
    export(store, store.db, settings, tmp_path / "export")
    launcher = shutil.which("accelerate", path=str(Path(sys.executable).parent))
    assert launcher is not None
    env = {**os.environ, "POCKETMIND_TRAIN__EPOCHS": "1", "POCKETMIND_TRAIN__LR": "0.002"}
    done = subprocess.run(
        [
            launcher,
            "launch",
            "--cpu",
            "--num_processes",
            "2",
            "--num_machines",
            "1",
            "--mixed_precision",
            "no",
            "--dynamo_backend",
            "no",
            "-m",
            "pocketmind.cli",
            "refresh",
            str(tmp_path / "export"),
            "--base",
            str(smollm2),
            "--out",
            str(tmp_path / "ddp.gguf"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(600),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("promotable:") == 1  # one table, from the main process
    report = json.loads((tmp_path / "ddp.json").read_text())
    assert len(report["folds"]) == 3
    assert report["overall"]["adapter_loss"]["mean"] < report["overall"]["base_loss"]["mean"]
