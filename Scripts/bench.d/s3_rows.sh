# shellcheck shell=bash
# Scripts/bench, sourced: The s3 rows (issue 20): a full build and one upload published to a
# bucket of a real seaweedfs on loopback, beside the same to the local folder, and beside
# copying the finished folder with botocore the way `aws s3 sync` does.

# start_seaweedfs: `weed server` on free loopback ports (S3 API with one identity and an
# anonymous reader), its pid in PIDS; sets S3_ENDPOINT and the AWS_* variables.
start_seaweedfs() {
    local d="$work/seaweedfs" ports
    mkdir -p "$d/data"
    read -r -a ports <<<"$("$PY" -c '
import socket
socks = [socket.socket() for _ in range(8)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')"
    export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY="bench-$RANDOM$RANDOM" AWS_REGION=us-east-1
    printf '{"identities": [{"name": "bench", "actions": ["Admin", "Read", "Write", "List"], "credentials": [{"accessKey": "%s", "secretKey": "%s"}]}, {"name": "anonymous", "actions": ["Read"]}]}' \
        "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$d/s3.json"
    "$TUF_VENV/bin/weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$d/data" \
        -master.port="${ports[0]}" -master.port.grpc="${ports[1]}" -master.volumeSizeLimitMB=64 \
        -volume.port="${ports[2]}" -volume.port.grpc="${ports[3]}" -volume.max=64 -volume.preStopSeconds=0 \
        -filer -filer.port="${ports[4]}" -filer.port.grpc="${ports[5]}" -filer.localSocket="$d/filer.sock" \
        -s3 -s3.port="${ports[6]}" -s3.port.grpc="${ports[7]}" -s3.localSocket="$d/s3.sock" \
        -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$d/s3.json" >"$d/server.log" 2>&1 </dev/null &
    PIDS+=($!)
    S3_GRPC_PORTS=("${ports[1]}" "${ports[3]}" "${ports[5]}" "${ports[7]}")
    S3_ENDPOINT="http://127.0.0.1:${ports[6]}"
    local _
    for _ in $(seq 600); do
        "$PY" -c "import boto3; boto3.client('s3', endpoint_url='$S3_ENDPOINT').create_bucket(Bucket='bench')" 2>/dev/null && return 0
        sleep 0.2
    done
    die "seaweedfs did not open its S3 API: $(tail -5 "$d/server.log")"
}

s3_rows() {
    local size="$LARGEST" dir="$work/$LARGEST" s3dir="$work/$LARGEST/s3" local_full bucket_full synced objects name one local_one
    have_tsv "s3" || return 0
    make_repository "$size" hashed
    progress "seaweedfs on loopback"
    start_seaweedfs
    make_keys
    working_index "$size" "$s3dir-index"
    run "$REPO_TOOL" init --repo "$s3dir" --bins 16384 --publish s3://bench/repo --s3-endpoint "$S3_ENDPOINT" \
        --root-key "$K/root.pub.json" --root-threshold 1 --targets-key "$K/targets.pub.json" \
        --bins-key "$K/bins.pub.json" --bin-n-key "$K/bin-n.pub.json" --snapshot-key "$K/snapshot.pub.json" \
        --timestamp-key "$K/timestamp.pub.json" --sign-with "$K/root.pem" --sign-with "$K/targets.pem" \
        --sign-with "$K/bins.pem"
    progress "tuf-repo generate to the bucket, $(label "$size") projects"
    bucket_full=$(seconds "$REPO_TOOL" generate --repo "$s3dir" --index "$s3dir-index" "${ONLINE[@]}")
    local_full=$(awk '{print $1}' "$dir/hashed.time")
    progress "botocore: the finished folder copied like aws s3 sync"
    local t0 t1
    t0=$(date +%s.%N)
    run "$PY" Scripts/bench.d/s3_sync.py "$S3_ENDPOINT" bench synced "$dir/hashed"
    t1=$(date +%s.%N)
    objects=$(cat "$work/last.out")
    synced=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    row 90 "s3: full generate published to the bucket ($(label "$size"))" "$(printf '%.3f s' "$bucket_full")" \
        "$(printf '%.3f s' "$synced")" "$(ratio "$bucket_full" "$synced")" \
        "python-tuf column: botocore copying the finished folder ($objects objects, no TUF order); tuf-repo to the local folder: $(printf '%.3f s' "$local_full")"
    # One upload: the same project changed in both repositories' indexes.
    name=$(pick "$size" 7)
    echo "$name" >"$work/s3-one"
    run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$s3dir-index" --touch "$name"
    one=$(seconds "$REPO_TOOL" generate --repo "$s3dir" --index "$s3dir-index" "${ONLINE[@]}" --project "$name")
    run "$PY" Scripts/bench.d/make_index.py "$PROJECTS_TSV" "$dir/hashed-index" --touch "$name"
    local_one=$(seconds "$REPO_TOOL" generate --repo "$dir/hashed" --index "$dir/hashed-index" "${ONLINE[@]}" --project "$name")
    row 91 "s3: one upload published to the bucket ($(label "$size"))" "$(printf '%.3f s' "$one")" "-" "-" \
        "tuf-repo to the local folder: $(printf '%.3f s' "$local_one")"
    local p
    for p in "${S3_GRPC_PORTS[@]}"; do rm -f /tmp/seaweedfs-*-grpc-"$p".sock; done
}

if wants s3; then
    s3_rows
fi
