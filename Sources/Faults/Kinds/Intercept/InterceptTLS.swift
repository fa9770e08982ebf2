import Foundation

/// TLS termination by an intercepting fault (`http`, `websocket`), only when a campaign asks for it
/// with a CA of its own: the proxy answers a client's TLS handshake with a certificate that CA signs
/// for the server name the client asked for (SNI; the original address without one), reads the
/// requests or messages in the clear, and forwards them over a TLS connection of its own to the
/// original destination, whose certificate it checks (the system's trust store, or `upstreamAuthority`).
/// Clients must trust the CA — a client that does not sees a certificate error, which is the point
/// of asking. Without it HTTPS passes through untouched. Paths are on the host that applies the fault;
/// relative ones are taken from the directory faultline runs in.
public struct InterceptTLS: Sendable, Equatable, Codable {
    /// The CA's certificate (PEM): it signs the certificates the proxy presents.
    public var certificateAuthority: String
    /// The CA's private key (PEM, unencrypted).
    public var certificateAuthorityKey: String
    /// The CA (PEM) the upstream's certificate must chain to; nil: the system's trust store.
    public var upstreamAuthority: String?

    public init(certificateAuthority: String, certificateAuthorityKey: String, upstreamAuthority: String? = nil) {
        self.certificateAuthority = certificateAuthority
        self.certificateAuthorityKey = certificateAuthorityKey
        self.upstreamAuthority = upstreamAuthority
    }

    static let parameters = [
        FaultParameter("tls-ca", .name, help: "terminate TLS on the port with certificates this CA (PEM certificate) signs for each server name; clients must trust it (default: TLS passes through untouched)", example: "certs/chaos-ca.pem"),
        FaultParameter("tls-ca-key", .name, help: "the private key of that CA (PEM, unencrypted)", example: "certs/chaos-ca.key"),
        FaultParameter("tls-upstream-ca", .name, help: "with tls-ca: the CA (PEM) the upstream's certificate must chain to (default the system's trust store)", example: "certs/internal-ca.pem"),
    ]

    /// Reads the three parameters; nil when TLS is not to be terminated.
    static func read(_ input: ParameterInput) throws(ParameterError) -> InterceptTLS? {
        let authority = input.text("tls-ca"), key = input.text("tls-ca-key"), upstream = input.text("tls-upstream-ca")
        guard let authority else {
            if key != nil { throw ParameterError(key: "tls-ca-key", "\(parameter: "tls-ca-key") goes with \(parameter: "tls-ca") (the CA's certificate)") }
            if upstream != nil { throw ParameterError(key: "tls-upstream-ca", "\(parameter: "tls-upstream-ca") goes with \(parameter: "tls-ca"): only a terminated connection is forwarded over TLS of the proxy's own") }
            return nil
        }
        guard let key else { throw ParameterError(key: "tls-ca", "\(parameter: "tls-ca") needs \(parameter: "tls-ca-key") (the CA's private key) to sign certificates") }
        return InterceptTLS(certificateAuthority: absolute(authority), certificateAuthorityKey: absolute(key), upstreamAuthority: upstream.map(absolute))
    }

    /// A relative path is taken from the directory faultline runs in (as a campaign's other files
    /// are), made absolute so the proxy process reads the same file.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    var texts: [(key: String, texts: [String])] {
        [("tls-ca", [certificateAuthority]), ("tls-ca-key", [certificateAuthorityKey])] + ParameterTexts.optional("tls-upstream-ca", upstreamAuthority)
    }
}
