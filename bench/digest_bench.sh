#!/bin/bash
# digest_bench.sh - build bench/digest_bench and run it: a year of
#                   1,000,000 tickets, lookups, digests, size, fill rate
#
# PURPOSE	Builds the benchmark in the configured build directory (it is
#		an EXTRA_PROGRAM: never built by "make" alone, never
#		installed) and runs it with the templates of the source tree.
#		See bench/README.md and the header of bench/digest_bench.c.
# USAGE		top_builddir=/path/to/build bench/digest_bench.sh [TICKETS]
#		(top_builddir defaults to the source tree, for an in-tree
#		build).  No root needed; the work directory goes under
#		BENCH_DIR, else $TMPDIR, else /tmp, and needs about 2.5 KB
#		per ticket (2.5 GB at 1,000,000).
# ENVIRONMENT	BENCH_TICKETS (1000000), BENCH_SEED (1), BENCH_DIR,
#		BENCH_KEEP=1 (keep the database).
# EXIT		That of digest_bench: 0 when every measurement ran (missed
#		targets show as MISS), 1 otherwise; 2 when it does not build.
#
# SPDX-License-Identifier: MIT
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir
make -C "$top_builddir" bench/digest_bench >&2 || exit 2
exec "$top_builddir/bench/digest_bench" "$@"
