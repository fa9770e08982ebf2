import Foundation
import Hummingbird
import Logging
import NIOCore
import Probes
import ServiceLifecycle

/// The answer to `POST /v1/probes`: the probe runs on this host and each sample goes back as a
/// server-sent event (`event: sample`, the sample as JSON, its times on this host's clocks), a
/// comment every few seconds keeps a quiet stream open, and `event: end` closes it when the
/// request's `for` has passed. When the coordinator hangs up, the next write fails and the probe
/// stops with it; when the daemon stops, the stream ends (the daemon does not wait out `for`).
enum AgentProbeStream {
    /// How often a comment goes out when no sample did (below the listeners' 10 s idle timeout).
    static let keepAlive: Duration = .seconds(3)

    static func response(_ request: AgentProbeRequest, _ checked: AgentProbeRequest.Checked, logger: Logger) throws(APIError) -> Response {
        let probe: any Probe
        do {
            probe = try request.probe.makeProbe(name: request.name, timeout: checked.timeout, logger: logger)
        } catch {
            throw .badRequest("probe '\(request.name)': \(error.description)")
        }
        let body = ResponseBody { writer in
            let runner = ProbeRunner([.init(probe: probe, every: checked.every)])
            runner.start(for: checked.duration)
            logger.info("probe started for a coordinator", metadata: ["probe": "\(request.name)", "kind": "\(request.probe.kind)", "for": "\(checked.duration)"])
            let (events, feed) = AsyncStream.makeStream(of: ByteBuffer.self)
            let samples = Task {
                let encoder = JSONCoding.encoder()
                for await sample in runner.samples {
                    let data = (try? encoder.encode(sample)) ?? Data("{}".utf8)
                    feed.yield(ByteBuffer(string: "event: sample\ndata: " + String(decoding: data, as: UTF8.self) + "\n\n"))
                }
                feed.yield(ByteBuffer(string: "event: end\ndata: {}\n\n"))
                feed.finish()
            }
            let beats = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: keepAlive)
                    feed.yield(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            do {
                // The daemon stopping ends the stream (its server waits for open responses).
                try await withGracefulShutdownHandler {
                    for await event in events { try await writer.write(event) }
                } onGracefulShutdown: {
                    feed.finish()
                }
                try await writer.finish(nil)
            } catch {
                logger.info("probe stream ended by the coordinator", metadata: ["probe": "\(request.name)", "reason": "\(error)"])
            }
            beats.cancel()
            await runner.stop()
            samples.cancel()
            feed.finish()
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

/// `GET /v1/clock`: this host's wall clock, in nanoseconds since 1970, read as late as possible.
public struct AgentClock: Codable, Sendable, Equatable {
    public let unixNanoseconds: Int64

    enum CodingKeys: String, CodingKey { case unixNanoseconds = "unix_nanoseconds" }

    public init(unixNanoseconds: Int64) { self.unixNanoseconds = unixNanoseconds }

    static func now() -> AgentClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AgentClock(unixNanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(unixNanoseconds) / 1e9) }
}
