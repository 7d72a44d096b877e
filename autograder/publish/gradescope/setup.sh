#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: what grading needs.
# A Python of 3.11 or later (Ubuntu 24.04's python3 is 3.12) with venv, bubblewrap for the sandbox, then the
# grader's pinned packages in a virtualenv of their own.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv python3-pip)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "setup.sh: apt-get could not install ${missing[*]}: grading goes on without them"
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
echo "setup.sh: $(/autograder/venv/bin/python --version), $(command -v bwrap >/dev/null && echo bubblewrap || echo 'no bubblewrap')"
