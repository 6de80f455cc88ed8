"""python -m autograder.hub start|stop|status [--instance NAME] [--port N] [--learners N]

`make hub` and `make hub-stop` run this for the instance `hub`; the tests use their own.
"""

from __future__ import annotations

import argparse
import sys

from autograder.hub import launcher
from autograder.hub.layout import Layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.hub", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--instance", default="hub", help="a name for this hub's state")
    parser.add_argument("--prefix", default="course", help="account names: PREFIX-learner-1")
    parser.add_argument("--learners", type=int, default=3, help="how many learner accounts")
    parser.add_argument("--port", type=int, default=8000, help="where people log in")
    args = parser.parse_args(argv)
    layout = Layout(instance=args.instance, prefix=args.prefix, learner_count=args.learners)
    try:
        if args.action == "start":
            record = launcher.start(layout, args.port)
            print(
                f"JupyterHub is running at {record['url']} (pid {record['pid']}).\n"
                f"Accounts: {layout.instructor} and {', '.join(layout.learners)}; their "
                f"passwords are in {layout.passwords_file} (root only).\n"
                f"Log: {layout.log_file}. Stop it with `{layout.stop_command}`."
            )
        elif args.action == "stop":
            was_running = launcher.stop(layout)
            print("stopped the hub" if was_running else "no hub of this instance was running")
        else:
            record = launcher.running(layout)
            print(f"running: {record['url']} (pid {record['pid']})" if record else "not running")
    except launcher.HubError as error:
        print(error, file=sys.stderr)
        return 1
    except (RuntimeError, OSError) as error:
        print(f"the hub could not start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
