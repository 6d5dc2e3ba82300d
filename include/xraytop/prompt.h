/* prompt.h - one line of input: commands, filter expressions, searches.
 *
 * Editing keys as in a shell: Left/Right, Home/End (C-a, C-e), BS, Del,
 * C-u (to the start), C-k (to the end), C-w (a word back); Up and Down walk
 * the history of this kind of prompt; Enter accepts, Esc (or C-c, C-g)
 * cancels.  A prompt can show an error under its text: the byte where the
 * input is wrong is underlined (prompt-error slot) and the message is drawn
 * on the row above.  Histories keep the last PROMPT_HISTORY entries, most
 * recent last, without repeating the previous entry.
 */
#ifndef XRAYTOP_PROMPT_H
#define XRAYTOP_PROMPT_H

#include <stddef.h>

#define PROMPT_MAX      1024
#define PROMPT_HISTORY  100

struct prompt_history {
	char		*items[PROMPT_HISTORY];
	size_t		 n;
};

enum prompt_result { PROMPT_EDIT, PROMPT_ACCEPT, PROMPT_CANCEL };

struct prompt {
	char		 label[32];     /* ":", "/", "filter: " */
	char		 buf[PROMPT_MAX];
	size_t		 len;           /* bytes in buf */
	size_t		 pos;           /* cursor, a byte offset */
	struct prompt_history *hist;
	size_t		 hist_at;       /* == hist->n when editing a new line */
	char		 saved[PROMPT_MAX]; /* the new line while walking the history */
	long		 err_pos;       /* byte of the error, -1 when none */
	int		 err_width;     /* characters to underline from there */
	char		 err_msg[256];
};

/* Start with label and initial text (NULL for none); history may be NULL. */
void prompt_start(struct prompt *p, const char *label, const char *text,
    struct prompt_history *hist);
/* Handle a key (ui.h). */
enum prompt_result prompt_key(struct prompt *p, int key);
/* Show an error at byte pos of the text, width characters long (pos < 0
 * clears it). */
void prompt_set_error(struct prompt *p, long pos, int width, const char *msg);
/* Draw on row y (and the error on row y - 1), columns x..x+w-1; the
 * terminal cursor is put at the insertion point. */
void prompt_draw(const struct prompt *p, int y, int x, int w);

void history_add(struct prompt_history *h, const char *line);
void history_free(struct prompt_history *h);
/* Load from and save to a file, one entry per line; missing file is fine.
 * Return 0, or -1 (errno set). */
int history_load(struct prompt_history *h, const char *path);
int history_save(const struct prompt_history *h, const char *path);

#endif
