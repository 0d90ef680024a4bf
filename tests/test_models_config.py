"""Profiles in TOML: the workspace narrows and never loosens, locality only moves towards cloud, keys
never sit in config, openness cards ship with the package, roles route, the CLI lists and edits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.models.config import load_config
from agent.models.openness import card_for, curated_cards
from agent.models.provenance import file_sha256
from agent.models.resolve import chosen_name, configured_profile, refuse_if_cloud
from tests.conftest import run_cli


def user_file(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def workspace_file(workspace: Path, text: str) -> None:
    (workspace / ".flambeau").mkdir(exist_ok=True)
    (workspace / ".flambeau" / "models.toml").write_text(text)


def test_workspace_adds_never_to_cloud_globs_and_narrows_allowed_profiles(workspace: Path) -> None:
    user_file(
        'never_to_cloud = ["*.pem"]\nallowed_profiles = ["a", "b"]\n'
        '[profiles.a]\nmodel = "openai/gpt-4o"\n[profiles.b]\nmodel = "openai/gpt-4o-mini"\n'
    )
    workspace_file(workspace, 'never_to_cloud = ["secrets/**"]\nallowed_profiles = ["b", "c"]\n')
    config = load_config(workspace)
    assert config.restrictions.never_to_cloud == ["*.pem", "secrets/**"]
    assert config.restrictions.allowed_profiles == ["b"]
    with pytest.raises(ConfigError, match="not allowed here"):
        configured_profile(config, "a")


def test_workspace_local_only_false_does_not_undo_the_users_local_only(workspace: Path) -> None:
    user_file("local_only = true\n")
    workspace_file(workspace, "local_only = false\n")
    assert load_config(workspace).restrictions.local_only


def test_locality_can_be_forced_to_cloud_but_never_to_local() -> None:
    user_file('[profiles.remote]\nmodel = "openai/x"\napi_base = "https://llm.example.com/v1"\nlocality = "local"\n')
    with pytest.raises(ConfigError, match='only be overridden towards "cloud"'):
        load_config()
    user_file('[profiles.box]\nmodel = "openai/x"\napi_base = "http://127.0.0.1:8080/v1"\nlocality = "cloud"\n')
    profile = load_config().profiles["box"].profile
    assert profile.effective_locality() == "cloud"


def test_a_key_in_the_config_file_is_refused_with_the_fix() -> None:
    user_file('[profiles.p]\nmodel = "openai/gpt-4o"\napi_key = "sk-oops"\n')
    with pytest.raises(ConfigError, match="flambeau keys set"):
        load_config()


def test_local_only_refusal_names_the_endpoint_and_the_source() -> None:
    user_file('local_only = true\n[profiles.oa]\nmodel = "openai/gpt-4o"\n')
    config = load_config()
    expected = r"refused: .*not on this machine.*local-only mode is on \(set by .*models\.toml"
    with pytest.raises(ConfigError, match=expected):
        refuse_if_cloud(configured_profile(config, "oa").profile, config.restrictions)


def test_roles_route_to_their_own_profiles() -> None:
    user_file(
        'default = "main-cloud"\n[roles]\ncommit = "local"\nsummarise = "small"\n'
        '[profiles.main-cloud]\nmodel = "anthropic/claude-sonnet-4-5"\n'
        '[profiles.small]\nmodel = "ollama_chat/llama3.2"\n'
    )
    config = load_config()
    assert chosen_name(config, None, "main") == "main-cloud"
    assert chosen_name(config, None, "commit") == "local"
    assert chosen_name(config, None, "summarise") == "small"
    assert chosen_name(config, "explicit/model", "commit") == "explicit/model"


def test_openness_cards_ship_as_data_and_match_families() -> None:
    assert len(curated_cards()) >= 10
    assert card_for("openai/gpt-4o").category == "proprietary"
    assert card_for("anthropic/claude-sonnet-4-5").category == "proprietary"
    assert card_for("ollama_chat/qwen2.5-coder:7b").category == "open weights"
    assert card_for("openai/gemma-3-270m").category == "open weights with restrictions"
    assert card_for("hosted_vllm/allenai/OLMo-2-7B").category == "open source AI"
    assert card_for("openai/gpt-oss-20b").family == "gpt-oss"
    assert card_for("openai/some-new-thing").category == "unknown"
    assert card_for("openai/x", {"licence": "MIT", "category": "open weights"}).licence == "MIT"
    with pytest.raises(ConfigError, match="category"):
        card_for("openai/x", {"category": "mostly open"})


def test_gguf_sha256_is_cached_by_path_size_and_mtime(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"A" * 4096)
    first = file_sha256(model)
    stat = model.stat()
    model.write_bytes(b"B" * 4096)  # same size; restore the mtime: the cached digest is returned
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert file_sha256(model) == first
    model.write_bytes(b"B" * 4097)
    assert file_sha256(model) != first


def test_models_list_shows_locality_and_openness_card() -> None:
    user_file(
        'default = "work"\n[profiles.work]\nmodel = "anthropic/claude-sonnet-4-5"\n'
        '[profiles.box]\nmodel = "openai/qwen2.5-coder"\napi_base = "http://127.0.0.1:8080/v1"\n'
    )
    result = run_cli("models", "list")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("local  openai/gemma-3-270m  local")
    assert "a base model, not instruction-tuned" in result.stdout  # the embedded GGUF is the base Gemma 3 270M
    assert any(line.startswith("work  anthropic/claude-sonnet-4-5  cloud  [default]") for line in lines)
    assert any(line.startswith("box  openai/qwen2.5-coder  local") for line in lines)
    assert "openness: open weights with restrictions · licence: Gemma Terms of Use" in result.stdout
    assert "openness: proprietary · licence: Anthropic commercial terms" in result.stdout
    assert "openness: open weights · licence: Apache-2.0" in result.stdout


def test_models_add_and_use_write_the_user_file() -> None:
    added = run_cli("models", "add", "work", "--model", "anthropic/claude-sonnet-4-5", "--api-key-name", "anthropic")
    assert added.code == 0, added.stderr
    assert "flambeau keys set anthropic" in added.stdout
    used = run_cli("models", "use", "work", "--role", "main")
    assert used.code == 0, used.stderr
    config = load_config()
    assert config.profiles["work"].profile.api_key_name == "anthropic"
    assert config.roles == {"main": "work"}
    missing = run_cli("models", "use", "nope")
    assert missing.code == 2 and "no model profile named 'nope'" in missing.stderr


def test_models_add_and_use_keep_the_users_comments_and_layout() -> None:
    original = (
        "# my models, hand-written\n"
        'default = "local"  # offline by default\n'
        "\n"
        "[profiles.qwen]\n"
        "# the big local one\n"
        'model = "ollama_chat/qwen2.5-coder:7b"\n'
    )
    path = user_file(original)
    assert run_cli("models", "add", "work", "--model", "anthropic/claude-sonnet-4-5").code == 0
    assert run_cli("models", "use", "work").code == 0
    assert run_cli("models", "use", "qwen", "--role", "commit").code == 0
    text = path.read_text()
    assert text.startswith("# my models, hand-written\n")
    assert "# offline by default" in text and "# the big local one" in text
    assert text.index("[profiles.qwen]") < text.index("[profiles.work]")
    config = load_config()
    assert config.default == "work" and config.roles == {"commit": "qwen"}
    assert config.profiles["qwen"].profile.model == "ollama_chat/qwen2.5-coder:7b"


def test_an_edit_that_would_break_the_file_writes_nothing() -> None:
    path = user_file('default = "local"\n')
    refused = run_cli("models", "add", "bad", "--model", "openai/x", "--context-window", "-5")
    assert refused.code == 2 and "context_window must be a positive integer" in refused.stderr
    assert path.read_text() == 'default = "local"\n'


def test_a_local_llama_server_window_is_read_from_props() -> None:
    from agent.models.config import ModelsConfig, ProfileEntry
    from agent.models.profile import ModelProfile
    from agent.models.resolve import open_model
    from tests.provider_servers import LlamaServerProps

    with LlamaServerProps(n_ctx=6144) as server:
        profile = ModelProfile(name="box", model="openai/qwen", api_base=f"{server.base_url}/v1")
        config = ModelsConfig(profiles={"box": ProfileEntry(profile)})
        with open_model("box", config=config) as resolved:
            assert resolved.profile.context_window == 6144
            assert resolved.profile.effective_locality() == "local"
