import ArgumentParser
import FaultlineSupport
import Probes

/// The options that refine a probe spec on the command line (each applies to some kinds only).
struct ProbeOptions: ParsableArguments {
    @Option(name: .long, help: "http: request method.") var method: String?
    @Option(name: .long, help: "http/ws: a header 'Name: value' (repeatable).") var header: [String] = []
    @Option(name: .long, help: "http: request body.") var body: String?
    @Option(name: .long, help: "http: ok statuses: 200, 200,204, 200-299, 2xx (default 200-399).") var expectStatus: String?
    @Option(name: .long, help: "http: text the body must contain.") var bodyContains: String?
    @Option(name: .long, help: "http: regular expression the body must match.") var bodyRegex: String?
    @Option(name: .long, help: "http: JSON field path=value the body must have (repeatable).") var jsonField: [String] = []
    @Option(name: .long, help: "http: slower answers count as failed, e.g. 300ms.") var maxLatency: String?
    @Flag(name: .long, help: "https: do not verify the certificate.") var insecure = false
    @Option(name: .long, help: "tcp: bytes to send; ws: a message to send (repeatable).") var send: [String] = []
    @Option(name: .long, help: "tcp: text the answer must contain; ws: message types expected in order (repeatable).") var expect: [String] = []
    @Option(name: .long, help: "postgres: the query (default: select 1).") var query: String?
    @Option(name: .long, help: "postgres: expected first value.") var expectValue: String?
    @Option(name: .long, help: "postgres: expected row count.") var expectRows: Int?
    @Option(name: .long, help: "redis: the command (default PING).") var command: String?
    @Option(name: .long, help: "redis: the expected reply (PING: PONG).") var expectReply: String?
    @Option(name: .long, help: "exec: the expected exit code (default 0).") var expectExit: Int?
    @Option(name: .long, help: "exec: text stdout must contain.") var stdoutContains: String?
    @Option(name: .long, help: "exec: regular expression stdout must match.") var stdoutRegex: String?
    @Flag(name: .long, help: "exec: run the command through /bin/sh -c.") var shell = false

    func parserOptions(argv: [String]) throws -> ProbeSpecParser.Options {
        var options = ProbeSpecParser.Options()
        options.method = method
        options.headers = header
        options.body = body
        options.expectStatus = expectStatus
        options.bodyContains = bodyContains
        options.bodyRegex = bodyRegex
        options.jsonFields = jsonField
        options.maxLatency = try maxLatency.map { try DurationText.parse($0) }
        options.insecure = insecure
        options.send = send
        options.expect = expect
        options.query = query
        options.expectValue = expectValue
        options.expectRows = expectRows
        options.command = command
        options.expectReply = expectReply
        options.expectExit = expectExit
        options.stdoutContains = stdoutContains
        options.stdoutRegex = stdoutRegex
        options.shell = shell
        options.argv = argv
        return options
    }
}
