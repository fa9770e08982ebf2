import FaultlineSupport
import Probes

/// Reads one probe of a campaign: `{ name, every, timeout, <kind>: {…} }`.
enum ProbeParser {
    static let kinds = ProbeConfig.kinds
    /// A probe's keys besides its kind.
    static let settingKeys = ["name", "every", "timeout", "from"]

    static func parse(_ node: YAMLNode) throws(CampaignError) -> ProbeDefinition {
        let entries = try node.mapping(allowed: settingKeys + kinds)
        guard let nameNode = entries["name"] else { throw node.error("missing 'name'") }
        let given = kinds.filter { entries[$0] != nil }
        guard given.count == 1, let kind = given.first, let body = entries[kind] else {
            throw node.error(given.isEmpty ? "give one probe kind: \(kinds.joined(separator: ", "))" : "give only one probe kind, not \(given.joined(separator: " and "))")
        }
        let config: ProbeConfig
        switch kind {
        case "http": config = .http(try http(body))
        case "tcp": config = .tcp(try tcp(body))
        case "postgres": config = .postgres(try postgres(body))
        case "redis": config = .redis(try redis(body))
        case "websocket": config = .websocket(try websocket(body))
        default: config = .command(try command(body))
        }
        do { try config.validate() } catch { throw body.error(error.description) }
        let every = try entries["every"]?.duration() ?? .milliseconds(500)
        guard every >= ProbeRunner.minimumInterval else { throw entries["every"]!.error("must be at least 10ms") }
        let from = try entries["from"].map { value throws(CampaignError) in try CampaignParser.nodeName(value) }
        if from != nil, case .command = config {
            throw entries["from"]!.error("a command probe runs on the coordinator only: an agent does not run programs a coordinator sends")
        }
        return ProbeDefinition(name: try nameNode.nonEmptyString(), config: config, every: every,
                               timeout: try entries["timeout"]?.duration() ?? .seconds(1), node: from)
    }

    static func http(_ node: YAMLNode) throws(CampaignError) -> HTTPProbeConfig {
        let entries = try node.mapping(allowed: ["url", "method", "headers", "body", "expect_status", "body_contains", "body_regex", "json_fields", "max_latency", "verify_tls"])
        guard let url = entries["url"] else { throw node.error("missing 'url'") }
        var config = HTTPProbeConfig(url: try url.nonEmptyString())
        if let value = entries["method"] { config.method = try value.choice(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) }
        if let value = entries["headers"] { config.headers = try value.stringList() }
        if let value = entries["body"] { config.body = try value.string() }
        if let value = entries["expect_status"] {
            do { config.expectStatus = try StatusExpectation.parse(try value.string()) } catch let error as ProbeConfigError {
                throw value.error(error.message)
            } catch let located as CampaignError { throw located } catch { throw value.error("\(error)") }
        }
        if let value = entries["body_contains"] { config.bodyContains = try value.string() }
        if let value = entries["body_regex"] { config.bodyRegex = try value.string() }
        if let value = entries["json_fields"] {
            for (path, expected) in try value.namedMapping() { config.jsonFields[path] = try expected.string() }
        }
        if let value = entries["max_latency"] { config.maxLatency = try value.duration() }
        if let value = entries["verify_tls"] { config.verifyTLS = try value.bool() }
        return config
    }

    static func tcp(_ node: YAMLNode) throws(CampaignError) -> TCPProbeConfig {
        let entries = try node.mapping(allowed: ["host", "port", "send", "expect"])
        guard let host = entries["host"], let port = entries["port"] else { throw node.error("give 'host' and 'port'") }
        return TCPProbeConfig(host: try host.nonEmptyString(), port: try port.int(in: 1...65535),
                              send: try entries["send"]?.string(), expect: try entries["expect"]?.string())
    }

    static func postgres(_ node: YAMLNode) throws(CampaignError) -> PostgresProbeConfig {
        let entries = try node.mapping(allowed: ["dsn", "query", "expect_value", "expect_rows"])
        guard let dsn = entries["dsn"] else { throw node.error("missing 'dsn', e.g. postgres://app@127.0.0.1:5435/app") }
        var config = PostgresProbeConfig(dsn: try dsn.nonEmptyString())
        if let value = entries["query"] { config.query = try value.nonEmptyString() }
        if let value = entries["expect_value"] { config.expectValue = try value.string() }
        if let value = entries["expect_rows"] { config.expectRows = try value.int(in: 0...Int.max) }
        return config
    }

    static func redis(_ node: YAMLNode) throws(CampaignError) -> RedisProbeConfig {
        let entries = try node.mapping(allowed: ["host", "port", "password", "database", "command", "expect_reply", "sentinels", "master"])
        var config: RedisProbeConfig
        if let value = entries["sentinels"] {
            // Through Sentinel: host and port are the master's, asked of the Sentinels at each check.
            if entries["host"] != nil || entries["port"] != nil { throw node.error("give either host and port, or sentinels and master") }
            let sentinels = try value.stringList()
            guard let first = sentinels.first else { throw value.error("empty; e.g. [127.0.0.1:26379]") }
            for sentinel in sentinels where RedisProbeConfig.hostPort(sentinel) == nil { throw value.error("'\(sentinel)' is not host:port") }
            guard let master = entries["master"] else { throw node.error("missing 'master': the name the Sentinels monitor, e.g. mymaster") }
            let (host, port) = RedisProbeConfig.hostPort(first)!  // checked just above
            config = RedisProbeConfig(host: host, port: port)
            config.sentinels = sentinels
            config.master = try master.nonEmptyString()
        } else {
            guard let host = entries["host"] else { throw node.error("missing 'host' (or 'sentinels' and 'master')") }
            if let master = entries["master"] { throw master.error("'master' needs 'sentinels' to ask") }
            config = RedisProbeConfig(host: try host.nonEmptyString(), port: try entries["port"]?.int(in: 1...65535) ?? 6379)
        }
        if let value = entries["password"] { config.password = try value.string() }
        if let value = entries["database"] { config.database = try value.int(in: 0...10_000) }
        if let value = entries["command"] {
            if case .scalar = value.node {
                config.command = try value.nonEmptyString().split(separator: " ").map(String.init)
            } else {
                config.command = try value.stringList()
            }
        }
        if let value = entries["expect_reply"] { config.expectReply = try value.string() }
        return config
    }

    static func websocket(_ node: YAMLNode) throws(CampaignError) -> WebSocketProbeConfig {
        let entries = try node.mapping(allowed: ["url", "headers", "send", "expect", "match_field", "error_type", "fail_on", "persistent"])
        guard let url = entries["url"] else { throw node.error("missing 'url'") }
        var config = WebSocketProbeConfig(url: try url.nonEmptyString())
        if let value = entries["headers"] { config.headers = try value.stringList() }
        if let value = entries["send"] { config.send = try value.stringList() }
        if let value = entries["expect"] {
            config.expect = try value.sequence().map { item throws(CampaignError) -> WebSocketExpectation in
                if case .scalar = item.node { return WebSocketExpectation(type: try item.nonEmptyString()) }
                let fields = try item.mapping(allowed: ["type", "fields", "skip_mismatched"])
                guard let type = fields["type"] else { throw item.error("missing 'type'") }
                let checks = try (fields["fields"]?.sequence() ?? []).map { check throws(CampaignError) -> FieldCheck in
                    let parts = try check.mapping(allowed: ["path", "equals", "present", "min_length"])
                    guard let path = parts["path"] else { throw check.error("missing 'path'") }
                    return FieldCheck(path: try path.nonEmptyString(), equals: try parts["equals"]?.string(),
                                      present: try parts["present"]?.bool(), minLength: try parts["min_length"]?.int(in: 0...Int.max))
                }
                return WebSocketExpectation(type: try type.nonEmptyString(), fields: checks,
                                            skipMismatched: try fields["skip_mismatched"]?.bool() ?? false)
            }
        }
        if let value = entries["match_field"] { config.matchField = try value.nonEmptyString() }
        if let value = entries["error_type"] { config.errorType = value.isNull ? nil : try value.string() }
        if let value = entries["persistent"] { config.persistent = try value.bool() }
        if let value = entries["fail_on"] { config.failOn = try value.stringList() }
        return config
    }

    static func command(_ node: YAMLNode) throws(CampaignError) -> CommandProbeConfig {
        let entries = try node.mapping(allowed: ["argv", "shell", "expect_exit", "stdout_contains", "stdout_regex"])
        guard let argv = entries["argv"] else { throw node.error("missing 'argv' (the program and its arguments)") }
        var config = CommandProbeConfig(argv: try argv.stringList())
        if let value = entries["shell"] { config.shell = try value.bool() }
        if let value = entries["expect_exit"] { config.expectExit = try value.int(in: 0...255) }
        if let value = entries["stdout_contains"] { config.stdoutContains = try value.string() }
        if let value = entries["stdout_regex"] { config.stdoutRegex = try value.string() }
        return config
    }
}
