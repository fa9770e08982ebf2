internal import COpenSSL

/// TLS termination that cannot start: a CA file that cannot be read or cannot sign, a context
/// OpenSSL refuses; says which file or call, and what OpenSSL said.
public struct TLSSetupError: Error, CustomStringConvertible {
    public let description: String

    init(_ what: String) {
        description = what + Self.openSSLReasons()
    }

    /// OpenSSL's queued reasons for the last failure on this thread (" (…; …)"), emptying the queue.
    static func openSSLReasons() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"
    }
}
