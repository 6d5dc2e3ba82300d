/* provide-curses.h - the one place that picks the curses header.
 *
 * Included only by ui.c (and view files that draw with curses, none yet):
 * the rest of xraytop draws through ui.h and never sees a curses type.
 * Wide-character curses (ncursesw) is required for UTF-8.
 */
#ifndef XRAYTOP_PROVIDE_CURSES_H
#define XRAYTOP_PROVIDE_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#if defined(HAVE_NCURSESW_CURSES_H)
#include <ncursesw/curses.h>
#elif defined(HAVE_NCURSES_CURSES_H)
#include <ncurses/curses.h>
#elif defined(HAVE_NCURSES_H)
#include <ncurses.h>
#else
#include <curses.h>
#endif

#endif
