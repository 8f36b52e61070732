from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dedup import Config, ConfigError
from dedup.cli import clean_command
from dedup.config import option_owners


def test_defaults_and_frozen() -> None:
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.repeats.min_docs = 5  # type: ignore[misc]


def test_with_options_and_errors() -> None:
    config = Config().with_options(min_docs=5, num_perm=64, keep="longest")
    assert (config.repeats.min_docs, config.minhash.num_perm, config.repeats.keep) == (5, 64, "longest")
    with pytest.raises(ConfigError, match=r"did you mean 0\.8"):
        Config().with_options(threshold=1.5)
    with pytest.raises(ConfigError, match="unknown option"):
        Config().with_options(nope=1)


def test_toml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[repeats]\nmin_docs = 4\n[rules]\ndisable = ["en.advertisement"]\n')
    config = Config.from_toml(path)
    assert config.repeats.min_docs == 4 and config.rules.disable == ("en.advertisement",)
    path.write_text("[repeats]\nmin_doc = 4\n")
    with pytest.raises(ConfigError, match="unknown key"):
        Config.from_toml(path)
    path.write_text("[repeats\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Config.from_toml(path)


def test_one_name_per_option_across_config_and_cli() -> None:
    import inspect

    cli_names = set(inspect.signature(clean_command).parameters)
    cli_names = {"rules_files" if n == "rules_file" else n for n in cli_names}
    not_on_cli = {"languages", "seed", "hash", "scheme", "batch_bytes", "wrap_min_width", "wrap_max_width"}
    for name in option_owners():
        if name not in not_on_cli:
            assert name in cli_names, f"option {name} has no CLI flag of the same name"
