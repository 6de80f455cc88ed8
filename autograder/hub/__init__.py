"""The course on a real JupyterHub: local accounts logging in through PAM, each learner's
server in their own account, and an exchange service that knows who submits and when.

`python -m autograder.hub start|stop|status` (`make hub`, `make hub-stop`) runs it; the
pieces, one job each: layout (names and paths), accounts, environments (built outside the
repository with Debian's Python), proxy (configurable-http-proxy from npm), hub_config
(jupyterhub_config.py), launcher (start, refuse, stop), service and store (the exchange) and
exchange_client (nbgrader's exchange classes that talk to it).
"""
