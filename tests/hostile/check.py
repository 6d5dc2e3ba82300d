#!/usr/bin/env python3
"""check.py - what xraytop wrote from the hostile corpus, checked.

  check.py text [--tab] FILE...        terminal-safe text: valid UTF-8; no C0
                                       control but newline (and tab with --tab),
                                       no DEL, no C1, no bidi or invisible
                                       character (so no ESC sequence at all)
  check.py screen COLS LINES FILE...   text, and no line wider than COLS
                                       columns (wcswidth), at most LINES lines
  check.py json FILE...                JSON that parses strictly and is
                                       terminal-safe as text (tabs allowed)
  check.py jsonl FILE...               the same, one JSON value per line
  check.py map-json FILE MANIFEST graph|segments
                                       the map's nodes are exactly those of the
                                       corpus, each name as the data had it
  check.py traces-json FILE MANIFEST   every trace's fields as the data had them
  check.py raw FILE MANIFEST KEY       trace --format raw of the trace KEY: its
                                       documents, with the data's strings
  check.py aws-json FILE MANIFEST groups|rules
  check.py svg FILE MAPJSON            well-formed, only Graphviz's SVG elements,
                                       no event handler or script URL, every
                                       node's name as a text element (sanitized)
  check.py dot FILE MAPJSON            DOT that Graphviz reads back with exactly
                                       the map's nodes (names sanitized as
                                       graph.c documents) and edges

Each prints what is wrong and exits 1, or exits 0.  Standard library only
(and Graphviz's dot, $DOT, for the dot check).
"""
import ctypes
import json
import locale
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

problems = []


def bad(msg):
    problems.append(msg)


def unsafe(c):
    """The characters text_sanitize replaces (src/text.c, unsafe())."""
    o = ord(c)
    return (o < 0x20 or o == 0x7f or 0x80 <= o <= 0x9f or o == 0x61c or o == 0x180e or
            0x200b <= o <= 0x200f or 0x2028 <= o <= 0x202e or 0x2060 <= o <= 0x206f or
            o == 0xfeff or 0xfff9 <= o <= 0xfffb or 0xe0000 <= o <= 0xe007f)


def sanitize(s):
    """text_sanitize of the bytes a JSON string came from: each invalid byte
    (U+FFFD in xraytop's JSON) and each unsafe character as '?'."""
    return "".join("?" if c == "\ufffd" or unsafe(c) else c for c in s)


def check_text(name, data, tab=False):
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad("%s: not UTF-8: %s" % (name, e))
        s = data.decode("utf-8", "replace")
    for i, c in enumerate(s):
        if c == "\n" or (tab and c == "\t"):
            continue
        if unsafe(c):
            line = s.count("\n", 0, i) + 1
            bad("%s:%d: U+%04X at character %d: %r" % (name, line, ord(c), i, s[max(0, i - 20):i + 20]))
            return s
    return s


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load_json(path):
    s = check_text(path, read(path), tab=True)
    try:
        return json.loads(s)
    except ValueError as e:
        bad("%s: not JSON: %s" % (path, e))
        return None


def eq(what, got, want):
    if got != want:
        bad("%s: got %s, want %s" % (what, ascii(got)[:300], ascii(want)[:300]))


def cmd_text(args):
    tab = args[:1] == ["--tab"]
    for p in args[1:] if tab else args:
        check_text(p, read(p), tab)


def cmd_screen(args):
    cols, nlines = int(args[0]), int(args[1])
    locale.setlocale(locale.LC_ALL, "C.UTF-8")
    libc = ctypes.CDLL(None)
    libc.wcswidth.restype = ctypes.c_int
    for p in args[2:]:
        s = check_text(p, read(p))
        lines = s.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) > nlines:
            bad("%s: %d lines on a screen of %d" % (p, len(lines), nlines))
        for i, l in enumerate(lines):
            w = libc.wcswidth(ctypes.c_wchar_p(l), len(l))
            if w < 0 or w > cols:
                bad("%s:%d: %d columns on a screen of %d: %s" % (p, i + 1, w, cols, ascii(l)[:200]))


def cmd_json(args):
    for p in args:
        load_json(p)


def cmd_jsonl(args):
    for p in args:
        s = check_text(p, read(p))
        for i, l in enumerate(s.splitlines()):
            try:
                json.loads(l)
            except ValueError as e:
                bad("%s:%d: not JSON: %s" % (p, i + 1, e))


def cmd_map_json(args):
    m, man, kind = load_json(args[0]), json.load(open(args[1])), args[2]
    if m is None:
        return
    names = sorted(n["name"] for n in m["nodes"])
    if kind == "graph":
        want = sorted(man["graph_nodes"])
    else:
        want = sorted([t["root"] for t in man["traces"]] + [t["down"] for t in man["traces"]] +
                      ["client", "hostile-ids", man["nul"]["name"]] +
                      (["good-one"] if kind == "segments+bad" else []))
    eq(args[0] + ": node names", names, want)
    if kind != "graph":
        edges = {(e["source"]["name"], e["target"]["name"]) for e in m["edges"]}
        for t in man["traces"]:
            if (t["root"], t["down"]) not in edges:
                bad("%s: no edge %s -> %s" % (args[0], ascii(t["root"])[:80], ascii(t["down"])[:80]))


def cmd_traces_json(args):
    ts, man = load_json(args[0]), json.load(open(args[1]))
    if ts is None:
        return
    by_id = {t["id"]: t for t in ts}
    for t in man["traces"]:
        p, w = man["payloads"][t["key"]], t["want"]
        got = by_id.get(t["id"])
        if got is None:
            bad("%s: no trace %s" % (args[0], t["id"]))
            continue
        for k in ("url", "method", "user", "user_agent", "client_ip"):
            eq("%s: %s %s" % (args[0], t["key"], k), got[k], w[k])
        eq("%s: %s root" % (args[0], t["key"]), got["root"], {"name": t["root"], "type": w["type"]})
        for k, v in w["annotations"].items():
            eq("%s: %s annotation" % (args[0], t["key"]), got["annotations"].get(k), v)
    hid = by_id.get(man["hostile_id"])
    if hid is None:
        bad("%s: the trace with a hostile id is missing" % args[0])
    nul = by_id.get(man["nul"]["id"])
    if nul is None:
        bad("%s: the trace with NUL is missing" % args[0])
    else:
        eq(args[0] + ": a string is cut at NUL", nul["user"], man["nul"]["name"])


def cmd_raw(args):
    path, man, key = args[0], json.load(open(args[1])), args[2]
    s = check_text(path, read(path))
    docs = []
    for i, l in enumerate(s.splitlines()):
        try:
            docs.append(json.loads(l))
        except ValueError as e:
            bad("%s:%d: not JSON: %s" % (path, i + 1, e))
    t = [x for x in man["traces"] if x["key"] == key][0]
    p = man["payloads"][key]
    eq(path + ": documents", len(docs), t["segments"])
    root = [d for d in docs if d.get("parent_id") is None]
    if len(root) != 1:
        bad("%s: %d root documents" % (path, len(root)))
        return
    r = root[0]
    eq(path + ": name", r["name"], t["root"])
    eq(path + ": user", r["user"], p)
    eq(path + ": url", r["http"]["request"]["url"], "http://h/" + p)
    eq(path + ": exception", r["cause"]["exceptions"][0]["message"], p)
    eq(path + ": metadata", r["metadata"]["default"][p], p)
    eq(path + ": sql", r["sql"]["sanitized_query"], "SELECT '" + p + "' FROM t")


def cmd_aws_json(args):
    j, man, kind = load_json(args[0]), json.load(open(args[1])), args[2]
    if j is None:
        return
    if kind == "groups":
        eq(args[0] + ": group names", sorted(g["name"] for g in j["groups"]), sorted(man["groups"]))
    else:
        eq(args[0] + ": rule names", sorted(r["name"] for r in j["rules"]), sorted(man["rules"]))


# Elements Graphviz's SVG renderer writes for our graphs (no <a>, <image>:
# xraytop sets no URL nor image attribute).
SVG_ELEMENTS = {"svg", "g", "title", "text", "path", "polygon", "polyline", "ellipse", "defs",
                "linearGradient", "radialGradient", "stop"}


def cmd_svg(args):
    path, m = args[0], json.load(open(args[1]))
    check_text(path, read(path))
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        bad("%s: not well-formed XML: %s" % (path, e))
        return
    texts = set()
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        ns = el.tag[1:].split("}")[0] if el.tag.startswith("{") else ""
        if ns != "http://www.w3.org/2000/svg" or tag not in SVG_ELEMENTS:
            bad("%s: element %s" % (path, el.tag))
        for k, v in el.attrib.items():
            if k.split("}")[-1].lower().startswith("on"):
                bad("%s: attribute %s=%r on %s" % (path, k, v[:60], tag))
            if "href" in k and v.strip().lower().startswith("javascript:"):
                bad("%s: %s=%r" % (path, k, v[:60]))
        if tag == "text" and el.text is not None:
            texts.add(el.text)
    for n in m["nodes"]:
        if sanitize(n["name"]) not in texts:
            bad("%s: no text element holds the node %s" % (path, ascii(sanitize(n["name"]))[:100]))


def dot_id(name):
    """A node's DOT id (graph.c, buf_data): sanitized, '\\' doubled, '&' as &amp;."""
    return sanitize(name).replace("\\", "\\\\").replace("&", "&amp;")


def cmd_dot(args):
    path, m = args[0], json.load(open(args[1]))
    check_text(path, read(path), tab=True)
    dot = os.environ.get("DOT") or "dot"
    for fmt in ("canon", "json"):
        r = subprocess.run([dot, "-T" + fmt, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0 or r.stderr:
            bad("%s: dot -T%s: status %d: %s" % (path, fmt, r.returncode, r.stderr[:300]))
            return
    g = json.loads(r.stdout)
    names = sorted(o["name"] for o in g.get("objects", []))
    eq(path + ": node ids", names, sorted(dot_id(n["name"]) for n in m["nodes"]))
    eq(path + ": edges", len(g.get("edges", [])), len(m["edges"]))


def main():
    cmds = {"text": cmd_text, "screen": cmd_screen, "json": cmd_json, "jsonl": cmd_jsonl,
            "map-json": cmd_map_json, "traces-json": cmd_traces_json, "raw": cmd_raw,
            "aws-json": cmd_aws_json, "svg": cmd_svg, "dot": cmd_dot}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    cmds[sys.argv[1]](sys.argv[2:])
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print("... and %d more" % (len(problems) - 20))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
