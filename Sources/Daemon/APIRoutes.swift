import Campaign
import FaultlineSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The daemon's HTTP API (JSON in and out; see docs/daemon-api.md):
///
///     GET    /v1/health                      the daemon, the engine, runs in progress
///     POST   /v1/runs[?queue=true]           submit a campaign (YAML body, or JSON SubmitRequest)
///     GET    /v1/runs                        every run, newest last
///     GET    /v1/runs/{id}                   one run: status, live figures, checks, reports
///     POST   /v1/runs/{id}/abort             abort (everything injected is reverted)
///     GET    /v1/runs/{id}/events            the run's story as server-sent events, live until it ends
///     GET    /v1/runs/{id}/reports/{name}    report.json, junit.xml, summary.md, report.html
///     GET    /v1/campaigns/{name}/history    a campaign's finished runs, oldest first, with their figures
///     POST   /v1/schedules                   add a schedule (JSON ScheduleRequest)
///     GET    /v1/schedules                   list them
///     DELETE /v1/schedules/{id}              remove one
///     POST   /v1/faults                      as a fleet's agent: inject one fault (JSON AgentFaultRequest)
///     GET    /v1/faults                      faults held, then recently ended
///     GET    /v1/faults/{id}                 one of them
///     DELETE /v1/faults/{id}                 end one now (idempotent: an ended one answers as it ended)
///     POST   /v1/probes                      as a fleet's agent: run a probe from this host, samples as server-sent events
///     GET    /v1/clock                       this host's wall clock (a coordinator measures the offset to its own)
///     GET    /metrics                        Prometheus text
enum APIRoutes {
    /// The largest request body accepted (a campaign file).
    static let maxBody = 1 << 20

    /// Who a listener serves and what it lets them do.
    struct Listener: Sendable {
        /// Required on every request (TCP); nil on the unix socket, whose mode (0600) is its lock.
        var token: String?
        /// `Host` values accepted (TCP); nil accepts any.
        var allowedHosts: Set<String>?
        /// Whether submitted campaigns may run `command` probes (programs as the daemon's user).
        var allowsCommandProbes: Bool
        /// Where probes a coordinator asks for (`POST /v1/probes`) may connect.
        var probeDestinations = ProbeDestinations.any

        static func unixSocket(probeDestinations: ProbeDestinations = .any) -> Listener {
            Listener(token: nil, allowedHosts: nil, allowsCommandProbes: true, probeDestinations: probeDestinations)
        }
    }

    static func router(daemon: DaemonState, listener: Listener) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestGuardMiddleware(allowedHosts: listener.allowedHosts))
        if let token = listener.token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        let book = RouteBook()
        router.add(middleware: UnknownRouteMiddleware(book: book))
        /// Registers a route and notes it in the book (what answers 405 for another method).
        func route(_ method: HTTPRequest.Method, _ path: String,
                   _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
            book.add(method.rawValue, path)
            router.on(RouterPath(path), method: method, use: handler)
        }
        route(.get, "/v1/health") { _, _ in try await json(daemon.health()) }
        route(.post, "/v1/runs") { request, _ in
            try await respond {
                var request = request
                let submit = try await submitRequest(&request)
                if !listener.allowsCommandProbes {
                    try refuseCommandProbes(submit.campaign, file: submit.file ?? "submitted.yaml", variables: submit.variables, daemon: daemon)
                }
                return try json(await daemon.registry.submit(submit), status: .created)
            }
        }
        route(.get, "/v1/runs") { _, _ in try json(await daemon.registry.list()) }
        route(.get, "/v1/campaigns/:name/history") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                let runs = await daemon.registry.list()
                // Reports are read here, off the registry, so a long history does not hold up runs.
                return try json(try CampaignHistory.of(name, runs: runs))
            }
        }
        route(.get, "/v1/runs/:id") { _, context in
            try await respond { try json(await daemon.registry.detail(try context.parameters.require("id"))) }
        }
        route(.post, "/v1/runs/:id/abort") { _, context in
            try await respond { try json(await daemon.registry.abort(try context.parameters.require("id")), status: .accepted) }
        }
        route(.get, "/v1/runs/:id/events") { _, context in
            try await respond {
                let id = try context.parameters.require("id")
                guard let run = await daemon.registry.managed(id) else {
                    if (try? await daemon.registry.summary(id)) != nil {
                        throw APIError(status: 410, message: "run \(id) ended long ago; its events are in its journal (`faultline report`)")
                    }
                    throw await daemon.registry.unknownRun(id)
                }
                return events(run.log.follow())
            }
        }
        route(.get, "/v1/runs/:id/reports/:name") { _, context in
            try await respond {
                let id = try context.parameters.require("id"), name = try context.parameters.require("name")
                let summary = try await daemon.registry.summary(id)
                let types = ["report.json": "application/json", "junit.xml": "application/xml", "summary.md": "text/markdown; charset=utf-8",
                             "report.html": "text/html; charset=utf-8"]
                guard let type = types[name] else { throw APIError.notFound("no report '\(name)' (reports: \(types.keys.sorted().joined(separator: ", ")))") }
                guard let directory = summary.directory, let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                    throw APIError.notFound("run \(id) has no \(name) yet (status \(summary.status.rawValue))")
                }
                return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        route(.post, "/v1/schedules") { request, _ in
            try await respond {
                let add = try await decodeBody(ScheduleRequest.self, of: request)
                if !listener.allowsCommandProbes {
                    try refuseCommandProbes(add.campaign, file: add.file ?? "scheduled.yaml", variables: add.variables, daemon: daemon)
                }
                return try json(await daemon.schedules.add(add, environment: daemon.environment).listing, status: .created)
            }
        }
        route(.get, "/v1/schedules") { _, _ in try json(await daemon.schedules.list().map(\.listing)) }
        route(.delete, "/v1/schedules/:id") { _, context in
            try await respond { try json(await daemon.schedules.remove(try context.parameters.require("id")).listing) }
        }
        route(.post, "/v1/faults") { request, _ in
            try await respond {
                let fault = try await decodeBody(AgentFaultRequest.self, of: request)
                return try json(await daemon.faults.inject(fault), status: .created)
            }
        }
        route(.get, "/v1/faults") { _, _ in try json(await daemon.faults.list()) }
        route(.get, "/v1/faults/:id") { _, context in
            try await respond { try json(await daemon.faults.fault(try context.parameters.require("id"))) }
        }
        route(.delete, "/v1/faults/:id") { _, context in
            try await respond { try json(await daemon.faults.revert(try context.parameters.require("id"))) }
        }
        route(.post, "/v1/probes") { request, _ in
            try await respond {
                let probe = try await decodeBody(AgentProbeRequest.self, of: request)
                let checked = try probe.checked(allowsCommandProbes: listener.allowsCommandProbes, allowedDestinations: listener.probeDestinations)
                return try AgentProbeStream.response(probe, checked, logger: daemon.faults.logger)
            }
        }
        route(.get, "/v1/clock") { _, _ in try json(AgentClock.now()) }
        route(.get, "/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: daemon.metrics.render())))
        }
        return router
    }

    /// A YAML body is the campaign itself (`?queue=true`, `?file=`); a JSON body is a `SubmitRequest`.
    static func submitRequest(_ request: inout Request) async throws -> SubmitRequest {
        let body = try await request.collectBody(upTo: maxBody)
        let type = request.headers[.contentType] ?? ""
        let queue = request.uri.queryParameters["queue"].map { $0 == "true" || $0 == "1" }
        if type.hasPrefix("application/json") {
            var submit = try decode(SubmitRequest.self, from: body)
            if let queue { submit.queue = queue }
            return submit
        }
        let text = String(buffer: body)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("the body is empty: send the campaign file (YAML) or a JSON {\"campaign\": …}")
        }
        return SubmitRequest(campaign: text, file: request.uri.queryParameters["file"].map(String.init), queue: queue)
    }

    /// 403 for a campaign with a `command` probe on a listener that does not allow them.
    static func refuseCommandProbes(_ text: String, file: String, variables: [String: String]?, daemon: DaemonState) throws(APIError) {
        let campaign = try SubmittedCampaign.parse(text, file: file, variables: variables, environment: daemon.environment)
        let commands = campaign.probes.filter { if case .command = $0.config { return true } else { return false } }.map(\.name)
        guard commands.isEmpty else {
            throw APIError(status: 403, message: "probe\(commands.count == 1 ? "" : "s") \(commands.map { "'\($0)'" }.joined(separator: ", ")) "
                           + "would run a program as the daemon's user, which this TCP listener does not allow; submit it on the daemon's unix socket, "
                           + "or start the daemon with --allow-command-probes")
        }
    }

    /// The request's JSON body (at most `maxBody`) as `T`, or a 400/413 saying what is wrong.
    static func decodeBody<T: Decodable>(_ type: T.Type, of request: Request) async throws -> T {
        var request = request
        return try decode(T.self, from: try await request.collectBody(upTo: maxBody))
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws(APIError) -> T {
        do {
            return try JSONCoding.decoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("the JSON body misses '\(key.stringValue)'")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw APIError.badRequest("the JSON body at '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.badRequest("the JSON body has the wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error)")
        }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: JSONCoding.encode(value))))
    }

    /// Turns an `APIError` (and anything else thrown) into its JSON answer.
    static func respond(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as APIError {
            return errorResponse(error)
        } catch let error as HTTPError {
            return errorResponse(APIError(status: Int(error.status.code), message: error.body ?? "\(error.status)"))
        } catch is NIOTooManyBytesError {
            return errorResponse(APIError(status: 413, message: "the request body is larger than \(maxBody / 1024) KiB, the most the daemon reads"))
        } catch let error as any HTTPResponseError {
            return errorResponse(APIError(status: Int(error.status.code), message: "\(error.status): \(error)"))
        }
    }

    static func errorResponse(_ error: APIError) -> Response {
        Response(status: .init(code: error.status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: error.body)))
    }

    /// Server-sent events: one `data:` line of JSON per event line, a comment every 15 s to keep
    /// proxies from closing a quiet stream, and the end of the stream when the run ends.
    static func events(_ lines: AsyncStream<RunEventLine>) -> Response {
        let encoder = JSONCoding.encoder()
        let body = ResponseBody { writer in
            for await line in lines {
                let data = (try? encoder.encode(line)) ?? Data("{}".utf8)
                try await writer.write(ByteBuffer(string: "event: \(line.event)\ndata: " + String(decoding: data, as: UTF8.self) + "\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
