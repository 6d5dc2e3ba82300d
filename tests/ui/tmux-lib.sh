# tmux-lib.sh - the real binary in a real terminal (sourced).
#
# Each test runs xraytop in a private tmux server (-L xraytop$$, no config)
# of a fixed size, types with send-keys and reads the screen back with
# capture-pane.  Nothing sleeps blindly: wait_for polls the pane until the
# text shows up, or fails after a timeout.
. "$(dirname "$0")/../cli/lib.sh"

# tmux is required (bootstrap.sh installs it): a missing one is an error.
if ! command -v tmux > /dev/null 2>&1; then
	echo "Bail out! tmux not found (Debian: apt-get install tmux)"
	exit 99
fi
TMUX_SOCK=xraytop$$
TMUX_RUN=0
DEMO=$top_srcdir/demo/demo.jsonl
unset TMUX
trap 'tmux -L "$TMUX_SOCK" kill-server > /dev/null 2>&1; rm -rf "$tmp"' EXIT

tm() {
	tmux -L "$TMUX_SOCK" "$@"
}

# start COLS LINES COMMAND...: a new session running COMMAND with a sealed
# environment; when it ends the shell around it prints "EXIT=STATUS" and
# the terminal's modes (stty), so the tests see what was left behind.
start() {
	cols=$1
	lines=$2
	shift 2
	# A fresh server each time: no race with the last one shutting down.
	tm kill-server > /dev/null 2>&1
	TMUX_RUN=$((TMUX_RUN + 1))
	TMUX_SOCK=xraytop$$-$TMUX_RUN
	printf '%s\n' "$*" > "$tmp/cmd"
	cat > "$tmp/run.sh" <<SH
#!/bin/sh
export TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$tmp XRAYTOP_CONFIG=/dev/null
. "$tmp/cmd"
echo "EXIT=\$?"
modes=" \$(stty -a | tr '\\n;' '  ') "
printf 'MODES'
for m in icanon isig echo; do
	case "\$modes" in *" -\$m "*) printf ' -%s' \$m ;; *) printf ' %s' \$m ;; esac
done
echo
sleep 600
SH
	tm -f /dev/null new-session -d -s t -x "$cols" -y "$lines" "sh $tmp/run.sh"
	tm set-option -g set-clipboard on > /dev/null
}

# The screen as text (-e: with colours and attributes as SGR sequences).
capture() {
	tm capture-pane -p -t t "$@" 2> /dev/null
}

# wait_for TEXT [SECONDS]: poll the pane until TEXT shows; 0 when it did.
wait_for() {
	n=0
	limit=$(( ${2:-10} * 20 ))
	while [ "$n" -lt "$limit" ]; do
		if capture | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		n=$((n + 1))
	done
	return 1
}

# wait_gone TEXT [SECONDS]: poll until TEXT is no longer on the pane.
wait_gone() {
	n=0
	limit=$(( ${2:-10} * 20 ))
	while [ "$n" -lt "$limit" ]; do
		if ! capture | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		n=$((n + 1))
	done
	return 1
}

# wait_exit [SECONDS]: until the program ended; prints its exit status.
wait_exit() {
	if wait_for "EXIT=" "${1:-10}"; then
		capture | sed -n 's/.*EXIT=\([0-9]*\).*/\1/p' | head -n 1
	else
		echo timeout
	fi
}

# restored DESC: after the program, the terminal is back in cooked mode.
restored() {
	if wait_for "MODES" 5 && capture | grep -q "MODES icanon isig echo"; then
		ok "$1"
	else
		not_ok "$1"
		capture | tail -n 5 | diag
	fi
}

keys() {
	tm send-keys -t t "$@"
}

# The byte of value N (32 to 255) for an X10 mouse report.
byte() {
	printf "\\$(printf %o "$1")"
}

# mouse BUTTON COL ROW: an X10 mouse report (what xterm sends, and what
# the terminal type tmux gives its panes asks for): 0 press, 3 release,
# 64/65 wheel up/down; COL and ROW from 0.
mouse() {
	tm send-keys -t t -l "$(printf '\033[M')$(byte $((32 + $1)))$(byte $((33 + $2)))$(byte $((33 + $3)))"
}

# click COL ROW: a press and a release.
click() {
	mouse 0 "$1" "$2"
	mouse 3 "$1" "$2"
}

# see DESC TEXT: TEXT shows up on the pane.
see() {
	if wait_for "$2" "${3:-10}"; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "waited for: $2"; capture; } | diag
	fi
}

# gone DESC TEXT: TEXT leaves the pane.
gone() {
	if wait_gone "$2" "${3:-10}"; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "still there: $2"; capture; } | diag
	fi
}
