import CurlTransport
import Daemon
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// The agent's TCP listener under mutual TLS, with certificates `faultline certs` made: a
/// coordinator with the fleet CA's certificate is served (and still needs the token); one from
/// another CA, or without a certificate, is refused in the handshake and the agent logs one line
/// saying why; a listener beyond loopback without TLS does not start.
@Suite(.serialized) struct MutualTLSTests {
    struct Certificates {
        let directory = NSTemporaryDirectory() + "fl-certs-" + UUID().uuidString
        var fleet: String { directory + "/fleet" }
        var other: String { directory + "/other" }

        func make() async throws {
            for (dir, arguments) in [(fleet, ["--node", "agent=127.0.0.1", "--coordinator", "boss"]), (other, ["--coordinator", "intruder"])] {
                let made = try await FaultlineProcess.run(["certs", dir] + arguments)
                #expect(made.status == 0, "faultline certs: \(made.stderr)")
            }
        }

        func client(_ name: String, in dir: String) -> TLSFiles {
            TLSFiles(certificate: "\(dir)/\(name).pem", key: "\(dir)/\(name).key", certificateAuthority: fleet + "/ca.pem")
        }
    }

    static func get(_ url: String, tls: TLSFiles?, headers: [String] = []) async throws -> Int {
        let request = CurlRequest(method: "GET", url: url + "/v1/health", headers: headers, timeout: .seconds(10), connectTimeout: .seconds(3), clientTLS: tls)
        return try await ConnectionPool().withConnection { connection throws(TransportFailure) in try connection.perform(request) }.status
    }

    // The fleet's coordinator is served (the token still required); another CA's certificate and
    // no certificate are refused in the handshake, each logged in one line naming the reason.
    @Test func servesTheFleetAndRefusesStrangers() async throws {
        try FaultlineProcess.requireBinary()
        let certificates = Certificates()
        try await certificates.make()
        let port = try LoopbackPort.free()
        let fleet = certificates.fleet
        let daemon = try await DaemonProcess(extra: ["--tcp", "127.0.0.1:\(port)", "--token-file", try DaemonSecurityTests.tokenFile(),
                                                     "--tls-cert", "\(fleet)/agent.pem", "--tls-key", "\(fleet)/agent.key", "--tls-ca", "\(fleet)/ca.pem"])
        defer { Task { try? await daemon.stop() } }
        let url = "https://127.0.0.1:\(port)"
        let boss = certificates.client("boss", in: fleet)
        #expect(try await Self.get(url, tls: boss, headers: ["Authorization: Bearer \(DaemonSecurityTests.token)"]) == 200)
        #expect(try await Self.get(url, tls: boss) == 401, "a trusted certificate does not replace the token")

        for (tls, reason) in [(certificates.client("intruder", in: certificates.other), "its certificate is not signed by this agent's CA"),
                              (TLSFiles(certificate: "", key: "", certificateAuthority: fleet + "/ca.pem"), "it gave no client certificate")] {
            do {
                _ = try await Self.get(url, tls: tls,
                                       headers: ["Authorization: Bearer \(DaemonSecurityTests.token)"])
                Issue.record("\(reason): the handshake was accepted")
            } catch let failure as TransportFailure {
                #expect(failure.isTLS, "\(failure)")
            }
            try await daemon.process.waitFor("refused a coordinator's TLS connection: \(reason)", timeout: .seconds(5))
        }
    }

    // Beyond loopback, no TLS: refused before anything starts; a key that is not the
    // certificate's, and a missing file, are named.
    @Test func refusesListenersItCannotSecure() async throws {
        try FaultlineProcess.requireBinary()
        let certificates = Certificates()
        try await certificates.make()
        let fleet = certificates.fleet
        let open = DaemonService.Options(stateDirectory: "/nonexistent", tcp: ListenerAddress(host: "0.0.0.0", port: 7441), token: DaemonSecurityTests.token)
        #expect(throws: DaemonService.StartError.self) { try DaemonService.validate(open) }
        do { try DaemonService.validate(open) } catch {
            #expect(error.description.hasPrefix("refusing to listen on 0.0.0.0:7441 without TLS"), "\(error)")
        }
        var loopback = open
        loopback.tcp = ListenerAddress(host: "127.0.0.1", port: 7441)
        try DaemonService.validate(loopback)
        for (files, expected) in [
            (TLSFiles(certificate: "\(fleet)/agent.pem", key: "\(fleet)/boss.key", certificateAuthority: "\(fleet)/ca.pem"),
             "does the key belong to the certificate?"),
            (TLSFiles(certificate: "\(fleet)/nothing.pem", key: "\(fleet)/agent.key", certificateAuthority: "\(fleet)/ca.pem"),
             "--tls-cert \(fleet)/nothing.pem: not a PEM certificate"),
        ] {
            var options = open
            options.tls = files
            do {
                try DaemonService.validate(options)
                Issue.record("\(files) was accepted")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
    }
}
