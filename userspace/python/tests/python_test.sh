#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Python binding's pytest suite in the VM, as TAP (conftest.py): the
# host's python3 from the guest image (/usr), the binding from /shmr/python.
# shellcheck source=scripts/tap.sh
. "${SHMR_TAP:-/shmr/tap.sh}"
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v python3 >/dev/null; then
	tap_not_ok "python: no python3 in the guest (is the image from scripts/guest-image.sh on /usr?)"
	exit 1
fi
cd "$here" || exit 1
# -p no:terminal: conftest.py's TAP lines are the only output
SHMR_PYTEST_TAP=1 PYTHONPATH=/shmr/python${PYTHONPATH:+:$PYTHONPATH} \
	python3 -m pytest -p no:cacheprovider -p no:terminal "$@" . 2>&1
