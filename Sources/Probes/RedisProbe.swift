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

    public init(host: String, port: Int = 6379) {
        self.host = host
        self.port = port
    }

    public func validate() throws(ProbeConfigError) {
        guard !host.isEmpty else { throw ProbeConfigError("host", "empty") }
        guard (1...65535).contains(port) else { throw ProbeConfigError("port", "\(port) is not between 1 and 65535") }
        guard !command.isEmpty, !command[0].isEmpty else { throw ProbeConfigError("command", "empty; e.g. PING or GET key") }
        if let database, database < 0 { throw ProbeConfigError("database", "must be 0 or more") }
    }

    var effectiveExpectation: String? {
        expectReply ?? (command.count == 1 && command[0].uppercased() == "PING" ? "PONG" : nil)
    }
}

/// Sends one command over a kept connection (hiredis, with connect and command time-outs).
/// After any failure the connection is dropped (a timed-out context is unusable) and the next
/// check reconnects, counting the attempt.
public final class RedisProbe: Probe, @unchecked Sendable {
    // @unchecked: `context` is touched only on `lane`, one check at a time.
    public let name: String
    public let timeout: Duration
    let config: RedisProbeConfig
    private let lane = BlockingLane(label: "faultline.probe.redis")
    private var context: UnsafeMutablePointer<redisContext>?

    public init(name: String, config: RedisProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
    }

    deinit { if let context { redisFree(context) } }

    public func check() async -> ProbeCheck { await lane.run { self.checkOnLane() } }

    public func close() async {
        await lane.run {
            if let context = self.context { redisFree(context) }
            self.context = nil
        }
    }

    private func checkOnLane() -> ProbeCheck {
        let deadline = PollDeadline(after: timeout)
        var attempts = 0
        if context == nil {
            attempts += 1
            let connectLimit = Self.timeval(milliseconds: deadline.remainingMilliseconds)
            guard let fresh = redisConnectWithTimeout(config.host, Int32(config.port), connectLimit) else {
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
            return .ok(String(text.prefix(80)), attempts: max(attempts, 1))
        }
    }

    private enum Reply { case value(String), error(String) }

    private func run(_ argv: [String], attempts: Int) -> (Reply, ProbeCheck?) {
        guard let context else { return (.error("no connection"), ProbeCheck(.error, "no connection", attempts: attempts)) }
        let cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        var lengths = argv.map { $0.utf8.count }
        let raw = pointers.withUnsafeMutableBufferPointer { argvPointer in
            lengths.withUnsafeMutableBufferPointer { lengthPointer in
                redisCommandArgv(context, Int32(argv.count), argvPointer.baseAddress, lengthPointer.baseAddress)
            }
        }
        guard let raw else {
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

    private func drop() {
        if let context { redisFree(context) }
        context = nil
    }

    private func classify(_ context: UnsafeMutablePointer<redisContext>, doing what: String, attempts: Int) -> ProbeCheck {
        let message = withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let lowered = message.lowercased()
        let timedOut = lowered.contains("temporarily unavailable") || lowered.contains("timed out") || lowered.contains("timeout")
        return ProbeCheck(timedOut ? .timeout : .error, "\(what): \(timedOut ? "no answer within \(Int(timeout.milliseconds)) ms" : message)", attempts: attempts)
    }

    static func timeval(milliseconds: Int32) -> Foundation.timeval {
        let clamped = max(1, Int(milliseconds))
        return Foundation.timeval(tv_sec: clamped / 1000, tv_usec: (clamped % 1000) * 1000)
    }
}
