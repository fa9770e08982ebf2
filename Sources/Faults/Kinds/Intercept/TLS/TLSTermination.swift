internal import COpenSSL
import Glibc

/// The intercepting proxy's TLS ends when a campaign asked for termination (`InterceptTLS`): toward
/// clients, a server that presents a certificate the campaign's CA signed for the name asked for;
/// toward the upstream, a client that checks the upstream's certificate and name as the original
/// client would have (TLS 1.2 or later on both). Each terminated connection becomes a clear socket
/// (`TLSBridge`), so the proxy reads HTTP and WebSocket through TLS exactly as without it.
final class TLSTermination: @unchecked Sendable {
    private let authority: CertificateAuthority
    private let serverContext: OpaquePointer
    private let upstreamContext: OpaquePointer

    /// Reads the CA and makes both contexts; any file that cannot serve fails here, before a rule exists.
    init(_ settings: InterceptTLS) throws(TLSSetupError) {
        authority = try CertificateAuthority(certificateFile: settings.certificateAuthority, keyFile: settings.certificateAuthorityKey)
        guard let server = SSL_CTX_new(TLS_server_method()) else { throw TLSSetupError("SSL_CTX_new (server) failed") }
        guard let client = SSL_CTX_new(TLS_client_method()) else {
            SSL_CTX_free(server)
            throw TLSSetupError("SSL_CTX_new (client) failed")
        }
        serverContext = server
        upstreamContext = client
        for context in [server, client] {
            fl_ssl_ctx_set_min_tls12(context)
            fl_ssl_ctx_ignore_unexpected_eof(context)
        }
        // No ALPN is offered back, so clients speak HTTP/1.1 (the proxy reads no HTTP/2).
        SSL_CTX_set_ex_data(server, 0, Unmanaged.passUnretained(authority).toOpaque())
        fl_ssl_ctx_set_servername_callback(server, TLSTermination.chooseCertificate)
        SSL_CTX_set_verify(client, SSL_VERIFY_PEER, nil)
        // The upstream is asked for HTTP/1.1, the one protocol the proxy reads (0 is success here).
        let protocols: [UInt8] = [8] + Array("http/1.1".utf8)
        guard SSL_CTX_set_alpn_protos(client, protocols, UInt32(protocols.count)) == 0 else { throw TLSSetupError("SSL_CTX_set_alpn_protos failed") }
        if let upstreamAuthority = settings.upstreamAuthority {
            guard SSL_CTX_load_verify_locations(client, upstreamAuthority, nil) == 1 else {
                throw TLSSetupError("tls-upstream-ca \(upstreamAuthority): no PEM certificate could be read from it")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(client) == 1 else { throw TLSSetupError("the system's trust store could not be read") }
        }
    }

    deinit {
        SSL_CTX_free(serverContext)
        SSL_CTX_free(upstreamContext)
    }

    /// Whether the client's first bytes begin a TLS handshake (a handshake record, 0x16 0x03),
    /// read without taking them; false at the client's end or for anything else.
    static func beginsHandshake(_ client: Int32) -> Bool {
        var first: [UInt8] = [0, 0]
        while true {
            let count = recv(client, &first, 2, Int32(MSG_PEEK | MSG_WAITALL))
            if count < 0, errno == EINTR { continue }
            return count == 2 && first == [0x16, 0x03]
        }
    }

    /// Terminates the client's TLS: returns the clear socket and its bridge. `address` names the
    /// certificate when the client sends no server name (its original destination's IPv4 address).
    func terminate(client: Int32, address: String, what: String) -> (clear: Int32, bridge: TLSBridge)? {
        guard let session = SSL_new(serverContext) else { close(client); return nil }
        SSL_set_accept_state(session)
        // The certificate for the address; the server-name callback replaces it when a name comes.
        guard let certificate = try? authority.certificate(for: address), Self.use(certificate, authority.leafKey, on: session) else {
            SSL_free(session)
            close(client)
            return nil
        }
        return TLSBridge.start(session, socket: client, what: what)
    }

    /// Opens TLS to the upstream over `socket` with the client's server name (checked against the
    /// upstream's certificate), or without one the address; returns the clear socket and its bridge.
    func forward(upstream socket: Int32, serverName: String?, address: String, what: String) -> (clear: Int32, bridge: TLSBridge)? {
        guard let session = SSL_new(upstreamContext) else { close(socket); return nil }
        SSL_set_connect_state(session)
        let named: Bool
        if let serverName {
            named = fl_ssl_set_host_name(session, serverName) == 1 && SSL_set1_host(session, serverName) == 1
        } else {
            named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), address) == 1
        }
        guard named else { SSL_free(session); close(socket); return nil }
        return TLSBridge.start(session, socket: socket, what: what)
    }

    /// Presents `certificate` with `key` on the session.
    private static func use(_ certificate: CertificateAuthority.IssuedCertificate, _ key: OpaquePointer, on session: OpaquePointer) -> Bool {
        SSL_use_certificate(session, certificate.pointer) == 1 && SSL_use_PrivateKey(session, key) == 1
    }

    /// The server-name callback: the certificate for the name the client asked for.
    private static let chooseCertificate: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { session, _, _ in
        guard let session, let name = SSL_get_servername(session, TLSEXT_NAMETYPE_host_name).map({ String(cString: $0) }) else { return SSL_TLSEXT_ERR_OK }
        guard let context = SSL_get_SSL_CTX(session), let pointer = SSL_CTX_get_ex_data(context, 0) else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let authority = Unmanaged<CertificateAuthority>.fromOpaque(pointer).takeUnretainedValue()
        guard let certificate = try? authority.certificate(for: name), use(certificate, authority.leafKey, on: session) else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        return SSL_TLSEXT_ERR_OK
    }
}
