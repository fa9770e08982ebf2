import FaultlineSupport
import Foundation

/// A CA and server certificates it signs, made with the `openssl` command in a directory the
/// caller owns (and removes): for the tests and the benchmark of TLS termination, whose clients and
/// servers check certificates as real ones do. P-256 keys, valid two days.
public struct ThrowawayCertificates: Sendable {
    public let directory: String
    public let name: String

    public var authority: String { directory + "/\(name)-ca.pem" }
    public var authorityKey: String { directory + "/\(name)-ca.key" }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes a CA named `name` in `directory` (which must exist).
    public static func authority(_ name: String, in directory: String) throws -> ThrowawayCertificates {
        let made = ThrowawayCertificates(directory: directory, name: name)
        try made.openssl(["req", "-x509"] + Self.newKey + ["-days", "2", "-subj", "/CN=\(name) test CA", "-keyout", made.authorityKey, "-out", made.authority,
                                                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return made
    }

    /// A server certificate the CA signs for `names` ("DNS:llm.test", "IP:127.0.0.1"): its PEM files.
    public func server(_ names: [String]) throws -> (certificate: String, key: String) {
        let base = directory + "/server-\(UUID().uuidString.prefix(8))"
        try openssl(["req", "-new"] + Self.newKey + ["-subj", "/CN=\(names[0].split(separator: ":").last ?? "")", "-keyout", base + ".key", "-out", base + ".csr"])
        try "subjectAltName=\(names.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", base + ".csr", "-CA", authority, "-CAkey", authorityKey, "-CAcreateserial", "-days", "2",
                     "-extfile", base + ".ext", "-out", base + ".pem"])
        return (base + ".pem", base + ".key")
    }

    private static let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    private func openssl(_ arguments: [String]) throws {
        guard let openssl = ExecutablePath.find("openssl") else { throw Failure(description: "the openssl command is missing (Debian: openssl)") }
        let log = directory + "/openssl.log"
        let status: Int32
        switch ChildProcess.spawn([openssl] + arguments, stdout: .appendFile(log), stderr: .appendFile(log)) {
        case .success(let pid): status = ChildProcess.exitCode(of: ChildProcess.wait(pid))
        case .failure(let failure): throw Failure(description: "\(failure)")
        }
        guard status == 0 else {
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }
}
