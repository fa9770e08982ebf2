import ArgumentParser
import FaultlineSupport
import Foundation

/// Runs `openssl` to make a CA and certificates it signs (`faultline certs`). Every call's
/// failure names the command and what openssl said.
struct CertificateMaker {
    let openssl: String
    let directory: String
    let days: Int

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func prepareDirectory() throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot create \(directory): \(error)")
        }
        chmod(directory, 0o700)
    }

    var caCertificate: String { directory + "/ca.pem" }
    var caKey: String { directory + "/ca.key" }

    /// Makes the CA unless both of its files exist; true when it made one.
    func ensureCA() throws -> Bool {
        let manager = FileManager.default
        if manager.fileExists(atPath: caCertificate) && manager.fileExists(atPath: caKey) { return false }
        if manager.fileExists(atPath: caCertificate) || manager.fileExists(atPath: caKey) {
            throw Failure(description: "\(directory) holds only one of ca.pem and ca.key: restore the other or remove both")
        }
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", caKey, "-out", caCertificate,
                 "-days", "\(days)", "-subj", "/CN=faultline fleet CA",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        chmod(caKey, 0o600)
        return true
    }

    /// A key and a certificate signed by the CA: CN and a DNS name `name`, the addresses as IP or
    /// DNS names; `server` adds serverAuth to clientAuth (an agent is both).
    func issue(name: String, addresses: [String], server: Bool) throws {
        let key = directory + "/" + name + ".key", certificate = directory + "/" + name + ".pem"
        let request = directory + "/." + name + ".csr", extensions = directory + "/." + name + ".ext"
        defer {
            try? FileManager.default.removeItem(atPath: request)
            try? FileManager.default.removeItem(atPath: extensions)
        }
        let names = (["DNS:" + name] + addresses.map { Self.isIPAddress($0) ? "IP:" + $0 : "DNS:" + $0 }).joined(separator: ",")
        let text = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = \(server ? "serverAuth, clientAuth" : "clientAuth")
            subjectAltName = \(names)

            """
        guard FileManager.default.createFile(atPath: extensions, contents: Data(text.utf8)) else {
            throw Failure(description: "cannot write \(extensions)")
        }
        try run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", request,
                 "-subj", "/CN=\(name)"])
        chmod(key, 0o600)
        var serial = [UInt8](repeating: 0, count: 16)
        for index in serial.indices { serial[index] = UInt8.random(in: 0...255) }
        serial[0] &= 0x7f
        try run(["x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-out", certificate, "-days", "\(days)",
                 "-set_serial", "0x" + serial.map { String(format: "%02x", $0) }.joined(), "-extfile", extensions])
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    private func run(_ arguments: [String]) throws {
        let log = directory + "/.openssl-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid: pid_t
        switch ChildProcess.spawn([openssl] + arguments, stdout: .appendFile(log), stderr: .appendFile(log)) {
        case .success(let child): pid = child
        case .failure(let error): throw Failure(description: "\(error)")
        }
        let code = ChildProcess.exitCode(of: ChildProcess.wait(pid))
        guard code == 0 else {
            let said = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: " | ") ?? ""
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed (exit \(code)): \(said)")
        }
    }
}
