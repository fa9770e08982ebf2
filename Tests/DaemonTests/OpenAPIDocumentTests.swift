@testable import Daemon
import Faults
import Foundation
import TestSupport
import Testing
import Yams

/// docs/openapi.yaml kept in step with the daemon: the same paths and methods as the routes it
/// registers, the fault kinds an agent takes, the health fields it sends, and every documented
/// operation answered by a real daemon (never a route it does not have).
@Suite struct OpenAPIDocumentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func document() throws -> [String: Any] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// `GET /v1/runs/{id}` for every operation the document lists.
    static func documentedOperations() throws -> Set<String> {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, operations in
            operations.keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
    }

    /// The routes `APIRoutes.router` registers, read from its source (`route(.get, "/v1/runs/:id")`).
    static func registeredRoutes() throws -> Set<String> {
        let source = try String(contentsOf: root.appendingPathComponent("Sources/Daemon/APIRoutes.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"route\(\.(get|post|put|delete|patch), "([^"]+)"\)"#)
        let matches = pattern.matches(in: source, range: NSRange(source.startIndex..., in: source))
        return Set(matches.map { match in
            let method = String(source[Range(match.range(at: 1), in: source)!]).uppercased()
            let path = String(source[Range(match.range(at: 2), in: source)!])
                .split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(method) \(path)"
        })
    }

    // Every route is documented and every documented operation is a route.
    @Test func documentsExactlyTheRoutes() throws {
        let routes = try Self.registeredRoutes(), documented = try Self.documentedOperations()
        #expect(routes.count >= 14, "the route pattern found only \(routes.sorted())")
        #expect(routes == documented, "undocumented: \(routes.subtracting(documented).sorted()); not served: \(documented.subtracting(routes).sorted())")
    }

    // The fault kinds an agent takes are the container kinds of the kinds' one definition.
    @Test func listsTheKindsAnAgentTakes() throws {
        let schemas = try #require((try Self.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let request = try #require(schemas["AgentFaultRequest"] as? [String: Any])
        let kind = try #require((request["properties"] as? [String: Any])?["kind"] as? [String: Any])
        #expect(kind["enum"] as? [String] == FaultKind.allCases.filter(\.actsOnContainer).map(\.rawValue))
        #expect(Set((request["properties"] as? [String: Any])?.keys.map { $0 } ?? []) == Set(AgentFaultRequest.keys))
    }

    // The health answer's fields are the documented ones.
    @Test func documentsTheHealthFields() throws {
        let schemas = try #require((try Self.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let health = try #require(schemas["Health"] as? [String: Any])
        let sample = DaemonState.Health(status: "ok", pid: 1, uptimeSeconds: 1, engine: "ok", engineAPI: "1.41", runsActive: 0,
                                        faultsHeld: 0, schedules: 0, stateDirectory: "/x")
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encode(sample)) as? [String: Any])
        #expect(Set(encoded.keys) == Set((health["properties"] as? [String: Any])?.keys.map { $0 } ?? []))
        #expect(Set(encoded.keys) == Set(health["required"] as? [String] ?? []))
    }

    // A real daemon answers every documented operation with one of its own answers (a JSON
    // refusal, or the resource), never as a route it lacks; harmless inputs change nothing.
    @Test func aRealDaemonAnswersEveryDocumentedOperation() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        for operation in try Self.documentedOperations().sorted() {
            let parts = operation.split(separator: " ")
            let method = String(parts[0])
            let path = String(parts[1]).replacingOccurrences(of: "{id}", with: "nope").replacingOccurrences(of: "{name}", with: "report.json")
            let answer = try await daemon.call(method, path, body: method == "POST" ? "{}" : nil, timeout: .seconds(10))
            #expect(answer.status < 500, "\(operation): \(answer)")
            if path == "/metrics" {
                #expect(answer.status == 200 && answer.body.contains("faultline_"), "\(operation): \(answer)")
            } else {
                let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))
                #expect(object != nil, "\(operation) answered \(answer.status) without JSON: a route the daemon lacks? \(answer.body)")
            }
        }
        #expect(try await daemon.stop() == 0)
    }

    // A method a path does not take is 405 naming the ones it does (and `Allow`); a path the
    // daemon does not have is a JSON 404 naming it.
    @Test func refusesUnknownMethodsAndPathsInItsOwnTerms() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        let trace = try await daemon.call("TRACE", "/v1/faults/abc")
        #expect(trace.status == 405 && trace.body.contains("takes DELETE, GET"), "\(trace)")
        let put = try await daemon.call("PUT", "/v1/runs", body: "{}")
        #expect(put.status == 405 && put.body.contains("takes GET, POST"), "\(put)")
        let nothing = try await daemon.call("GET", "/v1/nothing/here")
        #expect(nothing.status == 404 && nothing.body.contains("no endpoint GET /v1/nothing/here"), "\(nothing)")
        #expect(try await daemon.stop() == 0)
    }
}
