import Foundation

/// A CA and server certificates it signs, made with the `openssl` command in a temporary
/// directory (removed when the test process exits): for the tests of TLS termination, whose
/// clients (curl) and servers (`openssl s_server`) are not faultline's.
public struct TestCertificates: Sendable {
    public let directory: String
    public let name: String

    public var authority: String { directory + "/\(name)-ca.pem" }
    public var authorityKey: String { directory + "/\(name)-ca.key" }

    /// Makes a CA named `name` (P-256, valid two days).
    public static func authority(_ name: String) async throws -> TestCertificates {
        let made = TestCertificates(directory: temporaryStateDirectory(), name: name)
        try await made.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                                "-subj", "/CN=\(name) test CA", "-keyout", made.authorityKey, "-out", made.authority,
                                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return made
    }

    /// A server certificate the CA signs for `names` ("DNS:llm.test", "IP:127.0.0.1"): its PEM files.
    public func server(_ names: [String]) async throws -> (certificate: String, key: String) {
        let base = directory + "/server-\(UUID().uuidString.prefix(8))"
        try await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(names[0].split(separator: ":").last ?? "")",
                           "-keyout", base + ".key", "-out", base + ".csr"])
        try "subjectAltName=\(names.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try await openssl(["x509", "-req", "-in", base + ".csr", "-CA", authority, "-CAkey", authorityKey, "-CAcreateserial", "-days", "2",
                           "-extfile", base + ".ext", "-out", base + ".pem"])
        return (base + ".pem", base + ".key")
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await CommandRunner.run(["/usr/bin/openssl"] + arguments)
        guard result.status == 0 else { throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)") }
    }
}
