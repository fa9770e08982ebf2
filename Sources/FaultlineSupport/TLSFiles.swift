/// One side of mutual TLS, as PEM files: its certificate and key, and the CA it trusts the other
/// side's certificate by. The agent's listener, the coordinator's client and the fleet file name
/// the same three; an empty certificate offers none (a client that only checks the server).
public struct TLSFiles: Sendable, Equatable {
    public let certificate: String
    public let key: String
    public let certificateAuthority: String

    public init(certificate: String, key: String, certificateAuthority: String) {
        self.certificate = certificate
        self.key = key
        self.certificateAuthority = certificateAuthority
    }
}
