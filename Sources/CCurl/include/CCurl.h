// CCurl: the only door to libcurl. curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call, so each option type gets a typed wrapper here.
#ifndef VIGIL_CCURL_H
#define VIGIL_CCURL_H
#include <curl/curl.h>
#endif
