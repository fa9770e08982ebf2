import ArgumentParser
import Foundation

/// Where the daemon's bearer token comes from: a file only its owner can read (`--token-file`) or
/// `$FAULTLINE_TOKEN` — never the command line, which every local user reads through `ps`.
enum TokenSource {
    /// The token, or nil when none is configured. `argument` is a `--token` someone still passes: refused.
    static func read(argument: String?, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if argument != nil {
            throw ValidationError("--token on the command line is readable by every local user (ps, /proc/PID/cmdline); "
                                  + "put the token in a file only you can read and pass --token-file FILE, or set FAULTLINE_TOKEN")
        }
        if let file {
            var info = stat()
            guard stat(file, &info) == 0 else { throw ValidationError("--token-file \(file): \(String(cString: strerror(errno)))") }
            guard info.st_mode & 0o077 == 0 else {
                throw ValidationError("--token-file \(file) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 \(file)")
            }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("--token-file \(file) cannot be read as text") }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("--token-file \(file) is empty") }
            return token
        }
        return environment["FAULTLINE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
