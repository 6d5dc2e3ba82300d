/* test-uilogic.c - the parts of the TUI that need no terminal: line
 * editing and history, the scrolling list, key tables and key names. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/prompt.h"
#include "xraytop/ui.h"
#include "xraytop/view.h"

#include "tap.h"

static void
type(struct prompt *p, const char *s)
{
	const char *q = s;

	while (*q != '\0')
		prompt_key(p, ui_key_parse(&q));
}

static void
test_editing(void)
{
	struct prompt p;

	prompt_start(&p, ":", NULL, NULL);
	type(&p, "abc");
	prompt_key(&p, UK_LEFT);
	type(&p, "X");
	is_str(p.buf, "abXc", "insert at the cursor");
	prompt_key(&p, UK_BACKSPACE);
	is_str(p.buf, "abc", "backspace");
	prompt_key(&p, UK_CTRL('a'));
	prompt_key(&p, UK_DELETE);
	is_str(p.buf, "bc", "C-a then Del");
	prompt_key(&p, UK_CTRL('e'));
	type(&p, " déjà");
	is_str(p.buf, "bc déjà", "UTF-8 typed");
	prompt_key(&p, UK_BACKSPACE);
	is_str(p.buf, "bc déj", "backspace takes a whole character");
	prompt_key(&p, UK_CTRL('w'));
	is_str(p.buf, "bc ", "C-w takes a word");
	prompt_key(&p, UK_HOME);
	prompt_key(&p, UK_RIGHT);
	prompt_key(&p, UK_CTRL('k'));
	is_str(p.buf, "b", "C-k cuts to the end");
	type(&p, "xyz");
	prompt_key(&p, UK_LEFT);
	prompt_key(&p, UK_CTRL('u'));
	is_str(p.buf, "z", "C-u cuts to the start");
	is_int(p.pos, 0, "cursor at the start");
	type(&p, "\x01");
	is_str(p.buf, "z", "a control character is not inserted");
	is_int(prompt_key(&p, UK_ESC), PROMPT_CANCEL, "Esc cancels");
	is_int(prompt_key(&p, UK_ENTER), PROMPT_ACCEPT, "Enter accepts");
	prompt_set_error(&p, 3, 2, "expected ')'");
	is_int(p.err_pos, 3, "error position kept");
	is_int(p.err_width, 2, "error width kept");
}

static void
test_history(void)
{
	struct prompt_history h;
	struct prompt p;
	char path[] = "/tmp/xraytop-hist-XXXXXX";
	int i, fd;

	memset(&h, 0, sizeof h);
	prompt_start(&p, ":", "one", &h);
	prompt_key(&p, UK_ENTER);
	prompt_start(&p, ":", "two", &h);
	prompt_key(&p, UK_ENTER);
	prompt_start(&p, ":", "two", &h);
	prompt_key(&p, UK_ENTER);
	is_int(h.n, 2, "the same line twice is kept once");
	prompt_start(&p, ":", "new", &h);
	prompt_key(&p, UK_UP);
	is_str(p.buf, "two", "Up: the last line");
	prompt_key(&p, UK_UP);
	is_str(p.buf, "one", "Up: the one before");
	prompt_key(&p, UK_UP);
	is_str(p.buf, "one", "Up at the oldest stays");
	prompt_key(&p, UK_DOWN);
	prompt_key(&p, UK_DOWN);
	is_str(p.buf, "new", "Down past the newest: the line being typed");
	for (i = 0; i < 150; i++) {
		char line[16];

		snprintf(line, sizeof line, "l%d", i);
		history_add(&h, line);
	}
	is_int(h.n, PROMPT_HISTORY, "the history is capped");
	is_str(h.items[0], "l50", "the oldest are dropped");
	fd = mkstemp(path);
	close(fd);
	ok(history_save(&h, path) == 0, "history saved");
	history_free(&h);
	ok(history_load(&h, path) == 0 && h.n == PROMPT_HISTORY &&
	    strcmp(h.items[h.n - 1], "l149") == 0, "and loaded back");
	history_free(&h);
	unlink(path);
	ok(history_load(&h, "/nonexistent/history") == 0 && h.n == 0, "no file: no history");
}

static const char *
num_text(void *ctx, size_t i, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "row %zu%s", i, i % 10 == 7 ? " seven" : "");
	return buf;
}

static void
test_list(void)
{
	struct vlist l;

	memset(&l, 0, sizeof l);
	l.row_text = num_text;
	vlist_set(&l, 100);
	vlist_scroll(&l, 10);
	vlist_action(&l, ACT_PAGE_DOWN);
	is_int(l.sel, 9, "page down moves a page less one row");
	vlist_action(&l, ACT_BOTTOM);
	is_int(l.sel, 99, "G: the last row");
	is_int(l.top, 90, "... shown at the bottom");
	vlist_action(&l, ACT_DOWN);
	is_int(l.sel, 99, "down at the end stays");
	vlist_action(&l, ACT_TOP);
	is_int(l.sel + l.top, 0, "g: the first row, at the top");
	ok(vlist_search(&l, "SEVEN", 1, 0), "search is case-insensitive");
	is_int(l.sel, 7, "the first match");
	vlist_search(&l, "seven", 1, 1);
	is_int(l.sel, 17, "n: the next one");
	vlist_search(&l, "seven", -1, 1);
	is_int(l.sel, 7, "N: back");
	vlist_search(&l, "seven", -1, 1);
	is_int(l.sel, 97, "and it wraps");
	ok(!vlist_search(&l, "eight", 1, 1), "no match leaves the selection");
	is_int(l.sel, 97, "where it was");
	vlist_set(&l, 20);
	is_int(l.sel, 19, "fewer rows: the selection stays in range");
	vlist_set(&l, 0);
	ok(!vlist_action(&l, ACT_ENTER) && l.sel == 0, "an empty list");
}

static void
test_keys(void)
{
	static const int keys[] = { 'j', UK_DOWN, UK_PGDN, UK_ENTER, UK_ESC, UK_CTRL('c'), UK_F1,
	    ' ', '<', 0xe9, UK_BTAB };
	char name[32];
	const char *p;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		ui_key_name(keys[i], name, sizeof name);
		p = name;
		if (ui_key_parse(&p) != keys[i] || *p != '\0') {
			bad++;
			diag("%s does not parse back", name);
		}
	}
	is_int(bad, 0, "key names parse back");
	p = "<C-x>j<Nope>";
	is_int(ui_key_parse(&p), UK_CTRL('x'), "<C-x>");
	is_int(ui_key_parse(&p), 'j', "then j");
	is_int(ui_key_parse(&p), UK_NONE, "an unknown name");
	is_int(keymap_lookup(view_list_keys, 'j'), ACT_DOWN, "j moves down in lists");
	is_int(keymap_lookup(app_global_keys, 'q'), ACT_QUIT, "q quits");
	is_int(keymap_lookup(app_global_keys, UK_CTRL('c')), ACT_QUIT_NOW, "Ctrl-C quits at once");
	is_int(action_find("next-error"), ACT_NEXT_ERROR, "actions by name");
	ok(action_help(ACT_COPY)[0] != '\0', "every action says what it does");
}

int
main(void)
{
	test_editing();
	test_history();
	test_list();
	test_keys();
	return done_testing();
}
