@testable import DockerEngine
import Foundation
import Testing

@Suite struct ClientPureLogicTests {
    // The lower of our newest and the engine's version is spoken; too old an engine is refused.
    @Test func negotiatesVersion() throws {
        #expect(try DockerEngineClient.negotiate(engine: "1.41") == "1.41")
        #expect(try DockerEngineClient.negotiate(engine: "1.47") == DockerEngineClient.newestAPIVersion)
        #expect(throws: DockerEngineError.self) { try DockerEngineClient.negotiate(engine: "1.30") }
    }

    // A name or id becomes one URL path segment or nothing: '../../_ping#' never reaches another endpoint.
    @Test func refusesIdentifiersThatAreNotNames() throws {
        #expect(try DockerEngineClient.segment("proj_web-1.a") == "proj_web-1.a")
        #expect(try DockerEngineClient.segment("/postgres") == "postgres")
        for bad in ["../../_ping#", "a/b", "x?y=1", "..", "", " a", "a b", "é", "a\u{0}"] {
            #expect(throws: DockerEngineError.self, "\(bad)") { try DockerEngineClient.segment(bad) }
        }
        do { _ = try DockerEngineClient.segment("../../_ping#") } catch { #expect(error.status == 404) }
    }

    // Versions compare numerically, not as text.
    @Test func comparesVersions() {
        #expect(APIVersion("1.9") < APIVersion("1.41"))
        #expect(APIVersion("1.41") == APIVersion("1.41.0"))
    }

    // Query values (JSON filters) are percent-encoded; separators never leak.
    @Test func encodesQueries() {
        let query = DockerEngineClient.encode(query: [("filters", #"{"label":["a=b&c"]}"#), ("all", "1")])
        #expect(query == "?filters=%7B%22label%22:%5B%22a%3Db%26c%22%5D%7D&all=1")
        #expect(DockerEngineClient.encode(query: []) == "")
    }

    // The engine's JSON message is extracted; other bodies are kept short.
    @Test func extractsEngineMessages() {
        #expect(DockerEngineClient.engineMessage(Array(#"{"message":"No such container: x"}"#.utf8), status: 404) == "No such container: x")
        #expect(DockerEngineClient.engineMessage(Array("plain text\n".utf8), status: 500) == "plain text")
        #expect(DockerEngineClient.engineMessage([], status: 304).contains("already"))
    }

    // Errors name the call, the status and the engine's message.
    @Test func describesErrors() {
        let error = DockerEngineError(kind: .status(409), method: "POST", path: "/v1.41/containers/x/pause", message: "Container x is not running")
        #expect(error.description == "engine call POST /v1.41/containers/x/pause failed with HTTP 409: Container x is not running")
        #expect(error.isConflict)
    }

    // Filters become the engine's JSON map; none means no parameter.
    @Test func encodesFilters() throws {
        #expect(ContainerFilters().queryValue == nil)
        let value = try #require(ContainerFilters(names: ["web"], labels: ["a=b"], statuses: ["running"]).queryValue)
        let decoded = try JSONDecoder().decode([String: [String]].self, from: Data(value.utf8))
        #expect(decoded == ["name": ["web"], "label": ["a=b"], "status": ["running"]])
    }

    // The CPU limit keeps the container's own mode: NanoCpus stays NanoCpus, else quota/period.
    @Test func keepsCPUMode() throws {
        let nano = try JSONDecoder().decode(HostConfig.self, from: Data(#"{"NanoCpus":500000000,"CpuQuota":0,"CpuPeriod":0}"#.utf8))
        #expect(ResourceUpdate.cpuLimit(0.2, keepingModeOf: nano) == ResourceUpdate(nanoCpus: 200_000_000))
        let plain = try JSONDecoder().decode(HostConfig.self, from: Data(#"{"NanoCpus":0,"CpuQuota":0,"CpuPeriod":0}"#.utf8))
        #expect(ResourceUpdate.cpuLimit(0.2, keepingModeOf: plain) == ResourceUpdate(cpuQuota: 20_000, cpuPeriod: 100_000))
    }

    // stdout and stderr frames of a multiplexed exec stream are separated.
    @Test func demultiplexesStreams() {
        let frames: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 3] + Array("out".utf8) + [2, 0, 0, 0, 0, 0, 0, 3] + Array("err".utf8)
        let (stdout, stderr) = StreamDemultiplexer.split(frames)
        #expect(String(decoding: stdout, as: UTF8.self) == "out")
        #expect(String(decoding: stderr, as: UTF8.self) == "err")
    }
}
