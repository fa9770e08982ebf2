import Foundation

/// How a process a fault starts in a container (the dns resolver, the http proxy) ends its own
/// fault: it deletes the rules that send traffic to it, found by their ownership mark, before it
/// exits — so the fault ends even when no faultline process is left to revert it.
enum HelperRules {
    /// Deletes every rule of `table`'s `chains` whose comment is `mark`, in the namespace this process is in.
    static func delete(markedWith mark: String, table: String, chains: [String]) {
        for chain in chains {
            guard let listing = try? HostNetworkNamespaces.spawn(["iptables", "-w", "5", "-t", table, "-S", chain], timeout: .seconds(10)),
                  listing.succeeded else { continue }
            for line in listing.output.split(separator: "\n") where line.hasPrefix("-A \(chain) ") && line.contains(mark) {
                // `iptables -S` prints a rule as it is given (its comment quoted): the same words after -D delete it.
                let words = line.split(separator: " ").dropFirst(2).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                guard words.contains(mark) else { continue }
                _ = try? HostNetworkNamespaces.spawn(["iptables", "-w", "5", "-t", table, "-D", chain] + words, timeout: .seconds(10))
            }
        }
    }
}
