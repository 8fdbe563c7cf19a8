#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [OUTDIR]: build the test Guest by hand, both flavours, and check
# the images:
#   OUTDIR/guest.elf      2-level page tables, for a 686 Host
#   OUTDIR/guest-pae.elf  PAE page tables (-DCONFIG_PAE), for a 686-pae Host
# OUTDIR defaults to tests/guest.  CC may name the compiler (default gcc,
# which needs gcc-multilib for -m32).  The list of sources is the one in
# Makefile.inc, and so are the flags, give or take -O2.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here}
cc=${CC:-gcc}

cflags="-m32 -ffreestanding -nostdlib -fno-pic -fno-pie -no-pie -fno-stack-protector
	-fno-asynchronous-unwind-tables -mno-sse -mno-mmx -O2 -Wall -Wextra -Werror -static
	-T $here/guest.lds -I $top/include -I $here/lib"
srcs=$(sed -n 's|^[[:space:]]*\(tests/guest/[^[:space:]]*\.c\)[[:space:]\\]*$|'"$top"'/\1|p' \
	"$here/Makefile.inc")

mkdir -p "$out"
# shellcheck disable=SC2086 # word splitting of the flag and file lists is wanted
$cc $cflags -o "$out/guest.elf" $srcs
# shellcheck disable=SC2086
$cc $cflags -DCONFIG_PAE -o "$out/guest-pae.elf" $srcs
if command -v python3 >/dev/null; then
	python3 "$here/check-image.py" "$out/guest.elf"
	python3 "$here/check-image.py" "$out/guest-pae.elf" --pae
fi
echo "built $out/guest.elf and $out/guest-pae.elf"
