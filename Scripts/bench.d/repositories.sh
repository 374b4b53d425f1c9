# shellcheck shell=bash
# Scripts/bench, sourced: Repositories for the benchmark rows: the cached synthetic index, its working copies, keys, and tuf-repo init + full generate.

have_tsv() {
    [ -r "$PROJECTS_TSV" ] && return 0
    section "$1"
    echo "skipped: no project list at $PROJECTS_TSV (give --projects-tsv PATH)"
    return 1
}

# index_cache SIZE: the cached synthetic index of SIZE projects ("all": every name), made
# once: its folder is named after the size and the hash of the TSV and of make_index.py, and
# it is written under a temporary name and renamed, so an interrupted run leaves no half index.
index_cache() {
    local size="$1" hash dir
    hash=$(cat "$PROJECTS_TSV" Scripts/bench.d/make_index.py | sha256sum | cut -c1-16)
    dir="$CACHE/index-$size-$hash"
    if [ ! -f "$dir/count" ]; then
        progress "making the synthetic index of $(label "$size") projects into $dir (once)"
        rm -rf "$dir.tmp"
        mkdir -p "$CACHE"
        local n=$size
        [ "$size" = all ] && n=100000000
        run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$dir.tmp" --projects "$n"
        cp "$work/last.out" "$dir.tmp/count"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# working_index SIZE DEST: a hard-linked copy of the cached index (make_index.py changes it
# by writing new files, never in place) and the list of its project names in DEST/../names.
working_index() {
    local size="$1" dest="$2" cache
    [ -d "$dest" ] && return 0
    cache=$(index_cache "$size")
    progress "linking a working copy of the index into $dest"
    mkdir -p "$(dirname "$dest")"
    cp -al "$cache" "$dest"
    ls "$dest/simple" | grep -vx index.json >"$(dirname "$dest")/names"
    cp "$dest/count" "$(dirname "$dest")/count"
}

# The throwaway unencrypted keys of every repository in this run.
make_keys() {
    [ -d "$work/keys" ] && return 0
    local role
    for role in root targets bins bin-n snapshot timestamp; do
        run "$REPO_TOOL" keygen --out "$work/keys/$role"
    done
}
K="$work/keys"
ONLINE=(--key "$K/bin-n.pem" --key "$K/snapshot.pem" --key "$K/timestamp.pem")

# make_repository SIZE LAYOUT: $work/SIZE/LAYOUT (hashed or succinct), made by tuf-repo init
# and a full generate from its own working index ($work/SIZE/LAYOUT-index); the generate's
# GNU time figures go to $work/SIZE/LAYOUT.time and the bytes of one full set of metadata
# and targets to $work/SIZE/LAYOUT.bytes.
make_repository() {
    local size="$1" layout="$2" dir="$work/$1"
    [ -d "$dir/$layout" ] && return 0
    make_keys
    working_index "$size" "$dir/$layout-index"
    local flags=()
    [ "$layout" = succinct ] && flags=(--succinct)
    run "$REPO_TOOL" init --repo "$dir/$layout" --bins 16384 "${flags[@]}" \
        --root-key "$K/root.pub.json" --root-threshold 1 --targets-key "$K/targets.pub.json" \
        --bins-key "$K/bins.pub.json" --bin-n-key "$K/bin-n.pub.json" --snapshot-key "$K/snapshot.pub.json" \
        --timestamp-key "$K/timestamp.pub.json" --sign-with "$K/root.pem" --sign-with "$K/targets.pem" \
        --sign-with "$K/bins.pem"
    progress "tuf-repo generate, $(label "$size") projects, $layout bins"
    measured "$dir/$layout.time" "$REPO_TOOL" generate --repo "$dir/$layout" --index "$dir/$layout-index" "${ONLINE[@]}"
    du -scb "$dir/$layout/metadata" "$dir/$layout/targets" | awk 'END {print $1}' >"$dir/$layout.bytes"
}
