// CCurl: the only door to libcurl. curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call, so each option type gets a typed wrapper here, plus a growable
// byte buffer that curl's write callbacks append to (so no Swift closure crosses into C).
#ifndef VIGIL_CCURL_H
#define VIGIL_CCURL_H
#include <curl/curl.h>
#include <stddef.h>

/// A growable byte buffer filled by curl's body or header callback. When `limit` is not 0,
/// the callback refuses bytes past it: it sets `overflowed` and curl ends the transfer with
/// CURLE_WRITE_ERROR, so a server cannot make the buffer grow without bound.
typedef struct ccurl_buffer {
    char *data;
    size_t length;
    size_t capacity;
    size_t limit;
    int overflowed;
} ccurl_buffer;

/// Frees the buffer's bytes and resets it to empty.
void ccurl_buffer_free(ccurl_buffer *buffer);

CURLcode ccurl_setopt_long(CURL *curl, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *curl, CURLoption option, const char *value);
CURLcode ccurl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value);
/// Sends `length` bytes of `body` as the POST body (curl copies them).
CURLcode ccurl_setopt_postfields(CURL *curl, const char *body, long length);
/// Appends the response body to `body` and the header lines to `headers`.
CURLcode ccurl_setopt_buffers(CURL *curl, ccurl_buffer *body, ccurl_buffer *headers);
CURLcode ccurl_getinfo_long(CURL *curl, CURLINFO info, long *value);

#endif
