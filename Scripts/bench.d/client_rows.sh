# shellcheck shell=bash
# Scripts/bench, sourced: The client rows: tuf-verify and python-tuf's ngclient, fresh and warm, hashed bins and succinct.

# client_rows SIZE LAYOUT: tuf-verify and python-tuf's ngclient against the same tuf-repo
# repository over loopback HTTP: fresh (only the root trusted: refresh and one page
# downloaded) and warm (refreshed a moment ago, nothing new); best of 3, whole processes.
client_rows() {
    local size="$1" layout="$2" d="$work/$1" repo="$work/$1/$2" port="" target root server
    make_repository "$size" "$layout"
    progress "clients against the $layout repository, $(label "$size") projects"
    rm -f "$d/server.in"; mkfifo "$d/server.in"
    "$PY" Tests/Interop/serve.py "$repo" --log "$d/requests.tsv" <"$d/server.in" >"$d/server.out" 2>/dev/null &
    server=$!
    PIDS+=("$server")
    exec 9>"$d/server.in"   # the server runs until this closes
    for _ in $(seq 100); do port=$(awk '/^PORT/ {print $2}' "$d/server.out"); [ -n "$port" ] && break; sleep 0.1; done
    [ -n "$port" ] || die "the loopback server for $repo did not start"
    target="simple/$(pick "$size" 7)/index.json"
    root="$repo/metadata/1.root.json"
    local url="http://127.0.0.1:$port"
    swift_fresh() {
        rm -rf "$d/c"
        "$VERIFY" --metadata-dir "$d/c/metadata" init "$root" &&
        "$VERIFY" --metadata-dir "$d/c/metadata" --metadata-url "$url/metadata/" \
            --target-base-url "$url/targets/" --target-dir "$d/c/targets" --target-name "$target" download
    }
    python_fresh() {
        rm -rf "$d/p"
        "$PY" Tests/Interop/ngclient_fetch.py --metadata-url "$url/metadata/" --targets-url "$url/targets/" \
            --trusted-root "$root" --workdir "$d/p" "$target"
    }
    swift_warm() { "$VERIFY" --metadata-dir "$d/c/metadata" --metadata-url "$url/metadata/" refresh; }
    python_warm() {
        "$PY" Tests/Interop/ngclient_fetch.py --metadata-url "$url/metadata/" --targets-url "$url/targets/" \
            --trusted-root "$root" --workdir "$d/p"
    }
    requests() { grep -c '^accepted' "$d/requests.tsv" 2>/dev/null || echo 0; }
    local sf pf sw pw before swr pwr
    sf=$(best3 swift_fresh)
    pf=$(best3 python_fresh)
    before=$(requests); run swift_warm; swr=$(( $(requests) - before ))
    sw=$(best3 swift_warm)
    before=$(requests); run python_warm; pwr=$(( $(requests) - before ))
    pw=$(best3 python_warm)
    exec 9>&-
    wait "$server" 2>/dev/null || true
    local n; n=$(label "$size")
    time_row 70 "client fresh: refresh + one page, $layout ($n)" "$sf" "$pf" "best of 3"
    time_row 71 "client warm refresh, nothing new, $layout ($n)" "$sw" "$pw" "best of 3; requests $swr vs $pwr"
}

if wants client && have_tsv "client"; then
    client_rows "$LARGEST" hashed
    client_rows "$LARGEST" succinct
    read -r w _ _ m <"$work/$LARGEST/succinct.time"
    row 13 "full generate, succinct (TAP 15): wall ($(label "$LARGEST"))" "$(printf '%.3f s' "$w"), $(mib "$m")" "-" "-" \
        "python-tuf's side not measured; hashed bins above"
fi
