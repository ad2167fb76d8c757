"""Every option is declared once and documented twice: .env.example and docs/configuration.md."""

from pathlib import Path

import pytest

from perezvon.settings import Settings

REPO = Path(__file__).resolve().parents[2]
OPTIONS = sorted(name.upper() for name in Settings.model_fields)


@pytest.mark.parametrize("option", OPTIONS)
def test_option_is_in_env_example(option):
    assert f"# {option}=" in (REPO / ".env.example").read_text()


@pytest.mark.parametrize("option", OPTIONS)
def test_option_is_in_the_reference(option):
    assert f"| `{option}` |" in (REPO / "docs" / "configuration.md").read_text()
