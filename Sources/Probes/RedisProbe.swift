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

/// Sends one command over a kept connection (hiredis, with connect and command time-outs).
/// After any failure the connection is dropped (a timed-out context is unusable) and the next
/// check reconnects, counting the attempt. With Sentinels, every check first asks them where the
/// master is (a fresh loopback-cheap connection), so a failover is followed on the next check:
/// a kept connection to the old master is dropped, and a new one is trusted only once the node
/// says `role:master`; an ok check after a switch says where the master went.
public final class RedisProbe: Probe, @unchecked Sendable {
    // @unchecked: `context` is touched only on `lane`, one check at a time.
    public let name: String
    public let timeout: Duration
    let config: RedisProbeConfig
    private let lane = BlockingLane(label: "faultline.probe.redis")
    private var context: UnsafeMutablePointer<redisContext>?
    /// With Sentinels: the master `context` is connected to, and the last one they named.
    private var connected: Address?
    private var lastMaster: Address?

    public init(name: String, config: RedisProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
    }

    deinit { if let context { redisFree(context) } }

    public func check() async -> ProbeCheck { await lane.check { self.checkOnLane() } }

    public func close() async {
        await lane.run {
            self.drop()
        }
    }

    private func checkOnLane() -> ProbeCheck {
        let deadline = PollDeadline(after: timeout)
        var attempts = 0
        var address = Address(host: config.host, port: config.port)
        var moved = ""
        if let sentinels = config.sentinels, let master = config.master {
            switch askSentinels(sentinels, master: master, deadline: deadline) {
            case .unreachable(let check): drop(); return check
            case .master(let current):
                // A failover: the kept connection is to a node that is no longer the master.
                if let connected, connected != current { drop() }
                if let known = lastMaster, known != current { moved = " (master '\(master)' now at \(current.host):\(current.port))" }
                lastMaster = current
                address = current
            }
        }
        if context == nil {
            attempts += 1
            let connectLimit = Self.timeval(milliseconds: deadline.remainingMilliseconds)
            guard let fresh = redisConnectWithTimeout(address.host, Int32(address.port), connectLimit) else {
                return ProbeCheck(.error, "cannot allocate a Redis context", attempts: attempts)
            }
            if fresh.pointee.err != 0 {
                let check = classify(fresh, doing: "connect", attempts: attempts)
                redisFree(fresh)
                return check
            }
            context = fresh
            var setup: [[String]] = []
            if let password = config.password { setup.append(["AUTH", password]) }
            if let database = config.database { setup.append(["SELECT", String(database)]) }
            for command in setup {
                redisSetTimeout(fresh, Self.timeval(milliseconds: deadline.remainingMilliseconds))
                let (reply, failure) = run(command, attempts: attempts)
                if let failure { return failure }
                if case .error(let message) = reply { drop(); return ProbeCheck(.failed, "\(command[0]) refused: \(message)", attempts: attempts) }
            }
            if config.sentinels != nil {
                // Sentinel's client rule: check the node really is the master before trusting it.
                redisSetTimeout(fresh, Self.timeval(milliseconds: deadline.remainingMilliseconds))
                let (reply, failure) = run(["INFO", "replication"], attempts: attempts)
                if let failure { return failure }
                guard case .value(let info) = reply, info.contains("role:master") else {
                    drop()
                    return ProbeCheck(.failed, "\(address.host):\(address.port), named master by the Sentinels, is not a master yet", attempts: attempts)
                }
            }
            connected = address
        }
        guard let context else { return ProbeCheck(.error, "no connection", attempts: attempts) }
        redisSetTimeout(context, Self.timeval(milliseconds: max(1, deadline.remainingMilliseconds)))
        let (reply, failure) = run(config.command, attempts: max(attempts, 1))
        if let failure { return failure }
        switch reply {
        case .error(let message):
            return ProbeCheck(.failed, "error reply: \(message)", attempts: max(attempts, 1))
        case .value(let text):
            if let expected = config.effectiveExpectation, text != expected {
                return ProbeCheck(.failed, "replied '\(text.prefix(80))' (expected '\(expected)')", attempts: max(attempts, 1))
            }
            return .ok(String(text.prefix(80)) + moved, attempts: max(attempts, 1))
        }
    }

    /// Asks the Sentinels in turn where the master is; the first answer counts.
    private func askSentinels(_ sentinels: [String], master: String, deadline: PollDeadline) -> SentinelAnswer {
        var problems: [String] = []
        for sentinel in sentinels {
            guard let (host, port) = RedisProbeConfig.hostPort(sentinel) else { continue }
            guard deadline.remainingMilliseconds > 0 else { break }
            guard let asked = redisConnectWithTimeout(host, Int32(port), Self.timeval(milliseconds: deadline.remainingMilliseconds)) else { continue }
            defer { redisFree(asked) }
            if asked.pointee.err != 0 {
                problems.append("\(sentinel): \(Self.errorText(asked))")
                continue
            }
            redisSetTimeout(asked, Self.timeval(milliseconds: deadline.remainingMilliseconds))
            guard let raw = Self.send(["SENTINEL", "get-master-addr-by-name", master], to: asked) else {
                problems.append("\(sentinel): \(Self.errorText(asked))")
                continue
            }
            defer { freeReplyObject(raw) }
            let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
            if reply.type == REDIS_REPLY_ARRAY, reply.elements == 2, let elements = reply.element,
               let hostText = elements[0]?.pointee.str, let portText = elements[1]?.pointee.str, let masterPort = Int(String(cString: portText)) {
                return .master(Address(host: String(cString: hostText), port: masterPort))
            }
            problems.append(reply.type == REDIS_REPLY_NIL ? "\(sentinel): does not monitor a master named '\(master)'"
                            : "\(sentinel): \(reply.str.map { String(cString: $0) } ?? "unexpected reply")")
        }
        let timedOut = problems.isEmpty || problems.allSatisfy { $0.contains("timed out") || $0.contains("temporarily unavailable") }
        return .unreachable(ProbeCheck(timedOut ? .timeout : .error,
                                   "no Sentinel named master '\(master)': " + (problems.isEmpty ? "no answer within \(Int(timeout.milliseconds)) ms" : problems.joined(separator: "; ")),
                                   attempts: 1))
    }

    struct Address: Equatable { let host: String; let port: Int }
    private enum SentinelAnswer { case master(Address), unreachable(ProbeCheck) }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private enum Reply { case value(String), error(String) }

    private func run(_ argv: [String], attempts: Int) -> (Reply, ProbeCheck?) {
        guard let context else { return (.error("no connection"), ProbeCheck(.error, "no connection", attempts: attempts)) }
        guard let raw = Self.send(argv, to: context) else {
            let check = classify(context, doing: argv[0], attempts: attempts)
            drop()
            return (.error("no reply"), check)
        }
        defer { freeReplyObject(raw) }
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        let text = reply.str.map { String(cString: $0) } ?? ""
        switch reply.type {
        case REDIS_REPLY_ERROR: return (.error(text), nil)
        case REDIS_REPLY_INTEGER: return (.value(String(reply.integer)), nil)
        case REDIS_REPLY_NIL: return (.value("(nil)"), nil)
        case REDIS_REPLY_ARRAY: return (.value("[\(reply.elements) elements]"), nil)
        default: return (.value(text), nil)
        }
    }

    /// One command as argv; the reply (free it with `freeReplyObject`), or nil with the context's error set.
    static func send(_ argv: [String], to context: UnsafeMutablePointer<redisContext>) -> UnsafeMutableRawPointer? {
        let cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        var lengths = argv.map { $0.utf8.count }
        return pointers.withUnsafeMutableBufferPointer { argvPointer in
            lengths.withUnsafeMutableBufferPointer { lengthPointer in
                redisCommandArgv(context, Int32(argv.count), argvPointer.baseAddress, lengthPointer.baseAddress)
            }
        }
    }

    private func drop() {
        if let context { redisFree(context) }
        context = nil
        connected = nil
    }

    private func classify(_ context: UnsafeMutablePointer<redisContext>, doing what: String, attempts: Int) -> ProbeCheck {
        let message = Self.errorText(context)
        let lowered = message.lowercased()
        let timedOut = lowered.contains("temporarily unavailable") || lowered.contains("timed out") || lowered.contains("timeout")
        return ProbeCheck(timedOut ? .timeout : .error, "\(what): \(timedOut ? "no answer within \(Int(timeout.milliseconds)) ms" : message)", attempts: attempts)
    }

    static func timeval(milliseconds: Int32) -> Foundation.timeval {
        let clamped = max(1, Int(milliseconds))
        return Foundation.timeval(tv_sec: clamped / 1000, tv_usec: (clamped % 1000) * 1000)
    }
}
