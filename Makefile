# Two commands do all the set-up on a fresh machine (Python >= 3.10):
#   make demo   create .venv if missing, regenerate the student release, grade sample submissions
#   make test   create .venv if missing, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
ASSIGNMENTS := $(notdir $(wildcard solutions/[0-9]*))
# nbgrader calls `alembic` by name: the virtualenv's bin must come first on PATH.
export PATH := $(BIN):$(PATH)

.PHONY: demo test release figures lint bench bench-nbgrader bench-class clean

demo: $(VENV)/.installed release
	$(BIN)/python -m autograder demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# The student release: exactly what nbgrader generates from solutions/ (see nbgrader_config.py).
release: $(VENV)/.installed
	@for a in $(ASSIGNMENTS); do \
	  $(BIN)/nbgrader generate_assignment $$a --force --log-level=WARN || exit 1; \
	done
	@echo "Student release regenerated in exercises/: $(ASSIGNMENTS)"

# Redraw every figure into assets/ and copy each into the assignments that show it.
figures: $(VENV)/.installed
	$(BIN)/python assets/draw.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_grade.py

# nbgrader autograde of a class of 40: the autograder against nbgrader's stock Execute (several minutes).
bench-nbgrader: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_nbgrader.py

bench-class: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_class.py

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "Python >= 3.10 is needed; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info demo-results gradebook.db
