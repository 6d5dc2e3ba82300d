#!/bin/sh
# The configuration file (xraytop-config(5)) as the TUI reads it: [ui]
# settings, [colors], [keys] and [keys VIEW] bindings, groups for a local
# source; its problems listed after start-up; the command line winning.
. "$(dirname "$0")/lib.sh"

cat > "$tmp/config" <<'END'
[ui]
theme = light
time = local

[colors]
fault = blue default bold
cursor = nocolor default

[keys]
Q = quit-now

[keys traces]
x = sort-next
<F2> = launch-rockets

[group slow]
filter = responsetime > 0.5

[group checkout]
filter = service("checkout-api")
END
run() {
	name=$1
	shift
	cat > "$tmp/$name.script"
	env -u NO_COLOR XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/$name.script" LINES=30 COLUMNS=100 \
	    TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$tmp" XRAYTOP_CONFIG="$tmp/config" XRAYTOP_NOW=$UI_NOW \
	    timeout 60 "$XRAYTOP" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	echo $? > "$tmp/$name.rc"
}

run cfg --demo <<END
:dump-screen $tmp/start.screen
:theme
:dump-screen $tmp/theme.screen
:errors
:dump-screen $tmp/errors.screen
<Esc>
3
:dump-screen $tmp/groups.screen
j
<Enter>
2
:dump-screen $tmp/slow.screen
x
:dump-screen $tmp/sorted.screen
?
:dump-screen $tmp/help.screen
<Esc>
:group checkout
:dump-screen $tmp/checkout.screen
Q
:dump-screen $tmp/not-reached.screen
END
tui_ok "runs with a configuration file" cfg
has "its problems are announced" start.screen "2 problems in the configuration (:errors lists them)"
has "[ui] theme" theme.screen "theme: light"
has "[ui] time = local" theme.screen "  local"
has ":errors: an unknown action, with its line" errors.screen "config:14: unknown action 'launch-rockets'"
has ":errors: a bad colour, with its line" errors.screen "config:7: unknown colour 'nocolor'"
has "the file's groups are listed" groups.screen "slow                     responsetime > 0.5"
# Traces slower than 0.5 s, counted from the demo's root segments.
slow=$("$PYTHON3" - "$DEMO" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "format" in d or "parent_id" in d or d.get("type") == "subsegment": continue
    if d["end_time"] - d["start_time"] > 0.5: n += 1
print(n)
PY
)
has "a group narrows the list to its filter" slow.screen "$slow traces  sorted by RESPONSE"
has "... the status bar names it" slow.screen "group slow"
has "[keys traces] x = sort-next" sorted.screen "sorted by DURATION"
has "the help lists the user's keys" help.screen "Yours (configuration file)"
has ":group NAME" checkout.screen "group checkout"
if [ -f "$tmp/not-reached.screen" ]; then not_ok "[keys] Q = quit-now quits"; else ok "[keys] Q = quit-now quits"; fi

run cli --demo --theme mono --utc <<END
:theme
:dump-screen $tmp/cli.screen
END
has "the command line wins over the file" cli.screen "theme: mono"
has "... for the time zone too" cli.screen "  UTC"

printf '[ui]\nmouse = maybe\n' > "$tmp/config"
run badui --demo <<END
:errors
:dump-screen $tmp/badui.screen
END
has "a bad [ui] value is named" badui.screen "mouse = maybe: on or off"

done_testing
