#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# autogen.sh: make ./configure from configure.ac (a git checkout needs this
# once; release tarballs come with configure already made).
set -e
cd "$(dirname "$0")"
autoreconf --force --install "$@"
echo "Now run ./configure (see ./configure --help) and make."
