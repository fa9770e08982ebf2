import CHiredis
import Foundation

/// What a Redis probe sends and expects.
public struct RedisProbeConfig: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int = 6379
    public var password: String?
    public var database: Int?
    /// The command as argv, e.g. `["PING"]`, `["GET", "k"]`, `["SET", "k", "v"]`.
    public var command: [String] = ["PING"]
    /// The reply the command must give (status, string or integer as text); nil accepts any
    /// reply that is not an error (PING defaults to `PONG`).
    public var expectReply: String?
    /// Redis Sentinels (`host:port`) to ask where the master named `master` is: the probe then
    /// talks to whichever node is the master and follows a failover (nil: `host` and `port`).
    public var sentinels: [String]?
    public var master: String?

    public init(host: String, port: Int = 6379) {
        self.host = host
        self.port = port
    }

    public func validate() throws(ProbeConfigError) {
        guard !host.isEmpty else { throw ProbeConfigError("host", "empty") }
        guard (1...65535).contains(port) else { throw ProbeConfigError("port", "\(port) is not between 1 and 65535") }
        guard !command.isEmpty, !command[0].isEmpty else { throw ProbeConfigError("command", "empty; e.g. PING or GET key") }
        if let database, database < 0 { throw ProbeConfigError("database", "must be 0 or more") }
        if let sentinels {
            guard !sentinels.isEmpty else { throw ProbeConfigError("sentinels", "empty; e.g. [127.0.0.1:26379]") }
            for sentinel in sentinels where Self.hostPort(sentinel) == nil {
                throw ProbeConfigError("sentinels", "'\(sentinel)' is not host:port")
            }
            guard let master, !master.isEmpty else { throw ProbeConfigError("master", "give the master's name the Sentinels monitor, e.g. mymaster") }
        } else if master != nil {
            throw ProbeConfigError("master", "a master name needs sentinels to ask")
        }
    }

    /// `10.0.0.5:26379` → ("10.0.0.5", 26379); `[::1]:26379` → ("::1", 26379).
    public static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    var effectiveExpectation: String? {
        expectReply ?? (command.count == 1 && command[0].uppercased() == "PING" ? "PONG" : nil)
    }
}

/// Sends one command over a kept connection, as non-blocking steps on the `ProbePoller`.
/// After any failure the connection is dropped (a timed-out one may still owe a reply) and the
/// next check reconnects, counting the attempt. With Sentinels, every check first asks them where
/// the master is (a fresh loopback-cheap connection), so a failover is followed on the next check:
/// a kept connection to the old master is dropped, and a new one is trusted only once the node
/// says `role:master`; an ok check after a switch says where the master went.
public final class RedisProbe: PolledProbe, @unchecked Sendable {
    // @unchecked: `session`, `connected` and `lastMaster` are touched only on the poller's thread,
    // one check at a time.
    public let name: String
    public let timeout: Duration
    public let poller = ProbePoller.assign()
    let config: RedisProbeConfig
    private var session: RedisSession?
    /// With Sentinels: the master `session` is connected to, and the last one they named.
    private var connected: Address?
    private var lastMaster: Address?
    /// The configured host's addresses when it is numeric (resolved once).
    private let numericAddresses: [AddressResolver.Address]?

    public init(name: String, config: RedisProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
        numericAddresses = try? AddressResolver.lookup(config.host, port: config.port, numericOnly: true).get()
    }

    public func close() async {
        let poller = poller
        await withCheckedContinuation { continuation in
            poller.submit { [self] in
                drop()
                continuation.resume()
            }
        }
    }

    /// One check's state while it runs.
    private final class Check {
        var attempts = 0
        /// What the check waits for, for a deadline's message: a command's name, or "connect".
        var step = "connect"
        /// The Sentinels' answers so far, while they are asked.
        var sentinelProblems: [String]?
        var asking: RedisSession?
    }

    public func begin(on poller: ProbePoller, done: @escaping (ProbeCheck) -> Void) {
        let check = Check()
        let ending = PolledCheckEnding(poller: poller, done: done)
        ending.cleanup = { check.asking?.close() }
        let finish = ending.finish
        ending.expire(after: timeout) { [self] in
            drop()
            let waited = "no answer within \(Int(timeout.milliseconds)) ms"
            if var problems = check.sentinelProblems, let master = config.master {
                if problems.isEmpty || check.asking != nil { problems.append(waited) }
                finish(ProbeCheck(.timeout, "no Sentinel named master '\(master)': " + problems.joined(separator: "; "), attempts: 1))
            } else {
                finish(ProbeCheck(.timeout, "\(check.step): \(waited)", attempts: max(check.attempts, 1)))
            }
        }
        guard let sentinels = config.sentinels, let master = config.master else {
            command(at: Address(host: config.host, port: config.port), moved: "", check: check, poller: poller, finish: finish)
            return
        }
        check.sentinelProblems = []
        ask(sentinels[...], master: master, check: check, poller: poller) { [self] current in
            guard let current else { return finish(unreachable(master: master, problems: check.sentinelProblems ?? [])) }
            check.sentinelProblems = nil
            // A failover: the kept connection is to a node that is no longer the master.
            if let connected, connected != current { drop() }
            var moved = ""
            if let known = lastMaster, known != current { moved = " (master '\(master)' now at \(current.host):\(current.port))" }
            lastMaster = current
            command(at: current, moved: moved, check: check, poller: poller, finish: finish)
        }
    }

    /// Runs the configured command at `address`, connecting (and authenticating, selecting the
    /// database, checking the role) first when there is no kept connection.
    private func command(at address: Address, moved: String, check: Check, poller: ProbePoller, finish: @escaping (ProbeCheck) -> Void) {
        let failed = { [self] (doing: String, failure: SocketIO.Failure) in
            drop()
            finish(ProbeCheck(failure.timedOut ? .timeout : .error, "\(doing): \(failure.cause)", attempts: max(check.attempts, 1)))
        }
        let run = { [self] in
            guard let session else { return failed(config.command[0], SocketIO.Failure(message: "no connection", timedOut: false)) }
            check.step = config.command[0]
            session.exchange([config.command]) { [self] result in
                switch result {
                case .failure(let failure): failed(config.command[0], failure)
                case .success(let replies): finish(judge(replies[0], moved: moved, attempts: max(check.attempts, 1)))
                }
            }
        }
        if session != nil { return run() }
        check.attempts += 1
        check.step = "connect"
        let fresh = RedisSession(poller: poller)
        session = fresh
        let known = address == Address(host: config.host, port: config.port) ? numericAddresses : nil
        fresh.connect(host: address.host, port: address.port, known: known) { [self] failure in
            if let failure { return failed("connect", failure) }
            var setup: [[String]] = []
            if let password = config.password { setup.append(["AUTH", password]) }
            if let database = config.database { setup.append(["SELECT", String(database)]) }
            // Sentinel's client rule: check the node really is the master before trusting it.
            if config.sentinels != nil { setup.append(["INFO", "replication"]) }
            guard !setup.isEmpty else { connected = address; return run() }
            check.step = setup[0][0]
            fresh.exchange(setup) { [self] result in
                switch result {
                case .failure(let failure): failed(setup[0][0], failure)
                case .success(let replies):
                    for (command, reply) in zip(setup, replies) {
                        if case .error(let message) = reply {
                            drop()
                            return finish(ProbeCheck(.failed, "\(command[0]) refused: \(message)", attempts: check.attempts))
                        }
                        if command[0] == "INFO", !reply.summary.contains("role:master") {
                            drop()
                            return finish(ProbeCheck(.failed, "\(address.host):\(address.port), named master by the Sentinels, is not a master yet",
                                                     attempts: check.attempts))
                        }
                    }
                    connected = address
                    run()
                }
            }
        }
    }

    /// The check a command's reply makes.
    func judge(_ reply: RedisReply, moved: String, attempts: Int) -> ProbeCheck {
        if case .error(let message) = reply { return ProbeCheck(.failed, "error reply: \(message)", attempts: attempts) }
        let text = reply.summary
        if let expected = config.effectiveExpectation, text != expected {
            return ProbeCheck(.failed, "replied '\(text.prefix(80))' (expected '\(expected)')", attempts: attempts)
        }
        return .ok(String(text.prefix(80)) + moved, attempts: attempts)
    }

    /// Asks the Sentinels in turn where the master is; the first answer counts (nil: none answered).
    private func ask(_ sentinels: ArraySlice<String>, master: String, check: Check, poller: ProbePoller,
                     answer: @escaping (Address?) -> Void) {
        guard let sentinel = sentinels.first else { return answer(nil) }
        let next = { [self] (problem: String) in
            check.asking?.close()
            check.asking = nil
            check.sentinelProblems?.append("\(sentinel): \(problem)")
            ask(sentinels.dropFirst(), master: master, check: check, poller: poller, answer: answer)
        }
        guard let (host, port) = RedisProbeConfig.hostPort(sentinel) else { return ask(sentinels.dropFirst(), master: master, check: check, poller: poller, answer: answer) }
        let asking = RedisSession(poller: poller)
        check.asking = asking
        asking.connect(host: host, port: port) { failure in
            if let failure { return next(failure.cause) }
            asking.exchange([["SENTINEL", "get-master-addr-by-name", master]]) { result in
                switch result {
                case .failure(let failure): next(failure.cause)
                case .success(let replies):
                    asking.close()
                    check.asking = nil
                    switch replies[0] {
                    case .array(let parts) where parts.count == 2:
                        if case .text(let masterHost) = parts[0], case .text(let portText) = parts[1], let masterPort = Int(portText) {
                            return answer(Address(host: masterHost, port: masterPort))
                        }
                        next("unexpected reply")
                    case .null: next("does not monitor a master named '\(master)'")
                    case .error(let message): next(message)
                    default: next("unexpected reply")
                    }
                }
            }
        }
    }

    private func unreachable(master: String, problems: [String]) -> ProbeCheck {
        let timedOut = problems.isEmpty || problems.allSatisfy { $0.contains("no answer") || $0.contains("timed out") }
        return ProbeCheck(timedOut ? .timeout : .error,
                          "no Sentinel named master '\(master)': " + (problems.isEmpty ? "no answer within \(Int(timeout.milliseconds)) ms" : problems.joined(separator: "; ")),
                          attempts: 1)
    }

    struct Address: Equatable { let host: String; let port: Int }

    private func drop() {
        session?.close()
        session = nil
        connected = nil
    }
}
