// OpenSSL 3 (Debian's libssl-dev) for the http and websocket faults' TLS termination, and the few
// calls Swift cannot make directly because OpenSSL declares them as macros or variadic functions.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/rand.h>

/// Calls `callback` with each handshake's server name (SNI) before the certificate is chosen.
static inline long fl_ssl_ctx_set_servername_callback(SSL_CTX *context, int (*callback)(SSL *, int *, void *)) {
    return SSL_CTX_set_tlsext_servername_callback(context, callback);
}

/// The server name (SNI) a client connection sends.
static inline long fl_ssl_set_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/// No protocol older than TLS 1.2.
static inline long fl_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

/// Writes that may return after one record, retried with a buffer that may have moved.
static inline long fl_ssl_set_partial_writes(SSL *ssl) {
    return SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/// A peer's TCP close without close_notify reads as the end of its stream (as a FIN does), not as
/// an error: HTTP servers that close after their response often send none.
static inline uint64_t fl_ssl_ctx_ignore_unexpected_eof(SSL_CTX *context) {
    return SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
}

/// A new P-256 key (NULL on failure).
static inline EVP_PKEY *fl_ec_p256_key(void) {
    return EVP_EC_gen("P-256");
}
