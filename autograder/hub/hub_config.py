"""jupyterhub_config.py of one instance: every address on 127.0.0.1, PAM for the instance's
accounts only, each server a local process of its own account, and the exchange as a managed
service under its own account."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.hub.layout import HUB_ENV, LEARNER_ENV, SERVICE_NAME, SERVICE_PACKAGE, Layout

# What the hub and everything it starts find programs on, before an environment's own bin/.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Ports:
    public: int  # the proxy, where people log in
    hub: int  # the hub's own API, for the proxy, the servers and the service
    proxy_api: int
    service: int


def settings(layout: Layout, ports: Ports, proxy: Path) -> dict:
    """Everything the config file needs, as plain data (written into it as JSON)."""
    service_scope = f"access:services!service={SERVICE_NAME}"
    return {
        "public_url": f"http://127.0.0.1:{ports.public}",
        "hub_url": f"http://127.0.0.1:{ports.hub}",
        "proxy_api_url": f"http://127.0.0.1:{ports.proxy_api}",
        "service_url": f"http://127.0.0.1:{ports.service}",
        "exchange_url": f"http://127.0.0.1:{ports.public}/services/{SERVICE_NAME}/",
        "proxy_command": str(proxy),
        "state": str(layout.state),
        "instructor": layout.instructor,
        "learners": layout.learners,
        "exchange_account": layout.exchange_account,
        "exchange_root": str(layout.exchange_root),
        "hub_python": str(HUB_ENV / "bin" / "python"),
        "learner_server": str(LEARNER_ENV / "bin" / "jupyterhub-singleuser"),
        "instructor_server": str(layout.deployment / ".venv" / "bin" / "jupyterhub-singleuser"),
        "deployment": str(layout.deployment),
        "service_name": SERVICE_NAME,
        "service_module": f"{SERVICE_PACKAGE}.service",
        "service_scope": service_scope,
        "system_path": SYSTEM_PATH,
    }


TEMPLATE = '''"""Written by autograder/hub/hub_config.py for one start of the course's hub."""

import json
import os
import shlex

c = get_config()  # noqa: F821
s = json.loads({settings!r})

# Everything on 127.0.0.1: the proxy people reach, the hub's API and the proxy's API.
c.JupyterHub.bind_url = s["public_url"]
c.JupyterHub.hub_bind_url = s["hub_url"]
c.ConfigurableHTTPProxy.api_url = s["proxy_api_url"]
c.ConfigurableHTTPProxy.command = [s["proxy_command"]]
c.ConfigurableHTTPProxy.pid_file = s["state"] + "/proxy.pid"
c.JupyterHub.pid_file = s["state"] + "/jupyterhub.pid"
c.JupyterHub.db_url = "sqlite:///" + s["state"] + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = s["state"] + "/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# PAM, JupyterHub's default, with the instance's accounts only.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {{s["instructor"], *s["learners"]}}
c.PAMAuthenticator.open_sessions = False

# Each server a process of its own account, on 127.0.0.1; the instructor's from the
# deployment, the learners' from the learner environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {{"COURSE_EXCHANGE_URL": s["exchange_url"]}}


def choose_server(spawner):
    if spawner.user.name == s["instructor"]:
        # Formgrader and nbgrader read the course's nbgrader_config.py from the working
        # directory, and LocalProcessSpawner starts every server in the home folder: start
        # the instructor's in the deployment instead.
        change_folder = "cd " + shlex.quote(s["deployment"]) + ' && exec "$0" "$@"'
        spawner.cmd = ["/bin/sh", "-c", change_folder, s["instructor_server"]]
        spawner.notebook_dir = s["deployment"]
        server = s["instructor_server"]
    else:
        server = s["learner_server"]
        spawner.cmd = [server]
    # The environment's programs first, as in an activated environment: nbgrader runs
    # `alembic` to make a gradebook, and a terminal in the server finds nbgrader.
    path = os.path.dirname(server) + ":" + s["system_path"]
    spawner.environment = {{**spawner.environment, "PATH": path}}


c.Spawner.pre_spawn_hook = choose_server

# The exchange is a service a user's token may reach only with this scope, which users hold
# and which their servers' tokens carry.
c.JupyterHub.load_roles = [{{"name": "user", "scopes": ["self", s["service_scope"]]}}]
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    s["service_scope"],
]
c.JupyterHub.services = [
    {{
        "name": s["service_name"],
        "url": s["service_url"],
        "command": [s["hub_python"], "-m", s["service_module"]],
        "user": s["exchange_account"],
        "cwd": s["exchange_root"],
        "environment": {{
            "COURSE_EXCHANGE_ROOT": s["exchange_root"],
            "COURSE_EXCHANGE_INSTRUCTORS": s["instructor"],
            "COURSE_EXCHANGE_LEARNERS": ",".join(s["learners"]),
        }},
    }}
]
'''


def write_config(layout: Layout, ports: Ports, proxy: Path) -> Path:
    """The config file, readable by root only (it names paths and accounts, not secrets, but
    nothing of the hub's state is for others)."""
    text = TEMPLATE.format(settings=json.dumps(settings(layout, ports, proxy)))
    path = layout.config_file
    path.touch(mode=0o600)
    os.chmod(path, 0o600)
    path.write_text(text)
    return path
