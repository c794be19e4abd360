// CNcurses: the only door to ncursesw. Swift 6 cannot touch stdscr, COLOR_PAIR or the
// other macros and globals directly, so they are wrapped here as functions.
#ifndef VIGIL_CNCURSES_H
#define VIGIL_CNCURSES_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#endif
