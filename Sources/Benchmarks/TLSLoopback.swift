import COpenSSL
import Foundation
import Glibc

/// The HTTPS server and client of `faultline-bench transparent-https`, on OpenSSL directly: a
/// server that answers each connection's one request with a fixed response and closes, and a
/// client call that makes a fresh connection's handshake (checking the certificate for a name
/// against a CA) and one request. Both sides are the same code on either path, so what differs
/// between the paths is faultline's proxy alone.
enum TLSLoopback {
    static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Serves on the listening `listener` until it is closed: a thread per connection.
    final class Server: @unchecked Sendable {
        private let context: OpaquePointer
        private let listener: Int32

        init(listener: Int32, certificate: String, key: String) throws {
            guard let context = SSL_CTX_new(TLS_server_method()),
                  SSL_CTX_use_certificate_chain_file(context, certificate) == 1,
                  SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw Failure(description: "the benchmark's TLS server cannot use \(certificate) and \(key)")
            }
            self.context = context
            self.listener = listener
            Thread.detachNewThread { [self] in
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    Thread.detachNewThread { self.serve(connection) }
                }
            }
        }

        private func serve(_ connection: Int32) {
            defer { close(connection) }
            guard let session = SSL_new(context) else { return }
            defer { SSL_free(session) }
            SSL_set_fd(session, connection)
            guard SSL_accept(session) == 1 else { return }
            var request: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual("\r\n\r\n".utf8) {
                let count = SSL_read(session, &buffer, Int32(buffer.count))
                guard count > 0 else { return }
                request += buffer[0..<Int(count)]
            }
            _ = SSL_write(session, TLSLoopback.response, Int32(TLSLoopback.response.count))
            SSL_shutdown(session)
        }

        func stop() {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    /// A client context that trusts `authority` only.
    static func clientContext(trusting authority: String) throws -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()), SSL_CTX_load_verify_locations(context, authority, nil) == 1 else {
            throw Failure(description: "the benchmark's TLS client cannot read \(authority)")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        return context
    }

    /// One call on the connected `socket` (closed here): the handshake for `name`, a GET, the whole response.
    static func call(_ socket: Int32, name: String, context: OpaquePointer) throws {
        defer { close(socket) }
        guard let session = SSL_new(context) else { throw Failure(description: "SSL_new failed") }
        defer { SSL_free(session) }
        SSL_set_fd(session, socket)
        guard fl_ssl_set_host_name(session, name) == 1, SSL_set1_host(session, name) == 1 else { throw Failure(description: "cannot name \(name)") }
        guard SSL_connect(session) == 1 else { throw Failure(description: "the TLS handshake for \(name) failed (verify result \(SSL_get_verify_result(session)))") }
        let request = Array("GET /v1/items HTTP/1.1\r\nHost: \(name)\r\n\r\n".utf8)
        guard SSL_write(session, request, Int32(request.count)) == Int32(request.count) else { throw Failure(description: "the request could not be sent") }
        var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = SSL_read(session, &buffer, Int32(buffer.count))
            guard count > 0 else { break }
            received += buffer[0..<Int(count)]
        }
        guard received == response else { throw Failure(description: "the response was \(received.count) bytes, not the server's \(response.count)") }
    }
}
