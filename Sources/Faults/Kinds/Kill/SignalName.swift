import FaultlineSupport

/// Signal names for the kill fault: `SIGKILL`, `KILL`, `kill` or `9` all mean SIGKILL.
public enum SignalName {
    public static let linux: [(String, Int)] = [
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGILL", 4), ("SIGTRAP", 5), ("SIGABRT", 6), ("SIGBUS", 7),
        ("SIGFPE", 8), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGSEGV", 11), ("SIGUSR2", 12), ("SIGPIPE", 13),
        ("SIGALRM", 14), ("SIGTERM", 15), ("SIGSTKFLT", 16), ("SIGCHLD", 17), ("SIGCONT", 18), ("SIGSTOP", 19),
        ("SIGTSTP", 20), ("SIGTTIN", 21), ("SIGTTOU", 22), ("SIGURG", 23), ("SIGXCPU", 24), ("SIGXFSZ", 25),
        ("SIGVTALRM", 26), ("SIGPROF", 27), ("SIGWINCH", 28), ("SIGIO", 29), ("SIGPWR", 30), ("SIGSYS", 31),
    ]

    /// The canonical `SIGNAME` for what the user typed.
    public static func normalize(_ text: String) throws(InvalidSignal) -> String {
        let upper = text.uppercased()
        if let number = Int(upper) {
            if let match = linux.first(where: { $0.1 == number }) { return match.0 }
            // A number is not a name: suggesting names close to "SIG0" would be noise.
            throw InvalidSignal(text: text, suggestions: [])
        }
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        if linux.contains(where: { $0.0 == name }) { return name }
        throw InvalidSignal(text: text, suggestions: NameSuggestions.closest(to: name, among: linux.map(\.0)))
    }

    /// A signal name that is not a Linux signal.
    public struct InvalidSignal: Error, CustomStringConvertible, ExitCodeClassified {
        public let text: String
        public let suggestions: [String]
        public var description: String {
            var line = "unknown signal '\(text)'"
            if !suggestions.isEmpty { line += "; did you mean \(suggestions.joined(separator: " or "))?" }
            return line + " (e.g. SIGKILL, SIGTERM, SIGHUP, SIGINT, SIGUSR1, or a number 1-31)"
        }
        public var exitCode: FaultlineExitCode { .invalidInput }
    }
}
