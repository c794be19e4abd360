#include "CCurl.h"
#include <stdlib.h>
#include <string.h>

void ccurl_buffer_free(ccurl_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
    buffer->overflowed = 0;
}

static size_t ccurl_append(char *bytes, size_t size, size_t count, void *userdata) {
    ccurl_buffer *buffer = (ccurl_buffer *)userdata;
    size_t n = size * count;
    if (buffer->limit && n > buffer->limit - buffer->length) {
        buffer->overflowed = 1;
        return 0; /* curl reports CURLE_WRITE_ERROR */
    }
    if (buffer->length + n + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 4096;
        while (buffer->length + n + 1 > capacity) capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (!grown) return 0; /* curl reports CURLE_WRITE_ERROR */
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, n);
    buffer->length += n;
    buffer->data[buffer->length] = 0;
    return n;
}

CURLcode ccurl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode ccurl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode ccurl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode ccurl_setopt_postfields(CURL *curl, const char *body, long length) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, length);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, body);
}

CURLcode ccurl_setopt_buffers(CURL *curl, ccurl_buffer *body, ccurl_buffer *headers) {
    CURLcode code;
    if ((code = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ccurl_append)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)body)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ccurl_append)) != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_HEADERDATA, (void *)headers);
}

CURLcode ccurl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}
