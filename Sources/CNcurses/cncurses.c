// The ncursesw shim: every call into curses goes through here (see CNcurses.h).
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include "CNcurses.h"
#include <locale.h>
#include <signal.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static int started = 0;
static volatile sig_atomic_t pending_signal = 0;

int vc_start(void) {
    setlocale(LC_ALL, "");
    if (started) return 0;
    set_escdelay(25);
    if (initscr() == NULL) return -1;
    started = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    return 0;
}

void vc_stop(void) {
    if (!started) return;
    started = 0;
    curs_set(1);
    endwin();
}

int vc_colors(void) { return started && has_colors() ? COLORS : 0; }
int vc_color_pairs(void) { return started && has_colors() ? COLOR_PAIRS : 0; }

int vc_init_pair(int pair, int fg, int bg) {
    return init_pair((short)pair, (short)fg, (short)bg) == OK ? 0 : -1;
}

void vc_size(int *rows, int *cols) {
    int r = 0, c = 0;
    if (started) getmaxyx(stdscr, r, c);
    *rows = r;
    *cols = c;
}

void vc_put(int y, int x, uint32_t scalar, int attrs, int pair) {
    attr_t a = A_NORMAL;
    if (attrs & VC_BOLD) a |= A_BOLD;
    if (attrs & VC_UNDERLINE) a |= A_UNDERLINE;
    if (attrs & VC_REVERSE) a |= A_REVERSE;
    if (attrs & VC_DIM) a |= A_DIM;
#ifdef A_ITALIC
    if (attrs & VC_ITALIC) a |= A_ITALIC;
#endif
    wchar_t text[2] = { (wchar_t)scalar, 0 };
    cchar_t cell;
    if (setcchar(&cell, text, a, (short)pair, NULL) != OK) return;
    mvadd_wch(y, x, &cell);
}

void vc_refresh(void) { refresh(); }
void vc_clear(void) { clearok(stdscr, TRUE); }

static uint32_t key_code(int key) {
    switch (key) {
    case KEY_UP: return VC_KEY_UP;
    case KEY_DOWN: return VC_KEY_DOWN;
    case KEY_LEFT: return VC_KEY_LEFT;
    case KEY_RIGHT: return VC_KEY_RIGHT;
    case KEY_HOME: return VC_KEY_HOME;
    case KEY_END: return VC_KEY_END;
    case KEY_PPAGE: return VC_KEY_PAGE_UP;
    case KEY_NPAGE: return VC_KEY_PAGE_DOWN;
    case KEY_BACKSPACE: return VC_KEY_BACKSPACE;
    case KEY_DC: return VC_KEY_DELETE;
    case KEY_ENTER: return VC_KEY_ENTER;
    case KEY_BTAB: return VC_KEY_BACK_TAB;
    case KEY_RESIZE: return VC_KEY_RESIZE;
    case KEY_SLEFT: return VC_KEY_SHIFT_LEFT;
    case KEY_SRIGHT: return VC_KEY_SHIFT_RIGHT;
    default: return VC_KEY_OTHER;
    }
}

int vc_read(int timeout_ms, uint32_t *value) {
    wint_t ch = 0;
    timeout(timeout_ms);
    int kind = get_wch(&ch);
    if (kind == ERR) return VC_NONE;
    if (kind == KEY_CODE_YES) {
        *value = key_code((int)ch);
        return VC_KEY;
    }
    *value = (uint32_t)ch;
    return VC_CHAR;
}

static void record_signal(int sig) { pending_signal = sig; }

void vc_install_signal_handlers(void) {
    struct sigaction action;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    action.sa_handler = record_signal;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}

int vc_take_signal(void) {
    int sig = pending_signal;
    pending_signal = 0;
    return sig;
}
