# Two commands do everything (see README.md):
#   make demo   the instructor's demo: build the learner release, grade sample submissions, show results
#   make test   every test
# Both create the virtual environment .venv with pip when it is missing or out of date.

VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
BUILD := $(CURDIR)/build

# Jupyter, IPython and matplotlib keep their state inside the project, not in $HOME.
export JUPYTER_CONFIG_DIR := $(BUILD)/jupyter/config
export JUPYTER_DATA_DIR := $(BUILD)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(BUILD)/jupyter/runtime
export IPYTHONDIR := $(BUILD)/ipython
export MPLCONFIGDIR := $(BUILD)/matplotlib
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test check release grade lab instructor-lab system-packages benchmark lint format clean hub hub-stop hub-screenshots hub-benchmark

$(INSTALLED): pyproject.toml
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	@touch $@

demo: $(INSTALLED)
	MPLBACKEND=Agg $(PYTHON) -m autograder.demo

test: $(INSTALLED) system-packages
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	MPLBACKEND=Agg COURSE_FAST=1 $(PYTHON) -m pytest --nbval-lax --nbval-current-env --durations=15

# The everyday loop (about a minute): lint and every test that runs no nbgrader command, grades
# no learner, opens no browser and installs nothing.
check: $(INSTALLED)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	MPLBACKEND=Agg COURSE_FAST=1 $(PYTHON) -m pytest -q -m "not nbgrader and not browser and not slow and not hub"

# Debian packages the tests need (chromium, bubblewrap, postgresql), installed when missing and allowed.
system-packages:
	@bash tools/system-packages.sh

# JupyterLab for learners (notebooks/, Validate) and for instructors (all of nbgrader's tools).
lab: $(INSTALLED)
	$(PYTHON) -m autograder.lab learner

instructor-lab: $(INSTALLED)
	$(PYTHON) -m autograder.lab instructor

# Grade a class: make grade SUBMISSIONS=path/to/submitted (or a folder or .zip of notebooks)
grade: $(INSTALLED)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path [ASSIGNMENT=name] [OUT=folder] [WORKERS=n] [DB=postgresql://...] [CANVAS_GRADEBOOK=csv] [MOODLE_WORKSHEET=csv] [VERBOSE=1]"; exit 2; }
	@MPLBACKEND=Agg $(PYTHON) -m autograder.grade "$(SUBMISSIONS)" $(if $(ASSIGNMENT),--assignment "$(ASSIGNMENT)") $(if $(OUT),--out "$(OUT)") $(if $(WORKERS),--workers "$(WORKERS)") $(if $(DB),--db "$(DB)") $(if $(CANVAS_GRADEBOOK),--canvas-gradebook "$(CANVAS_GRADEBOOK)") $(if $(MOODLE_WORKSHEET),--moodle-worksheet "$(MOODLE_WORKSHEET)") $(if $(VERBOSE),--verbose)

# Regenerate the learner notebooks from the solutions (authors run this after editing solutions/).
release: $(INSTALLED)
	$(PYTHON) -m autograder.release

# Grading speed on a synthetic cohort of N learners per assignment (60% right, 30% with bank
# mistakes, 10% broken): stock serial nbgrader autograde against the course's command, with
# the course's time per phase. BASELINE=0 grades with the course's command only.
# Results: build/benchmark/benchmark.md and benchmark.json.
N ?= 40
BASELINE ?= 1
WORKERS_BENCH ?= $(if $(WORKERS),$(WORKERS),1)
benchmark: $(INSTALLED) system-packages
	MPLBACKEND=Agg $(PYTHON) benchmarks/grading_cohort.py --learners $(N) --workers $(WORKERS_BENCH) \
		$(if $(ASSIGNMENTS),--assignments $(ASSIGNMENTS)) $(if $(filter 0,$(BASELINE)),--no-baseline)

# The course on JupyterHub at http://127.0.0.1:$(PORT) (root): PAM accounts course-instructor and
# course-learner-1..$(LEARNERS), each server in its own account, the exchange as a service.
PORT ?= 8000
LEARNERS ?= 3
hub: $(INSTALLED)
	$(PYTHON) -m autograder.hub start --port $(PORT) --learners $(LEARNERS)

hub-stop: $(INSTALLED)
	$(PYTHON) -m autograder.hub stop --learners $(LEARNERS)

# The README's pictures of the hub loop, as the hub's browser test last saved them.
hub-screenshots:
	cp build/screenshots/hub-readme/hub_assignment_list.png build/screenshots/hub-readme/hub_feedback.png docs/screenshots/

# Learners' servers started one more at a time until one is slow or memory runs short (root).
hub-benchmark: $(INSTALLED)
	$(PYTHON) benchmarks/hub_servers.py

lint: $(INSTALLED)
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

clean:
	rm -rf build
