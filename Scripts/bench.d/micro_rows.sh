# shellcheck shell=bash
# Scripts/bench, sourced: The micro-benchmarks: canonical JSON and ed25519 rates beside python-tuf's and raw libsodium.

# side_by_side TITLE SWIFT_OUTPUT PYTHON_OUTPUT [BASELINE_OUTPUT]: a detail table of rates
# ("name value unit" lines, higher is better); each figure also goes to the closing table.
side_by_side() {
    local title="$1" swift="$2" python="$3" base="${4:-}" name value unit p b
    section "$title"
    printf '%-32s %14s %14s %8s' "figure" "swift-tuf" "python-tuf" "ratio"
    [ -n "$base" ] && printf ' %14s %10s' "libsodium" "vs raw"
    printf '\n'
    while read -r name value unit; do
        p=$(awk -v n="$name" '$1 == n {print $2}' <<<"$python")
        printf '%-32s %10s %-3s %10s %-3s %7.1fx' "$name" "$value" "${unit%%/*}" "${p:-?}" "${unit%%/*}" \
            "$(awk -v a="$value" -v b="${p:-0}" 'BEGIN { print (b > 0 ? a / b : 0) }')"
        if [ -n "$base" ]; then
            b=$(awk -v n="$name" '$1 == n {print $2}' <<<"$base")
            [ -n "$b" ] && printf ' %14s %9.2fx' "$b" "$(awk -v a="$value" -v b="$b" 'BEGIN { print a / b }')"
        fi
        printf '   (%s)\n' "$unit"
        row 1 "$name" "$value $unit" "${p:--} $unit" "$(ratio "${p:-0}" "$value")" "rate, higher is better"
    done <<<"$swift"
}

if wants json; then
    "$PY" Scripts/bench.d/make_bins_targets.py "$work/bins.json" 16384
    bytes=$(wc -c <"$work/bins.json")
    side_by_side "canonical JSON: bins.json delegating to 16384 roles ($bytes bytes)" \
        "$("$BENCH" json "$work/bins.json")" "$("$PY" Scripts/bench.d/python_bench.py json "$work/bins.json")"
fi

if wants crypto; then
    gcc -O2 -o "$work/sodium_baseline" Scripts/bench.d/sodium_baseline.c $(pkg-config --cflags --libs libsodium)
    side_by_side "ed25519 (256-byte message)" "$("$BENCH" ed25519)" \
        "$("$PY" Scripts/bench.d/python_bench.py ed25519)" "$("$work/sodium_baseline")"
fi
