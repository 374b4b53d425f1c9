# shellcheck shell=bash
# Scripts/bench, sourced: The repository rows: full generate, uploads, rescans, burst, timestamp, cron, and storage.

# pick SIZE LINE: the project on that line of SIZE's name list (made before any change).
pick() { sed -n "$2p" "$work/$1/names"; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; }
# The number of changed projects of the burst and storage rows, from line 20 of the names
# (the rows before use lines 5 to 17).
burst_names() {
    local n; n=$(wc -l <"$work/$1/names")
    sed -n "20,$((19 + $(min "${BURST:-1000}" $((n - 20)))))p" "$work/$1/names" >"$2"
}

# change_rows ORDER TITLE KIND FIRST MODE: three projects from line FIRST of the names, each
# changed by make_index.py --KIND (touch, yank, remove), then published by each side; the
# best of the three. MODE upload: tuf-repo generate --project vs python-tuf's incremental
# update told the project; MODE rescan: both find the change themselves.
change_rows() {
    local order="$1" title="$2" kind="$3" first="$4" mode="$5" bs=999999 bp=999999 i name ns np
    for i in 0 1 2; do
        name=$(pick "$size" $((first + i)))
        echo "$name" >"$d/one"
        run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$idx" "--$kind" "$name"
        if [ "$mode" = upload ]; then
            bs=$(min "$bs" "$(seconds "$REPO_TOOL" generate --repo "$repo" --index "$idx" "${ONLINE[@]}" --project "$name")")
            ns=$(bins_signed)
            bp=$(min "$bp" "$(seconds "${PYGEN[@]}" update "$idx" "$py" --projects-from "$d/one")")
        else
            bs=$(min "$bs" "$(seconds "$REPO_TOOL" generate --repo "$repo" --index "$idx" "${ONLINE[@]}")")
            ns=$(bins_signed)
            bp=$(min "$bp" "$(seconds "${PYGEN[@]}" rescan "$idx" "$py")")
        fi
        np=$(bins_signed)
    done
    time_row "$order" "$title ($(label "$size"))" "$bs" "$bp" "best of 3; bins signed $ns vs $np"
}

# bins_signed: how many bins the last run's output says it signed (summed over a publish's batches) (0 when it published nothing),
# so that each row shows both sides did the same work.
bins_signed() {
    awk '{ for (i = 2; i < NF; i++) if ($i == "bins" && $(i + 1) ~ /^signed/) { v = $(i - 1); gsub(/[^0-9]/, "", v); n += v } }
         END { print n + 0 }' "$work/last.out"
}

# cron_row ORDER TITLE OFFSET: tuf-repo generate with its clock OFFSET seconds ahead (the
# bins due then are renewed, staggered); python-tuf rescans and re-signs the same bins.
cron_row() {
    local order="$1" title="$2" offset="$3" s p
    cp "$("$PY" Scripts/bench.d/changed_bins.py current "$repo")" "$d/before.json"
    s=$(seconds at "$offset" "$REPO_TOOL" generate --repo "$repo" --index "$idx" "${ONLINE[@]}")
    "$PY" Scripts/bench.d/changed_bins.py diff "$d/before.json" "$("$PY" Scripts/bench.d/changed_bins.py current "$repo")" >"$d/resign"
    p=$(seconds "${PYGEN[@]}" rescan "$idx" "$py" --resign-from "$d/resign")
    time_row "$order" "$title ($(label "$size"))" "$s" "$p" "$(wc -l <"$d/resign") bins re-signed by each"
}

# burst_row ORDER: the burst's projects changed, queued with one tuf-repo enqueue and
# drained by one publish (end to end: enqueue start to the last one published), against
# python-tuf's incremental update of the same projects (it has no queue).
burst_row() {
    local t0 t1 s p count ns
    burst_names "$size" "$d/burst"
    count=$(wc -l <"$d/burst")
    run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$idx" --touch-from "$d/burst"
    t0=$(date +%s.%N)
    run "$REPO_TOOL" enqueue --repo "$repo" --from "$d/burst"
    run "$REPO_TOOL" publish --repo "$repo" --index "$idx" "${ONLINE[@]}"
    t1=$(date +%s.%N)
    ns=$(bins_signed)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    p=$(seconds "${PYGEN[@]}" update "$idx" "$py" --projects-from "$d/burst")
    time_row "$1" "burst: $count projects, enqueue to published ($(label "$size"))" "$s" "$p" \
        "$(awk -v n="$count" -v s="$s" -v p="$p" -v ns="$ns" -v np="$(bins_signed)" 'BEGIN { printf "%.0f vs %.0f changes/s; max latency %.3f s (goal 2 s); bins signed %d vs %d", n / s, n / p, s, ns, np }')"
}

# make_python_repository SIZE: python-tuf's full generate at $work/SIZE/python from the index
# of the hashed repository, before any row changes it; GNU time figures in python.time, the
# bytes of one full set (its metadata and targets, not its keys) in python.bytes.
make_python_repository() {
    local d="$work/$1"
    [ -d "$d/python" ] && return 0
    progress "python-tuf full generate, $(label "$1") projects"
    measured "$d/python.time" "${PYGEN[@]}" full "$d/hashed-index" "$d/python" --bins 16384
    python_bytes "$d/python" >"$d/python.bytes"
}
python_bytes() { du -sb --exclude=.bench-keys "$1" | cut -f1; }

# generate_rows SIZE: every repository-side row at one size.
generate_rows() {
    local size="$1" d="$work/$1" idx="$work/$1/hashed-index" repo="$work/$1/hashed" py="$work/$1/python"
    local sw su ss sm pw pu ps pm n s p ns
    make_repository "$size" hashed
    make_python_repository "$size"
    read -r sw su ss sm <"$d/hashed.time"
    read -r pw pu ps pm <"$d/python.time"
    n=$(label "$size")
    time_row 10 "full generate: wall ($n)" "$sw" "$pw"
    time_row 11 "full generate: CPU, user+sys ($n)" "$(awk -v a="$su" -v b="$ss" 'BEGIN { print a + b }')" \
        "$(awk -v a="$pu" -v b="$ps" 'BEGIN { print a + b }')"
    row 12 "full generate: peak memory, max RSS ($n)" "$(mib "$sm")" "$(mib "$pm")" "$(ratio "$sm" "$pm")" ""
    progress "per-project rows, $n projects"
    change_rows 20 "one upload" touch 9 upload
    change_rows 21 "one yank" yank 12 upload
    change_rows 22 "one removed project" remove 15 upload
    change_rows 30 "rescan finding one change" touch 5 rescan
    s=$(best3 "$REPO_TOOL" generate --repo "$repo" --index "$idx" "${ONLINE[@]}")
    ns=$(bins_signed)
    p=$(best3 "${PYGEN[@]}" rescan "$idx" "$py")
    time_row 31 "unchanged index: rescan, publishes nothing ($n)" "$s" "$p" "best of 3; bins signed $ns vs $(bins_signed)"
    time_row 32 "timestamp refresh ($n)" "$(best3 "$REPO_TOOL" timestamp --repo "$repo" --key "$K/timestamp.pem")" \
        "$(best3 "${PYGEN[@]}" timestamp "$py")" "best of 3"
    time_row 33 "bare process start, the floor ($n)" "$(best3 "$REPO_TOOL" timestamp --help)" "$(best3 "${PYGEN[@]}" floor)" \
        "tuf-repo timestamp --help vs python-tuf's imports"
    progress "burst, $n projects"
    burst_row 40
    progress "daily refresh and a staggered cron cycle, $n projects"
    cron_row 50 "daily refresh, a day later" 86400
    cron_row 51 "staggered cron cycle, 5 min after it" 86700
}

if wants generate && have_tsv "generate"; then
    for size in "${SIZES[@]}"; do generate_rows "$size"; done
fi

# storage_row SIZE: with retention on (init's default, 1h), the burst's uploads spread over
# 24 simulated hours in STORAGE_STEPS publications (default 96, every 15 min), starting two
# days on (after the cron rows); then the bytes of metadata/ and targets/ against one full set.
# python-tuf makes the same uploads and re-signs the bins tuf-repo renewed in each step.
storage_row() {
    local size="$1" d="$work/$1" idx="$work/$1/hashed-index" repo="$work/$1/hashed" py="$work/$1/python"
    local steps="${STORAGE_STEPS:-96}" i chunk full after count pfull pafter
    make_repository "$size" hashed
    make_python_repository "$size"
    progress "storage: a simulated day of uploads, $(label "$size") projects"
    burst_names "$size" "$d/storage"
    count=$(wc -l <"$d/storage")
    rm -rf "$d/chunks"; mkdir "$d/chunks"
    split -n "r/$steps" -d -a 4 "$d/storage" "$d/chunks/"
    i=0
    for chunk in "$d/chunks/"*; do
        if [ -s "$chunk" ]; then
            run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$idx" --touch-from "$chunk"
            run at $((2 * 86400 + i * 86400 / steps)) "$REPO_TOOL" enqueue --repo "$repo" --from "$chunk"
            cp "$("$PY" Scripts/bench.d/changed_bins.py current "$repo")" "$d/before.json"
            run at $((2 * 86400 + i * 86400 / steps)) "$REPO_TOOL" publish --repo "$repo" --index "$idx" "${ONLINE[@]}"
            "$PY" Scripts/bench.d/changed_bins.py diff "$d/before.json" "$("$PY" Scripts/bench.d/changed_bins.py current "$repo")" >"$d/resign"
            run "${PYGEN[@]}" update "$idx" "$py" --projects-from "$chunk" --resign-from "$d/resign"
        fi
        i=$((i + 1))
    done
    full=$(cat "$d/hashed.bytes")
    after=$(du -scb "$repo/metadata" "$repo/targets" | awk 'END {print $1}')
    pfull=$(cat "$d/python.bytes")
    pafter=$(python_bytes "$py")
    mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
    row 60 "storage: one full set of metadata + targets ($(label "$size"))" "$(mb "$full")" "$(mb "$pfull")" "$(ratio "$full" "$pfull")" ""
    row 61 "storage: after a day of uploads, retention on ($(label "$size"))" "$(mb "$after")" "$(mb "$pafter")" "$(ratio "$after" "$pafter")" \
        "$(awk -v a="$after" -v f="$full" -v p="$pafter" -v pf="$pfull" -v n="$count" -v s="$steps" 'BEGIN { printf "%.2fx vs %.2fx a full set (goal 2x); %d uploads in %d publications; tuf-repo retention 1h, python-tuf keeps all", a / f, p / pf, n, s }')"
}

if wants storage && have_tsv "storage"; then
    storage_row "$LARGEST"
fi
