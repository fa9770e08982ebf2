import FaultlineSupport
import Logging
import NIOCore
import NIOSSL

/// The agent's TCP listener under mutual TLS: its own certificate and key, and the CA whose
/// certificates it accepts from coordinators (`faultline certs` makes all three). A client without
/// a certificate that CA signed is refused during the handshake, and the refusal is logged in one line.
extension TLSFiles {
    /// The server configuration: TLS 1.2 or later, client certificates required and checked
    /// against the CA (not against a host name: coordinators have none the agent could know).
    public func serverConfiguration() throws(DaemonService.StartError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw DaemonService.StartError(description: "--tls-cert \(certificate): not a PEM certificate this agent can read (\(error))")
        }
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw DaemonService.StartError(description: "--tls-key \(key): not a PEM private key this agent can read (\(error))")
        }
        do { _ = try NIOSSLCertificate.fromPEMFile(certificateAuthority) } catch {
            throw DaemonService.StartError(description: "--tls-ca \(certificateAuthority): not a PEM certificate this agent can read (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .file(certificateAuthority)
        configuration.certificateVerification = .noHostnameVerification
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw DaemonService.StartError(description: "--tls-cert \(certificate) and --tls-key \(key) do not make a TLS context: \(error) (does the key belong to the certificate?)")
        }
        return configuration
    }
}

/// Logs, once per connection, a client the TLS handshake refused (no certificate, one the CA did
/// not sign, an expired one), naming its address: "refused a coordinator's TLS connection".
final class TLSRefusalLogger: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            let text = "\(error)"
            let reason = text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") ? "it gave no client certificate"
                : text.contains("CERTIFICATE_VERIFY_FAILED") ? "its certificate is not signed by this agent's CA, or has expired"
                : "the TLS handshake failed"
            logger.notice("refused a coordinator's TLS connection: \(reason)",
                          metadata: ["from": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")", "tls": "\(error)"])
        }
        context.fireErrorCaught(error)
    }
}
