#!/usr/bin/env bash
# bench-vs-victorialogs.sh — load the same generated syslog into the vault and into
# VictoriaLogs and time the same searches in both. Not part of `make test`.
#
#   scripts/bench-vs-victorialogs.sh            # 2,000,000 lines
#   LINES="2000000 10000000" scripts/bench-vs-victorialogs.sh
#   SKIP_INGEST=1 LINES=10000000 scripts/bench-vs-victorialogs.sh   # queries only, on the data of the last run
#
# Method (docs/performance.md, "Vault against VictoriaLogs"):
# - lines: `vaultbench gen` (internal/vault/loggen.Mixed: ASA, FortiGate, AnyConnect, OpenVPN,
#   Suricata, Windows security events; Zipf addresses, users and ports; fixed seed);
# - ingest: one TCP connection, newline framing, to each receiver in turn (VictoriaLogs'
#   -syslog.listenAddr.tcp, the vault's ingest.ListenTCP run by `vaultbench serve`, which
#   keeps the Merkle tree, hourly checkpoints and block indexes on); lines per CPU-second
#   = lines / (utime+stime of the receiving process from the first byte until every line
#   is searchable), read from /proc;
# - bytes on disk: du of each data directory once everything is searchable (VictoriaLogs
#   once its size stops changing, after its background flushes and merges);
# - searches over HTTP with curl, both over all time: the newest 100 matching lines
#   (LogsQL `limit=100`), the count of all matches, and counts of time ranges; one unmeasured
#   run, then RUNS measured runs, median and min–max printed with the ratio vault/VL.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${LINES:-2000000}
RUNS=${RUNS:-3}
SEED=${SEED:-16}
WORK=${WORK:-/tmp/ciiguard-bench-vl}
CACHE=${CACHE:-$HOME/.cache/ciiguard-bench}
VL_PORT=${VL_PORT:-9428}
VL_SYSLOG=${VL_SYSLOG:-5140}
VB_PORT=${VB_PORT:-9441}
VB_SYSLOG=${VB_SYSLOG:-5141}
START=2026-11-24T00:00:00Z

mkdir -p "$WORK" "$CACHE"
VL=$CACHE/victoria-logs
if [ ! -x "$VL" ]; then
	echo "installing VictoriaLogs into $CACHE (once)…" >&2
	GOBIN=$CACHE go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@latest
fi
VB=$WORK/vaultbench
go build -o "$VB" ./cmd/vaultbench

pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
now() { date +%s.%N; }
median3() { sort -g | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.4f %.4f %.4f", m, a[1], a[NR]}'; }

# time_runs CMD… — one warm-up run, then RUNS timed runs; prints "median min max" seconds.
time_runs() {
	"$@" >/dev/null
	for _ in $(seq "$RUNS"); do "$@"; done | median3
}
vl_query() { curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$VL_PORT/select/logsql/query" --data-urlencode "query=$1" ${2:+-d limit=$2} || echo "failed: $1" >&2; }
vl_count() { curl -sS "http://127.0.0.1:$VL_PORT/select/logsql/query" --data-urlencode "query=$1 | stats count() n" | jq -r '.n'; }
vb_search() { curl -sS -o /dev/null -w '%{time_total}\n' -G "http://127.0.0.1:$VB_PORT/search" --data-urlencode "q=$1" -d limit=100; }
vb_count_t() { curl -sS -o /dev/null -w '%{time_total}\n' -G "http://127.0.0.1:$VB_PORT/count" --data-urlencode "q=$1" -d from="$2" -d to="$3"; }
vb_count() { curl -sS -G "http://127.0.0.1:$VB_PORT/count" --data-urlencode "q=$1" -d from="$2" -d to="$3" | jq -r '.count'; }
wait_http() { for _ in $(seq 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

echo "# vault vs VictoriaLogs — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), VictoriaLogs $(go version -m "$VL" | awk '$1=="mod"{print $3}')"
for N in $LINES; do
	F=$WORK/lines-$N-$SEED.txt
	if [ ! -s "$F" ]; then "$VB" gen -n "$N" -seed "$SEED" -start $START >"$F.tmp" && mv "$F.tmp" "$F"; fi
	RAW=$(stat -L -c %s "$F")
	SPAN_END=$(date -u -d @$(($(date -d $START +%s) + N / 116 + 3600)) +%FT%TZ)
	echo
	echo "## $N lines, $((RAW / N)) bytes a line on average ($F)"

	# --- VictoriaLogs ---
	[ -n "${SKIP_INGEST:-}" ] || rm -rf "$WORK/vl" "$WORK/vault"
	"$VL" -storageDataPath="$WORK/vl" -httpListenAddr=127.0.0.1:$VL_PORT -syslog.listenAddr.tcp=127.0.0.1:$VL_SYSLOG \
		-retentionPeriod=100y -search.maxQueryDuration=5m -loggerLevel=WARN >"$WORK/vl.log" 2>&1 &
	vlpid=$!; pids+=("$vlpid")
	wait_http "http://127.0.0.1:$VL_PORT/health"
	if [ -z "${SKIP_INGEST:-}" ]; then
	c0=$(cpu_ticks $vlpid); t0=$(now)
	"$VB" send -addr 127.0.0.1:$VL_SYSLOG "$F"
	while :; do
		curl -sS -o /dev/null "http://127.0.0.1:$VL_PORT/internal/force_flush"
		n=$(vl_count '*'); [ "$n" = "$N" ] && break
		sleep 0.5
	done
	c1=$(cpu_ticks $vlpid); t1=$(now)
	vl_cpu=$(echo "($c1-$c0)/$tck" | bc -l); vl_wall=$(echo "$t1-$t0" | bc -l)
	# VictoriaLogs writes and merges parts in the background: wait until its size holds still.
	vl_bytes=0
	for _ in $(seq 60); do
		sleep 3
		b=$(du -sb "$WORK/vl" | cut -f1)
		[ "$b" = "$vl_bytes" ] && break
		vl_bytes=$b
	done
	fi

	# --- vault ---
	"$VB" serve -dir "$WORK/vault" -tcp 127.0.0.1:$VB_SYSLOG -http 127.0.0.1:$VB_PORT >"$WORK/vb.log" 2>&1 &
	vbpid=$!; pids+=("$vbpid")
	wait_http "http://127.0.0.1:$VB_PORT/size"
	if [ -z "${SKIP_INGEST:-}" ]; then
	c0=$(cpu_ticks $vbpid); t0=$(now)
	"$VB" send -addr 127.0.0.1:$VB_SYSLOG "$F"
	while [ "$(curl -sS "http://127.0.0.1:$VB_PORT/size" | jq -r .size)" != "$N" ]; do sleep 0.2; done
	c1=$(cpu_ticks $vbpid); t1=$(now)
	vb_cpu=$(echo "($c1-$c0)/$tck" | bc -l); vb_wall=$(echo "$t1-$t0" | bc -l)
	curl -sS -o /dev/null "http://127.0.0.1:$VB_PORT/checkpoint"
	vb_bytes=$(du -sb "$WORK/vault" | cut -f1)

	printf '\n| ingest | vault | VictoriaLogs | ratio |\n| --- | --- | --- | --- |\n'
	printf '| lines per CPU-second | %.0f (%.1f s CPU, %.1f s wall) | %.0f (%.1f s CPU, %.1f s wall) | %.2f× |\n' \
		"$(echo "$N/$vb_cpu" | bc -l)" "$vb_cpu" "$vb_wall" "$(echo "$N/$vl_cpu" | bc -l)" "$vl_cpu" "$vl_wall" "$(echo "$vl_cpu/$vb_cpu" | bc -l)"
	printf '| bytes on disk per line | %.2f | %.2f | %.2f× |\n' \
		"$(echo "$vb_bytes/$N" | bc -l)" "$(echo "$vl_bytes/$N" | bc -l)" "$(echo "$vb_bytes/$vl_bytes" | bc -l)"
	fi

	# --- searches ---
	num=$(sed -n "$((N / 2))p" "$F" | grep -oE '[0-9]{9,}' | tail -1)
	printf '\n| search (median of %d, min–max, seconds) | matches vault / VL | vault | VictoriaLogs | ratio |\n| --- | --- | --- | --- | --- |\n' "$RUNS"
	while IFS=$'\t' read -r kind val; do
		vq=$val
		lq=$(for w in $val; do printf '"%s" ' "$w"; done)
		mv=$(vb_count "$vq" 1900-01-01T00:00:00Z 2100-01-01T00:00:00Z)
		ml=$(vl_count "$lq")
		for mode in newest100 count; do
			if [ $mode = newest100 ]; then
				a=$(time_runs vb_search "$vq"); b=$(time_runs vl_query "$lq" 100)
			else
				a=$(time_runs vb_count_t "$vq" 1900-01-01T00:00:00Z 2100-01-01T00:00:00Z); b=$(time_runs vl_query "$lq | stats count() n")
			fi
			read -r am amin amax <<<"$a"; read -r bm bmin bmax <<<"$b"
			printf '| %s `%s`, %s | %s / %s | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) | %.2f× |\n' \
				"$kind" "$val" "$mode" "$mv" "$ml" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" "$(echo "$am/$bm" | bc -l)"
		done
	done < <("$VB" terms; printf 'number\t%s\n' "$num")
	for r in "1h 2026-11-24T01:00:00Z 2026-11-24T02:00:00Z" "all $START $SPAN_END" "3h17m 2026-11-24T00:31:00Z 2026-11-24T03:48:00Z"; do
		read -r name from to <<<"$r"
		mv=$(vb_count "" "$from" "$to"); ml=$(vl_count "_time:[$from, $to)")
		a=$(time_runs vb_count_t "" "$from" "$to"); b=$(time_runs vl_query "_time:[$from, $to) | stats count() n")
		read -r am amin amax <<<"$a"; read -r bm bmin bmax <<<"$b"
		printf '| time-range count %s | %s / %s | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) | %.2f× |\n' \
			"$name" "$mv" "$ml" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" "$(echo "$am/$bm" | bc -l)"
	done
	kill "$vlpid" "$vbpid"; wait "$vlpid" "$vbpid" 2>/dev/null || true
	pids=()
done
