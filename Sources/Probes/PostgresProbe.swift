import CLibPQ
import Foundation

/// What a PostgreSQL probe runs and expects.
public struct PostgresProbeConfig: Codable, Sendable, Equatable {
    /// A libpq connection string or URI, e.g. `postgres://app@127.0.0.1:5435/app`.
    public var dsn: String
    public var query: String = "select 1"
    /// The first column of the first row, as text.
    public var expectValue: String?
    public var expectRows: Int?

    public init(dsn: String) { self.dsn = dsn }

    public func validate() throws(ProbeConfigError) {
        guard !dsn.isEmpty else { throw ProbeConfigError("dsn", "empty; e.g. postgres://app@127.0.0.1:5435/app") }
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ProbeConfigError("query", "empty") }
        if let expectRows, expectRows < 0 { throw ProbeConfigError("expect_rows", "must be 0 or more") }
    }
}

/// Runs one query over a kept connection with libpq's asynchronous API, so the deadline is
/// enforced on the client: a frozen server cannot block the probe past its time-out (connect,
/// send and result all wait in poll(2) on the connection's socket).
public final class PostgresProbe: Probe, @unchecked Sendable {
    // @unchecked: `connection` is touched only on `lane`, one check at a time.
    public let name: String
    public let timeout: Duration
    let config: PostgresProbeConfig
    private let lane = BlockingLane(label: "faultline.probe.postgres")
    private var connection: OpaquePointer?

    public init(name: String, config: PostgresProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
    }

    /// host:port of the last connection (libpq picks among a DSN's hosts).
    private var lastServer: String?

    deinit { if let connection { PQfinish(connection) } }

    public func check() async -> ProbeCheck { await lane.check { self.checkOnLane() } }

    public func close() async {
        await lane.run {
            if let connection = self.connection { PQfinish(connection) }
            self.connection = nil
        }
    }

    private func checkOnLane() -> ProbeCheck {
        let deadline = PollDeadline(after: timeout)
        var reconnected = false
        if connection == nil {
            switch connect(deadline: deadline) {
            case .connected(let fresh): connection = fresh
            case .failed(let check): return check
            }
            reconnected = true
        }
        let result = query(deadline: deadline, attempts: 1)
        if result.outcome == .timeout || result.outcome == .error { drop() }
        guard reconnected, result.outcome == .ok, let connection else { return result }
        // A DSN with several hosts (libpq's host=a,b with target_session_attrs) follows a failover:
        // say which server answers once it is another than before.
        let server = "\(Self.message(PQhost(connection))):\(Self.message(PQport(connection)))"
        defer { lastServer = server }
        return .ok(result.reason + (lastServer.map { $0 == server ? " (new connection)" : " (new connection, now to \(server))" } ?? " (new connection)"))
    }

    private enum Connection { case connected(OpaquePointer), failed(ProbeCheck) }

    private func connect(deadline: PollDeadline) -> Connection {
        guard let fresh = PQconnectStart(config.dsn) else { return .failed(ProbeCheck(.error, "cannot allocate a libpq connection")) }
        if PQstatus(fresh) == CONNECTION_BAD {
            let message = Self.message(PQerrorMessage(fresh))
            PQfinish(fresh)
            return .failed(ProbeCheck(.error, "connect: \(message)"))
        }
        var status = PGRES_POLLING_WRITING
        while true {
            let events: Int16
            switch status {
            case PGRES_POLLING_OK:
                PQsetnonblocking(fresh, 1)
                return .connected(fresh)
            case PGRES_POLLING_FAILED:
                let message = Self.message(PQerrorMessage(fresh))
                PQfinish(fresh)
                return .failed(ProbeCheck(.error, "connect: \(message)"))
            case PGRES_POLLING_READING: events = Int16(POLLIN)
            default: events = Int16(POLLOUT)
            }
            do {
                try SocketIO.wait(PQsocket(fresh), for: events, deadline: deadline, doing: "connect")
            } catch {
                PQfinish(fresh)
                return .failed(ProbeCheck(error.timedOut ? .timeout : .error, error.timedOut
                                           ? "connect: no answer within \(Int(timeout.milliseconds)) ms" : error.message))
            }
            status = PQconnectPoll(fresh)
        }
    }

    private func query(deadline: PollDeadline, attempts: Int) -> ProbeCheck {
        guard let connection else { return ProbeCheck(.error, "no connection", attempts: attempts) }
        guard PQsendQuery(connection, config.query) == 1 else {
            return ProbeCheck(.error, "send: \(Self.message(PQerrorMessage(connection)))", attempts: attempts)
        }
        do {
            while PQflush(connection) == 1 {
                try SocketIO.wait(PQsocket(connection), for: Int16(POLLOUT), deadline: deadline, doing: "send")
            }
            while true {
                guard PQconsumeInput(connection) == 1 else {
                    return ProbeCheck(.error, "connection broken: \(Self.message(PQerrorMessage(connection)))", attempts: attempts)
                }
                if PQisBusy(connection) == 0 { break }
                try SocketIO.wait(PQsocket(connection), for: Int16(POLLIN), deadline: deadline, doing: "query")
            }
        } catch {
            return ProbeCheck(error.timedOut ? .timeout : .error,
                              error.timedOut ? "query: no answer within \(Int(timeout.milliseconds)) ms" : error.message, attempts: attempts)
        }
        var check: ProbeCheck?
        while let result = PQgetResult(connection) {
            if check == nil { check = evaluate(result, attempts: attempts) }
            PQclear(result)
        }
        // A query error on a connection the server then closed (shutdown, crash, terminated
        // backend) is a broken connection, not a wrong answer.
        if let failed = check, failed.outcome == .failed, PQstatus(connection) == CONNECTION_BAD {
            return ProbeCheck(.error, "connection lost: \(failed.reason)", attempts: attempts)
        }
        return check ?? ProbeCheck(.error, "no result", attempts: attempts)
    }

    private func evaluate(_ result: OpaquePointer, attempts: Int) -> ProbeCheck {
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            return ProbeCheck(.failed, "query failed: \(Self.message(PQresultErrorMessage(result)))", attempts: attempts)
        }
        let rows = Int(PQntuples(result))
        if let expectRows = config.expectRows, rows != expectRows {
            return ProbeCheck(.failed, "\(rows) rows (expected \(expectRows))", attempts: attempts)
        }
        let first: String? = rows > 0 && PQnfields(result) > 0 && PQgetisnull(result, 0, 0) == 0
            ? String(cString: PQgetvalue(result, 0, 0)) : nil
        if let expected = config.expectValue, first != expected {
            return ProbeCheck(.failed, "first value \(first.map { "'\($0)'" } ?? "NULL") (expected '\(expected)')", attempts: attempts)
        }
        return .ok(first.map { "\(rows) row(s), first '\($0.prefix(60))'" } ?? "\(rows) row(s)", attempts: attempts)
    }

    private func drop() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    static func message(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
    }
}
