import Foundation

/// Builds a probe from what on-call types: a URL (`http://…`, `https://…`, `tcp://host:port`,
/// `redis://[:password@]host:port[/db]`, `redis+sentinel://host:port[,…]/master`, `postgres://…`, `ws://…`) or `exec` with an argv, plus
/// options. Every error names what is wrong and what is allowed.
public enum ProbeSpecParser {
    /// Options that refine a spec; each applies to some kinds only.
    public struct Options: Sendable, Equatable {
        public var method: String?
        public var headers: [String] = []
        public var body: String?
        public var expectStatus: String?
        public var bodyContains: String?
        public var bodyRegex: String?
        /// `path=value`
        public var jsonFields: [String] = []
        public var maxLatency: Duration?
        public var insecure = false
        /// TCP bytes or WebSocket messages.
        public var send: [String] = []
        /// TCP: text the answer must contain; WebSocket: message types in order.
        public var expect: [String] = []
        public var query: String?
        public var expectValue: String?
        public var expectRows: Int?
        /// Redis command text, e.g. `GET key`.
        public var command: String?
        public var expectReply: String?
        public var expectExit: Int?
        public var stdoutContains: String?
        public var stdoutRegex: String?
        public var shell = false
        /// The argv of an `exec` probe.
        public var argv: [String] = []

        public init() {}
    }

    public static let schemes = "http://, https://, tcp://, redis://, redis+sentinel://, postgres://, postgresql://, ws://, wss://, or exec -- ARGV"

    public static func parse(_ spec: String, options: Options = Options()) throws(ProbeConfigError) -> ProbeConfig {
        let lowered = spec.lowercased()
        let config: ProbeConfig
        if lowered == "exec" || lowered == "command" {
            guard !options.argv.isEmpty else { throw ProbeConfigError("exec", "give the command after --, e.g. exec -- /usr/bin/redis-cli ping") }
            var command = CommandProbeConfig(argv: options.argv)
            command.shell = options.shell
            if let expectExit = options.expectExit { command.expectExit = expectExit }
            command.stdoutContains = options.stdoutContains
            command.stdoutRegex = options.stdoutRegex
            try refuse(options, except: ["expectExit", "stdoutContains", "stdoutRegex", "shell", "argv"], kind: "exec")
            config = .command(command)
        } else if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            var http = HTTPProbeConfig(url: spec)
            if let method = options.method { http.method = method.uppercased() }
            http.headers = options.headers
            http.body = options.body
            if let expectStatus = options.expectStatus { http.expectStatus = try StatusExpectation.parse(expectStatus) }
            http.bodyContains = options.bodyContains
            http.bodyRegex = options.bodyRegex
            for field in options.jsonFields {
                guard let equals = field.firstIndex(of: "="), equals != field.startIndex else {
                    throw ProbeConfigError("json-field", "'\(field)' is not path=value (e.g. status=ok, data.items.0.id=7)")
                }
                http.jsonFields[String(field[..<equals])] = String(field[field.index(after: equals)...])
            }
            http.maxLatency = options.maxLatency
            http.verifyTLS = !options.insecure
            try refuse(options, except: ["method", "headers", "body", "expectStatus", "bodyContains", "bodyRegex", "jsonFields", "maxLatency", "insecure"], kind: "http")
            config = .http(http)
        } else if lowered.hasPrefix("tcp://") {
            let (host, port) = try hostPort(spec, defaultPort: nil)
            guard options.send.count <= 1, options.expect.count <= 1 else {
                throw ProbeConfigError("send/expect", "a tcp probe takes at most one --send and one --expect")
            }
            config = .tcp(TCPProbeConfig(host: host, port: port, send: options.send.first, expect: options.expect.first))
            try refuse(options, except: ["send", "expect"], kind: "tcp")
        } else if lowered.hasPrefix("redis+sentinel://") {
            // redis+sentinel://[:password@]host:port[,host:port…]/mastername[/db]: URLComponents takes one host only.
            var rest = String(spec.dropFirst("redis+sentinel://".count))
            var redis = RedisProbeConfig(host: "", port: 6379)
            if let at = rest.lastIndex(of: "@") {
                let credentials = rest[..<at]
                redis.password = String(credentials.hasPrefix(":") ? credentials.dropFirst() : credentials)
                rest = String(rest[rest.index(after: at)...])
            }
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let sentinels = parts[0].split(separator: ",").map(String.init)
            guard parts.count >= 2, !parts[1].isEmpty, !sentinels.isEmpty, let first = sentinels.first.flatMap(RedisProbeConfig.hostPort) else {
                throw ProbeConfigError("url", "'\(spec)' is not redis+sentinel://[:password@]host:port[,host:port…]/mastername[/db]")
            }
            (redis.host, redis.port) = first
            redis.sentinels = sentinels
            redis.master = parts[1]
            if parts.count > 2, !parts[2].isEmpty {
                guard let database = Int(parts[2]) else { throw ProbeConfigError("url", "database '\(parts[2])' is not a number") }
                redis.database = database
            }
            config = .redis(try withRedisOptions(redis, options))
        } else if lowered.hasPrefix("redis://") {
            guard let url = URLComponents(string: spec), let host = url.host, !host.isEmpty else {
                throw ProbeConfigError("url", "'\(spec)' is not redis://[:password@]host[:port][/db]")
            }
            var redis = RedisProbeConfig(host: host, port: url.port ?? 6379)
            redis.password = url.password ?? url.user.flatMap { $0.isEmpty ? nil : $0 }  // redis://:secret@host or redis://secret@host
            let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !path.isEmpty {
                guard let database = Int(path) else { throw ProbeConfigError("url", "database '\(path)' is not a number") }
                redis.database = database
            }
            config = .redis(try withRedisOptions(redis, options))
        } else if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            var postgres = PostgresProbeConfig(dsn: spec)
            if let query = options.query { postgres.query = query }
            postgres.expectValue = options.expectValue
            postgres.expectRows = options.expectRows
            try refuse(options, except: ["query", "expectValue", "expectRows"], kind: "postgres")
            config = .postgres(postgres)
        } else if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") {
            var websocket = WebSocketProbeConfig(url: spec)
            websocket.headers = options.headers
            websocket.send = options.send
            websocket.expect = options.expect.map { WebSocketExpectation(type: $0) }
            try refuse(options, except: ["headers", "send", "expect"], kind: "websocket")
            config = .websocket(websocket)
        } else {
            throw ProbeConfigError("spec", "'\(spec)' is not a probe; use \(schemes)")
        }
        try config.validate()
        return config
    }

    /// `host:port` of a `scheme://host:port` spec.
    /// `--command` and `--expect-reply` on a Redis probe (plain or through Sentinel); other options refused.
    static func withRedisOptions(_ config: RedisProbeConfig, _ options: Options) throws(ProbeConfigError) -> RedisProbeConfig {
        var redis = config
        if let command = options.command { redis.command = command.split(separator: " ").map(String.init) }
        redis.expectReply = options.expectReply
        try refuse(options, except: ["command", "expectReply"], kind: "redis")
        return redis
    }

    static func hostPort(_ spec: String, defaultPort: Int?) throws(ProbeConfigError) -> (String, Int) {
        guard let url = URLComponents(string: spec), let host = url.host, !host.isEmpty else {
            throw ProbeConfigError("url", "'\(spec)' has no host; e.g. tcp://127.0.0.1:5432")
        }
        guard let port = url.port ?? defaultPort else { throw ProbeConfigError("url", "'\(spec)' has no port; e.g. tcp://127.0.0.1:5432") }
        return (host, port)
    }

    /// Refuses options that do not apply to the kind, naming them.
    static func refuse(_ options: Options, except allowed: Set<String>, kind: String) throws(ProbeConfigError) {
        let given: [(String, String, Bool)] = [
            ("method", "--method", options.method != nil), ("headers", "--header", !options.headers.isEmpty),
            ("body", "--body", options.body != nil), ("expectStatus", "--expect-status", options.expectStatus != nil),
            ("bodyContains", "--body-contains", options.bodyContains != nil), ("bodyRegex", "--body-regex", options.bodyRegex != nil),
            ("jsonFields", "--json-field", !options.jsonFields.isEmpty), ("maxLatency", "--max-latency", options.maxLatency != nil),
            ("insecure", "--insecure", options.insecure), ("send", "--send", !options.send.isEmpty),
            ("expect", "--expect", !options.expect.isEmpty), ("query", "--query", options.query != nil),
            ("expectValue", "--expect-value", options.expectValue != nil), ("expectRows", "--expect-rows", options.expectRows != nil),
            ("command", "--command", options.command != nil), ("expectReply", "--expect-reply", options.expectReply != nil),
            ("expectExit", "--expect-exit", options.expectExit != nil), ("stdoutContains", "--stdout-contains", options.stdoutContains != nil),
            ("stdoutRegex", "--stdout-regex", options.stdoutRegex != nil), ("shell", "--shell", options.shell),
            ("argv", "-- ARGV", !options.argv.isEmpty),
        ]
        let wrong = given.filter { $0.2 && !allowed.contains($0.0) }.map(\.1)
        if !wrong.isEmpty {
            throw ProbeConfigError(wrong.joined(separator: ", "), "does not apply to \(kind) probes")
        }
    }
}
