"""configurable-http-proxy, JupyterHub's proxy, pinned in the repository's package.json and
package-lock.json and installed with `npm ci` under build/hub-proxy (once per lock file)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from autograder.hub.layout import PROXY_BUILD, ROOT

MANIFESTS = ("package.json", "package-lock.json")


class ProxyError(RuntimeError):
    pass


def proxy_command() -> Path:
    return PROXY_BUILD / "node_modules" / ".bin" / "configurable-http-proxy"


def ensure_proxy() -> Path:
    """The proxy's executable, installed from the lock file when it changed."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise ProxyError(
            "node and npm are needed for configurable-http-proxy (node 20 or newer): "
            "install them, e.g. from Debian's or NodeSource's packages"
        )
    PROXY_BUILD.mkdir(parents=True, exist_ok=True)
    current = all(
        (PROXY_BUILD / name).is_file()
        and (PROXY_BUILD / name).read_bytes() == (ROOT / name).read_bytes()
        for name in MANIFESTS
    )
    if current and proxy_command().exists():
        return proxy_command()
    for name in MANIFESTS:
        shutil.copyfile(ROOT / name, PROXY_BUILD / name)
    print("installing configurable-http-proxy with npm ci", flush=True)
    result = subprocess.run(
        ["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROXY_BUILD,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not proxy_command().exists():
        raise ProxyError(f"npm ci in {PROXY_BUILD} failed:\n{result.stdout}{result.stderr}")
    return proxy_command()
