// CNcurses: the only door to ncursesw. Swift 6 cannot touch stdscr, COLOR_PAIR or the
// other macros and globals directly, so they are wrapped here as plain functions.
#ifndef VIGIL_CNCURSES_H
#define VIGIL_CNCURSES_H

#include <stdint.h>

/// Attribute bits understood by vc_put (mapped to ncurses A_* inside the shim).
enum {
    VC_BOLD = 1,
    VC_UNDERLINE = 2,
    VC_REVERSE = 4,
    VC_DIM = 8,
    VC_ITALIC = 16,
};

/// Kinds of input vc_read returns.
enum {
    VC_NONE = 0,     // timeout, nothing read
    VC_CHAR = 1,     // a Unicode scalar in *value
    VC_KEY = 2,      // a function key: one of the VC_KEY_* codes in *value
};

enum {
    VC_KEY_UP = 1, VC_KEY_DOWN, VC_KEY_LEFT, VC_KEY_RIGHT, VC_KEY_HOME, VC_KEY_END,
    VC_KEY_PAGE_UP, VC_KEY_PAGE_DOWN, VC_KEY_BACKSPACE, VC_KEY_DELETE, VC_KEY_ENTER,
    VC_KEY_BACK_TAB, VC_KEY_RESIZE, VC_KEY_SHIFT_LEFT, VC_KEY_SHIFT_RIGHT, VC_KEY_OTHER,
};

/// Sets the locale from the environment (for UTF-8), starts curses in raw mode with the
/// keypad on and the cursor hidden, and starts colours when the terminal has them.
/// Returns 0 on success, -1 when the terminal cannot be initialised.
int vc_start(void);
/// Restores the terminal (idempotent: safe to call twice, and after a failed start).
void vc_stop(void);
/// The number of colours the terminal supports (0 when it has none).
int vc_colors(void);
/// The number of colour pairs available.
int vc_color_pairs(void);
/// Defines colour pair `pair` (1...); -1 for fg or bg means the terminal default.
int vc_init_pair(int pair, int fg, int bg);
/// The current screen size.
void vc_size(int *rows, int *cols);
/// Writes one Unicode scalar at (y, x) with attribute bits and a colour pair (0 = default).
void vc_put(int y, int x, uint32_t scalar, int attrs, int pair);
/// Pushes the changes to the terminal.
void vc_refresh(void);
/// Clears the whole screen on the next refresh (after a resize).
void vc_clear(void);
/// Waits up to `timeout_ms` for input; returns VC_NONE, VC_CHAR or VC_KEY with the value.
int vc_read(int timeout_ms, uint32_t *value);
/// Installs handlers for SIGINT, SIGTERM and SIGHUP that only record the signal.
void vc_install_signal_handlers(void);
/// The last signal recorded by the handlers (0 when none), cleared by reading.
int vc_take_signal(void);

#endif
