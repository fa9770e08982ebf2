// Typed wrappers around libcurl's variadic functions, callable from Swift.
#ifndef FAULTLINE_CCURL_SHIM_H
#define FAULTLINE_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*fl_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);

static inline CURLcode fl_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fl_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fl_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fl_curl_set_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fl_curl_set_data_callback(CURL *handle, CURLoption option, fl_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
typedef int (*fl_curl_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode fl_curl_set_progress_callback(CURL *handle, fl_curl_progress_callback callback, void *userdata) {
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, userdata);
    return curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}
static inline CURLcode fl_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode fl_curl_get_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode fl_curl_get_socket(CURL *handle, curl_socket_t *value) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, value);
}
/// The value of the last response header called `name` (case-insensitive) of the transfer just
/// performed, or NULL when there is none. Valid until the handle's next transfer.
static inline const char *fl_curl_header_value(CURL *handle, const char *name) {
    struct curl_header *header = NULL;
    if (curl_easy_header(handle, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK || header == NULL) return NULL;
    return header->value;
}
static inline CURLMcode fl_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
/// A multi handle's socket and timer callbacks (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION), for
/// driving its transfers from an event loop with curl_multi_socket_action.
static inline CURLMcode fl_curl_multi_set_callbacks(CURLM *multi, curl_socket_callback sockets, curl_multi_timer_callback timer, void *userdata) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sockets);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, userdata);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer);
    return curl_multi_setopt(multi, CURLMOPT_TIMERDATA, userdata);
}
/// Who closes the handle's sockets (CURLOPT_CLOSESOCKETFUNCTION), for an event loop that must
/// forget a descriptor before it is closed.
static inline CURLcode fl_curl_set_close_socket(CURL *handle, curl_closesocket_callback callback, void *userdata) {
    curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, callback);
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETDATA, userdata);
}
/// The easy handle and result code of a finished transfer's message (CURLMSG_DONE).
static inline CURLcode fl_curl_message_result(CURLMsg *message) { return message->data.result; }
#endif
