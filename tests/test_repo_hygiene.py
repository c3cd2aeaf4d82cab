"""What the repository itself promises: a loopback-only server, no secrets, bounded and locked deps."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]

# Credential shapes (the patterns below cannot match their own source text).
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(r"(?i)aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+]{40}"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "OpenAI/Anthropic key": re.compile(r"\bsk-(ant-)?[A-Za-z0-9_-]{32,}"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Prefect Cloud key": re.compile(r"\bpnu_[A-Za-z0-9]{36}\b"),
    "password in a URL": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"{}$]{6,}@[A-Za-z0-9.-]+"),
}


def secrets_in(text: str) -> list[str]:
    """The kinds of credential found in `text`."""
    return [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_prefect_server_target_binds_loopback_only():
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^server\s*:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    starts = [line for line in recipe if "prefect server start" in line]
    assert starts, recipe
    for line in starts:
        assert re.search(r"--host[ =]127\.0\.0\.1\b", line), line
    assert not any("0.0.0.0" in line for line in lines)


def test_scanner_finds_a_planted_key():
    # Assembled at run time, so the repository never holds the string itself.
    planted = "aws_access_key_id = " + "AKIA" + "IOSFODNN7" + "EXAMPLE"
    assert secrets_in(planted) == ["AWS access key id"]
    assert secrets_in("-----BEGIN " + "OPENSSH PRIVATE KEY-----") == ["private key"]
    assert secrets_in("postgresql://quarry:" + "s3cr3tpass" + "@db.internal/x") == ["password in a URL"]
    assert secrets_in("sha256:043e0bd78d32888c0a9ca90fc788b38796843360c855a7262a532813133a0650") == []


def test_no_secrets_in_the_repository():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    # Tracked files and new files not ignored: what the next commit could carry.
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    found = []
    for name in filter(None, (n.decode() for n in listed)):
        path = REPO / name
        if not path.is_file() or path.is_symlink() or path.stat().st_size > 5_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{name}: {kind}" for kind in secrets_in(text)]
    assert found == []


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _locked() -> dict[str, list[str]]:
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for p in lock["package"]:
        out.setdefault(canonicalize_name(p["name"]), []).append(p["version"])
    return out


def test_every_runtime_dependency_has_a_lower_bound():
    missing = []
    for dep in _pyproject()["project"]["dependencies"]:
        req = Requirement(dep)
        if not any(s.operator in (">=", ">", "==", "~=", "===") for s in req.specifier):
            missing.append(dep)
    assert missing == []


def test_lock_file_covers_every_dependency_with_an_allowed_version():
    assert (REPO / "uv.lock").is_file(), "uv.lock is missing: `make` builds .venv from it"
    locked = _locked()
    project = _pyproject()
    deps = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    wrong = []
    for dep in deps:
        req = Requirement(dep)
        versions = locked.get(canonicalize_name(req.name), [])
        if not versions or not all(req.specifier.contains(v, prereleases=True) for v in versions):
            wrong.append(f"{dep}: locked {versions}")
    assert wrong == []


def test_installed_runtime_versions_are_the_locked_ones():
    locked = _locked()
    drift = []
    for dep in _pyproject()["project"]["dependencies"]:
        name = canonicalize_name(Requirement(dep).name)
        installed = importlib.metadata.version(name)
        if installed not in locked[name]:
            drift.append(f"{name}: installed {installed}, locked {locked[name]}")
    assert drift == []


def test_lock_file_matches_pyproject():
    # the uv that `make` uses: on PATH, or the one the Makefile bootstraps into .tools/
    uv = shutil.which("uv") or shutil.which("uv", path=str(REPO / ".tools" / "bin"))
    if uv is None:
        pytest.skip("uv is neither on PATH nor in .tools/bin")
    # --check never writes the lock; --offline keeps the check from depending on the network.
    out = subprocess.run(
        [uv, "lock", "--check", "--offline"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0 and re.search(r"(?i)offline|network|connect", out.stderr):
        pytest.skip(f"uv cannot check without the network: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr
