# shellcheck shell=bash
# Scripts/bench, sourced: The installer section: pip and uv through tuf-verify serve vs straight at the mirror.

if wants pip; then
    # pip (and uv) installing the same real wheels (Tests/Interop/make_wheel_index.py: demo-app
    # 2.0 and its dependency helper-lib) through tuf-verify serve and straight at the mirror.
    w="$work/pip"
    mkdir -p "$w"
    "$PY" Tests/Interop/make_wheel_index.py "$w/index"
    for role in root targets bins bin-n snapshot timestamp; do
        "$REPO_TOOL" keygen --out "$w/keys/$role" >/dev/null 2>&1   # throwaway, unencrypted
    done
    k="$w/keys"
    "$REPO_TOOL" init --repo "$w/repo" --bins 16 --root-key "$k/root.pub.json" --root-threshold 1 \
        --targets-key "$k/targets.pub.json" --bins-key "$k/bins.pub.json" --bin-n-key "$k/bin-n.pub.json" \
        --snapshot-key "$k/snapshot.pub.json" --timestamp-key "$k/timestamp.pub.json" \
        --sign-with "$k/root.pem" --sign-with "$k/targets.pem" --sign-with "$k/bins.pem" >/dev/null 2>&1
    "$REPO_TOOL" generate --repo "$w/repo" --index "$w/index" --link-files --key "$k/bin-n.pem" --key "$k/snapshot.pem" --key "$k/timestamp.pem" >/dev/null 2>&1
    mkfifo "$w/mirror.in"
    "$PY" Tests/Interop/serve.py "$w" --index-pages <"$w/mirror.in" >"$w/mirror.out" 2>/dev/null &
    mirror=$!
    PIDS+=("$mirror")
    exec 8>"$w/mirror.in"
    for _ in $(seq 50); do mport=$(awk '/^PORT/ {print $2}' "$w/mirror.out"); [ -n "$mport" ] && break; sleep 0.1; done
    "$VERIFY" --metadata-dir "$w/client" init "$w/repo/metadata/1.root.json" >/dev/null
    start_proxy() {
        "$VERIFY" --metadata-dir "$w/client" --metadata-url "http://127.0.0.1:$mport/repo/metadata/" \
            --target-base-url "http://127.0.0.1:$mport/repo/targets/" serve --cache-dir "$w/cache" >"$w/proxy.out" 2>/dev/null &
        proxy=$!
        PIDS+=("$proxy")
        proxy_url=""
        for _ in $(seq 50); do proxy_url=$(awk '/^serving/ {print $2}' "$w/proxy.out" 2>/dev/null); [ -n "$proxy_url" ] && break; sleep 0.1; done
    }
    pip_install() {
        rm -rf "$w/site"
        env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$PY" -m pip install --quiet --no-cache-dir --disable-pip-version-check \
            --target "$w/site" --index-url "$1" demo-app
    }
    uv_install() {
        rm -rf "$w/site"
        UV_NO_CONFIG=1 UV_CACHE_DIR="$w/uv-cache" "$(dirname "$PY")/uv" pip install --quiet --no-cache --python "$PY" \
            --target "$w/site" --index-url "$1" demo-app
    }
    stop_proxy() {
        if [ -n "${proxy:-}" ]; then kill "$proxy" 2>/dev/null || true; wait "$proxy" 2>/dev/null || true; proxy=""; fi
    }
    # cold_best INSTALL: best of 3, each with a new server, an empty cache and only the root
    # trusted (refresh + verify + download). Started here, not in a $(…) subshell.
    cold_best() {
        local b=999 t
        for _ in 1 2 3; do
            stop_proxy
            rm -rf "$w/cache" "$w/client"/timestamp.json "$w/client"/snapshot.json "$w/client"/targets.json "$w/client"/delegated
            start_proxy
            t=$(seconds "$1" "$proxy_url")
            b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (t < a ? t : a) }')
        done
        echo "$b"
    }
    direct="http://127.0.0.1:$mport/index/simple/"
    pip_direct=$(best3 pip_install "$direct")
    uv_direct=$(best3 uv_install "$direct")
    cold_best pip_install >"$w/pip.cold"
    pip_install "$proxy_url" >/dev/null
    pip_warm=$(best3 pip_install "$proxy_url")
    uv_warm=$(best3 uv_install "$proxy_url")
    cold_best uv_install >"$w/uv.cold"
    stop_proxy
    pip_cold=$(cat "$w/pip.cold"); uv_cold=$(cat "$w/uv.cold")
    exec 8>&-
    wait "$mirror" 2>/dev/null || true
    section "installers: pip install demo-app (2 wheels) through tuf-verify serve vs straight at the mirror (best of 3)"
    echo "Whole-process wall times of the installer. cold: a new server, empty cache, only the root"
    echo "trusted (refresh + verify + download); warm: the server running, files verified in its cache."
    printf '%-44s %12s %12s %9s\n' "step" "via serve" "direct" "overhead"
    over() { printf '%-44s %10.3f s %10.3f s %+8.3f s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN { print a - b }')"; }
    over "pip install, cold proxy" "$pip_cold" "$pip_direct"
    over "pip install, warm proxy" "$pip_warm" "$pip_direct"
    over "uv pip install, cold proxy" "$uv_cold" "$uv_direct"
    over "uv pip install, warm proxy" "$uv_warm" "$uv_direct"
fi
