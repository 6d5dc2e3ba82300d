#!/bin/sh
# xraytop listen, the live collector, over real loopback UDP: the corpus
# datagrams and a generated workload give the ground-truth map; every kind
# of bad datagram is counted exactly by reason while the good ones all
# count; --forward relays every datagram byte for byte; --record reads
# back as the same map; SIGTERM and SIGINT end a run with the map printed;
# IPv6; eviction at the trace cap keeps the counts.  Every process is
# bounded in time (--duration as a guard, timeouts on the helpers).
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
B=$SHARED_DIR/bench
pids=
trap 'for p in $pids; do kill -9 $p 2> /dev/null; done; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# The UDP helper: senders of corpus and bad datagrams, and a receiver.
cat > "$tmp/udp.py" <<'PY'
import base64, errno, json, socket, sys, time

HDR = b'{"format":"json","version":1}'
TID = "1-65000000-0123456789abcdef01234567"

def doc(i, name="good"):
    return ('{"name":"%s","id":"%016x","trace_id":"%s","start_time":1700000000.5,'
            '"end_time":1700000000.75}' % (name, i, TID)).encode()

# Each bad kind, with the reason xraytop must count it under.
BAD = [
    ("no-header", b'{"name":"a","id":"1111111111111111","trace_id":"' + TID.encode() + b'"}'),
    ("bad-header", b'{"format":"xml","version":1}\n' + doc(1)),
    ("bad-header", b'{"format":"json","version":"1"}\n' + doc(2)),
    ("truncated", HDR + b'\n{"name":"a","id":"1111111111111111","trace_id":"1-6500'),
    ("invalid-json", HDR + b'\n{"name" "a", "id": 3}'),
    ("not-segment", HDR + b'\n[1, 2, 3]'),
    ("no-id", HDR + b'\n{"name":"a","trace_id":"' + TID.encode() + b'","start_time":1,"end_time":2}'),
    ("no-trace-id", HDR + b'\n{"name":"a","id":"1111111111111111","start_time":1,"end_time":2}'),
    ("binary", bytes([0, 0x9f, 0x13, 10, 0xff, 0xfe, 0x7b, 1, 2, 0x1b, 0x5b, 0x32, 0x4a])),
]

def sock(host):
    return socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)

def corpus(path):
    return [json.loads(l)["datagram"].encode("utf-8") for l in open(path, encoding="utf-8") if l.strip()]

def big(n, hdr=HDR):
    head = hdr + b'\n{"name":"big","id":"2222222222222222","trace_id":"' + TID.encode() + \
        b'","start_time":1,"end_time":2,"metadata":{"pad":"'
    tail = b'"}}'
    return head + b"x" * (n - len(head) - len(tail)) + tail

def send_all(host, port, dgs, log=None):
    s = sock(host)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    for i, d in enumerate(dgs):
        s.sendto(d, (host, port))
        if log:
            log.write(base64.b64encode(d).decode() + "\n")
        if i % 50 == 49:
            time.sleep(0.005)   # a moderate rate: no test of the kernel's buffer here

def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "corpus":            # HOST PORT FILE [BIGSIZE]
        dgs = corpus(args[2])
        if len(args) > 3:
            dgs.append(big(int(args[3])))
        send_all(args[0], int(args[1]), dgs)
        print(len(dgs))
    elif mode == "mixed":           # HOST PORT CORPUS SENTLOG EXPECTFILE
        good = corpus(args[2])
        dgs, want = [], {}
        for i, (reason, d) in enumerate(BAD):
            dgs += [good[i], d]
            want[reason] = want.get(reason, 0) + 1
        dgs += good[len(BAD):]
        with open(args[3], "w") as log:
            send_all(args[0], int(args[1]), dgs, log)
        with open(args[4], "w") as f:
            f.write("received %d\nparsed %d\ninvalid %d\n" % (len(dgs), len(good), len(BAD)))
            for reason in ["no-header", "bad-header", "invalid-json", "truncated", "not-segment",
                           "no-id", "no-trace-id", "binary"]:
                f.write("%s %d\n" % (reason, want.get(reason, 0)))
        print(len(dgs))
    elif mode == "oversize":        # try 70,000 bytes over IPv4 and IPv6 loopback
        for host in ("127.0.0.1", "::1"):
            try:
                sock(host).sendto(big(70000), (host, 9))
                print(host, "sent")
            except OSError as e:
                print(host, errno.errorcode.get(e.errno, e.errno))
    elif mode == "recv":            # PORTFILE COUNT OUT SECONDS
        s = sock("127.0.0.1")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind(("127.0.0.1", 0))
        open(args[0] + ".tmp", "w").write(str(s.getsockname()[1]))
        import os
        os.rename(args[0] + ".tmp", args[0])
        s.settimeout(float(args[3]))
        with open(args[2], "w") as out:
            for _ in range(int(args[1])):
                try:
                    d = s.recv(70000)
                except socket.timeout:
                    break
                out.write(base64.b64encode(d).decode() + "\n")
    else:
        sys.exit("unknown mode " + mode)

main()
PY

# start NAME ARGS...: run `xraytop listen ARGS` in the background (output
# in $tmp/NAME.out and .err) and wait for its "listening on" line; sets
# $pid and $port (empty when it did not start).
start() {
	name=$1
	shift
	"$XRAYTOP" listen "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	port=
	i=0
	while [ $i -lt 100 ]; do
		port=$(sed -n 's/^xraytop: listening on .*:\([0-9][0-9]*\) (udp)$/\1/p' "$tmp/$name.err" 2> /dev/null)
		[ -n "$port" ] && break
		kill -0 $pid 2> /dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
}

# finish PID SECONDS: wait for the process to end by itself; sets $st to
# its exit status (124 when it had to be killed).
finish() {
	i=0
	while kill -0 "$1" 2> /dev/null && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2> /dev/null; then
		kill -9 "$1"
		wait "$1"
		st=124
	else
		wait "$1"
		st=$?
	fi
}

# counter NAME FILE: a number from the summary line on stderr.
counter() {
	grep '^xraytop: received ' "$2" | tail -n 1 | sed -n "s/.*[ (]$1 \([0-9][0-9]*\).*/\1/p"
}

# show FILE: its start as TAP diagnostics.
show() {
	head -n 20 "$1" | diag
}

# ---------------------------------------------------------------- (1) the corpus

for sc in python-mesh node-gateway; do
	dg=$C/$sc/datagrams.jsonl
	n=$(grep -c . "$dg")
	start $sc --listen 127.0.0.1:0 --count "$n" --duration 60s --map json
	check "$sc: the listener reports its port" test -n "$port"
	"$PYTHON3" "$tmp/udp.py" corpus 127.0.0.1 "$port" "$dg" > /dev/null
	finish $pid 20
	check "$sc: it stops by itself after $n datagrams, status 0" test "$st" -eq 0
	check "$sc: every datagram parsed" test "$(counter parsed "$tmp/$sc.err")" = "$n"
	check "$sc: the live map equals the ground truth" \
		"$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/$sc/ground-truth.json" "$tmp/$sc.out"
	"$XRAYTOP" map --format json "$dg" > "$tmp/$sc.file.json"
	check "$sc: the live map is the file map" cmp "$tmp/$sc.out" "$tmp/$sc.file.json"
done

# ---------------------------------------------------------------- (1) generated, (4) recording

timeout 120 "$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --format datagrams \
	-o "$tmp/w.dg" --truth "$tmp/w.truth.json" 2> /dev/null
n=$(($(wc -l < "$tmp/w.dg") / 2))
start gen --listen 127.0.0.1:0 --count "$n" --duration 60s --map json -o "$tmp/gen.json" \
	--record "$tmp/gen.rec"
timeout 60 "$PYTHON3" "$B/replay-udp" "$tmp/w.dg" --port "$port" --rate 5000 --duration 50 \
	2> "$tmp/replay.json"
finish $pid 20
check "1k traces at 5,000 datagrams/s: all $n received, status 0" \
	sh -c "[ $st -eq 0 ] && [ \"$(counter received "$tmp/gen.err")\" = $n ]"
check "1k traces: nothing dropped" test "$(counter dropped "$tmp/gen.err")" = 0
check "1k traces: check-truth agrees" "$PYTHON3" "$B/check-truth" "$tmp/w.truth.json" "$tmp/gen.json"
check "1k traces: every datagram recorded" test "$(counter recorded "$tmp/gen.err")" = "$n"
check "the recording has two lines per datagram" test "$(wc -l < "$tmp/gen.rec")" -eq $((n * 2))
"$XRAYTOP" map --format json -o "$tmp/gen.replayed.json" "$tmp/gen.rec"
check "the recording read back with xraytop map gives the live map" \
	cmp "$tmp/gen.replayed.json" "$tmp/gen.json"
check "the recording holds what was sent, datagram for datagram" \
	sh -c "awk 'NR % 2 == 1 { h = \$0; next } { print h \"|\" \$0 }' \"$tmp/w.dg\" | sort > \"$tmp/sent.pairs\";
	       awk 'NR % 2 == 1 { h = \$0; next } { print h \"|\" \$0 }' \"$tmp/gen.rec\" | sort | cmp - \"$tmp/sent.pairs\""

# Eviction: a cap of 50 traces, traces sent one after the other: every
# trace is complete before it is evicted, so the counts are all kept.
timeout 120 "$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --format datagrams --order trace \
	-o "$tmp/wt.dg" 2> /dev/null
start evict --listen 127.0.0.1:0 --count "$n" --duration 60s --map json --max-traces 50
timeout 60 "$PYTHON3" "$B/replay-udp" "$tmp/wt.dg" --port "$port" --rate 5000 --duration 50 2> /dev/null
finish $pid 20
ev=$(counter evicted "$tmp/evict.err")
held=$(counter traces "$tmp/evict.err")
check "--max-traces 50: traces were evicted ($ev), at most 50 held ($held)" \
	sh -c "[ \"$ev\" -ge 950 ] && [ \"$held\" -le 50 ] && [ $st -eq 0 ]"
check "--max-traces 50: the counts of evicted traces stay (check-truth agrees)" \
	"$PYTHON3" "$B/check-truth" "$tmp/w.truth.json" "$tmp/evict.out"

# ---------------------------------------------------------------- (2) bad datagrams, (3) forwarding

rm -f "$tmp/rport"
timeout 60 "$PYTHON3" "$tmp/udp.py" recv "$tmp/rport" 100000 "$tmp/received.b64" 5 &
rpid=$!
pids="$pids $rpid"
i=0
while [ ! -s "$tmp/rport" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
dg=$C/python-mesh/datagrams.jsonl
n=$(($(grep -c . "$dg") + 9))
start bad --listen 127.0.0.1:0 --count "$n" --duration 60s --map json \
	--forward "127.0.0.1:$(cat "$tmp/rport")" --log "$tmp/bad.log" -v
"$PYTHON3" "$tmp/udp.py" mixed 127.0.0.1 "$port" "$dg" "$tmp/sent.b64" "$tmp/want" > /dev/null
finish $pid 20
check "bad datagrams: the listener lives on and ends with status 3" test "$st" -eq 3
while read -r name want; do
	got=$(counter "$name" "$tmp/bad.err")
	if [ "$got" = "$want" ]; then
		ok "bad datagrams: $name $want"
	else
		not_ok "bad datagrams: $name $want"
		echo "got '$got'" | diag
		show "$tmp/bad.err"
	fi
done < "$tmp/want"
check "bad datagrams: nothing oversize" test "$(counter oversize "$tmp/bad.err")" = 0
check "bad datagrams: the good ones all count (the corpus map)" \
	"$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/python-mesh/ground-truth.json" "$tmp/bad.out"
check "bad datagrams: each is logged at debug level" \
	test "$(grep -c ' debug datagram from 127.0.0.1:' "$tmp/bad.log")" -eq 9
check "bad datagrams: the log shows the binary one escaped" \
	grep -qF 'binary: bad header: want {"format":"json","version":1}; starts "\x00\x9f\x13\x0a' "$tmp/bad.log"
check "bad datagrams: no control character reaches the log" \
	sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' \"$tmp/bad.log\""
wait $rpid
check "--forward: every datagram forwarded, no errors" \
	sh -c "[ \"$(counter forwarded "$tmp/bad.err")\" = $n ] && [ \"$(counter forward-errors "$tmp/bad.err")\" = 0 ]"
sort "$tmp/sent.b64" > "$tmp/sent.sorted"
sort "$tmp/received.b64" > "$tmp/received.sorted"
check "--forward: the second listener got every datagram byte for byte ($n)" \
	cmp "$tmp/sent.sorted" "$tmp/received.sorted"

# Forwarding to a port where nothing listens: errors are counted, the
# listener goes on.
start fwdnone --listen 127.0.0.1:0 --count 86 --duration 60s --map json --forward 127.0.0.1:9
"$PYTHON3" "$tmp/udp.py" corpus 127.0.0.1 "$port" "$dg" > /dev/null
finish $pid 20
fw=$(counter forwarded "$tmp/fwdnone.err")
fe=$(counter forward-errors "$tmp/fwdnone.err")
check "--forward to a closed port: errors counted ($fe), every datagram still parsed" \
	sh -c "[ $st -eq 0 ] && [ \"$fe\" -gt 0 ] && [ \$(($fw + $fe)) -eq 86 ] && [ \"$(counter parsed "$tmp/fwdnone.err")\" = 86 ]"

# Oversize: more than 64 KiB cannot reach a UDP socket (IPv4 carries at
# most 65,507 bytes, IPv6 65,527); the kernel refuses to send 70,000.
"$PYTHON3" "$tmp/udp.py" oversize > "$tmp/oversize.txt"
check "a 70,000-byte datagram is refused by IPv4 and IPv6 loopback (EMSGSIZE)" \
	sh -c "grep -qx '127.0.0.1 EMSGSIZE' \"$tmp/oversize.txt\" && grep -qx '::1 EMSGSIZE' \"$tmp/oversize.txt\""

# Datagrams still queued in the socket when the signal comes are read
# before the map is printed: the listener is stopped while 3,000 arrive
# (more than it reads in one turn of its loop), and the signal is waiting
# for it when it goes on.
head -n 6000 "$tmp/w.dg" > "$tmp/w3k.dg"
"$XRAYTOP" map --format json -o "$tmp/w3k.json" "$tmp/w3k.dg"
start queued --listen 127.0.0.1:0 --duration 60s --map json
kill -STOP $pid
timeout 60 "$PYTHON3" "$B/replay-udp" "$tmp/w3k.dg" --port "$port" --rate 0 2> /dev/null
kill -INT $pid
kill -CONT $pid
finish $pid 10
check "SIGINT with 3,000 datagrams queued: ends cleanly (status 0)" test "$st" -eq 0
check "SIGINT with 3,000 datagrams queued: none dropped, every one read" \
	sh -c "[ \"$(counter dropped "$tmp/queued.err")\" = 0 ] && [ \"$(counter received "$tmp/queued.err")\" = 3000 ]"
check "SIGINT with 3,000 datagrams queued: the map is that of the file" cmp "$tmp/queued.out" "$tmp/w3k.json"

# ---------------------------------------------------------------- (5) signals

dg=$C/node-gateway/datagrams.jsonl
for sig in TERM INT; do
	start sig$sig --listen 127.0.0.1:0 --duration 60s --map json
	"$PYTHON3" "$tmp/udp.py" corpus 127.0.0.1 "$port" "$dg" > /dev/null
	sleep 1
	kill -$sig $pid
	finish $pid 10
	check "SIG$sig: the listener ends cleanly (status 0)" test "$st" -eq 0
	check "SIG$sig: the map is printed, every datagram in it" \
		"$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/node-gateway/ground-truth.json" "$tmp/sig$sig.out"
	check "SIG$sig: the summary is printed" test "$(counter parsed "$tmp/sig$sig.err")" = "$(grep -c . "$dg")"
done

# --duration alone ends a run, with an empty map when nothing came.
start quiet --listen 127.0.0.1:0 --duration 300ms --map json
finish $pid 10
check "--duration 300ms: ends by itself with status 0" test "$st" -eq 0
check "--duration: an empty map is still valid JSON" \
	"$PYTHON3" -c 'import json,sys; m = json.load(open(sys.argv[1])); sys.exit(len(m["nodes"]) != 0)' "$tmp/quiet.out"

# ---------------------------------------------------------------- (6) IPv6

if "$PYTHON3" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2> /dev/null; then
	dg=$C/python-mesh/datagrams.jsonl
	n=$(($(grep -c . "$dg") + 1))
	start v6 --listen '[::1]:0' --count "$n" --duration 60s --map json
	check "IPv6: listening on [::1]" grep -q '^xraytop: listening on \[::1\]:[0-9]* (udp)$' "$tmp/v6.err"
	"$PYTHON3" "$tmp/udp.py" corpus ::1 "$port" "$dg" 65527 > /dev/null
	finish $pid 20
	check "IPv6: all $n parsed, the largest IPv6 datagram (65,527 bytes) too" \
		sh -c "[ $st -eq 0 ] && [ \"$(counter parsed "$tmp/v6.err")\" = $n ]"
	"$PYTHON3" -c 'import json,sys; m = json.load(open(sys.argv[1])); m["nodes"] = [x for x in m["nodes"] if x["name"] != "big"]; m["edges"] = [e for e in m["edges"] if e["target"]["name"] != "big"]; json.dump(m, open(sys.argv[2], "w"))' "$tmp/v6.out" "$tmp/v6.rest.json"
	check "IPv6: the map is the corpus map (and the big document)" \
		sh -c "grep -q '\"name\":.*\"big\"' \"$tmp/v6.out\" && \"$PYTHON3\" \"$top_srcdir/tests/cli/corpus_truth.py\" \"$C/python-mesh/ground-truth.json\" \"$tmp/v6.rest.json\""
else
	not_ok "IPv6 loopback is not available on this machine"
fi

# ---------------------------------------------------------------- usage

check_status "--listen with a bad port: status 2" 2 "$XRAYTOP" listen --listen 127.0.0.1:99999 --duration 1s
check "--listen with a bad port: says so" grep -q "port must be a number" "$tmp/check.err"
check_status "--listen ::1:2000 without brackets: status 2" 2 "$XRAYTOP" listen --listen ::1:2000 --duration 1s
check_status "--forward without a port: status 2" 2 "$XRAYTOP" listen --listen 127.0.0.1:0 --forward 127.0.0.1 --duration 1s
check_status "--forward to its own address: status 2" 2 "$XRAYTOP" listen --listen 127.0.0.1:39999 --forward 127.0.0.1:39999 --duration 1s
check "--forward to its own address: says so" grep -q "that is where xraytop listens" "$tmp/check.err"
check_status "--count 0: status 2" 2 "$XRAYTOP" listen --count 0
check_status "--duration nonsense: status 2" 2 "$XRAYTOP" listen --duration soon
check_status "--record into a missing folder: status 2" 2 "$XRAYTOP" listen --listen 127.0.0.1:0 --record /nonexistent/x --duration 1s
start busy --listen 127.0.0.1:0 --duration 10s
check_status "a port already in use: status 2" 2 "$XRAYTOP" listen --listen "127.0.0.1:$port" --duration 1s
check "a port already in use: says so" grep -q "cannot listen on 127.0.0.1:$port" "$tmp/check.err"
kill $pid
finish $pid 10

done_testing
