import FaultlineCLI
import Fixtures
import DockerEngine
import Foundation

/// Throw-away containers for benchmarks: `sleep infinity` from the local test image with the host's
/// binaries mounted read-only, no network (or the engine's default bridge), labelled so set-up
/// sweeps leftovers; always removed.
enum BenchContainers {
    /// Starts `count` containers, runs `body` with their (id, name), and removes them whether `body`
    /// returned or threw.
    static func with<T>(_ count: Int, image: String, engine: DockerEngineClient, networkMode: String = "none",
                        _ body: ([(id: String, name: String)]) async throws -> T) async throws -> T {
        var created: [(id: String, name: String)] = []
        do {
            try await start(count, image: image, on: engine, networkMode: networkMode, into: &created)
            let result = try await body(created)
            await remove(created, from: engine)
            return result
        } catch {
            await remove(created, from: engine)
            throw error
        }
    }

    /// Starts `count` containers on `engine`, appending each to `created` as soon as it exists (so
    /// that a caller removes what was made also when a later one fails).
    static func start(_ count: Int, image: String, on engine: DockerEngineClient, networkMode: String = "none",
                      into created: inout [(id: String, name: String)]) async throws {
        for index in 0..<count {
            let name = "faultline-bench-\(index)-\(UUID().uuidString.prefix(6).lowercased())"
            let id = try await engine.createContainer(name: name, ContainerCreateRequest(
                image: image, cmd: ["/bin/sleep", "infinity"], labels: ["faultline.test": "bench"],
                hostConfig: .init(binds: ["/usr:/usr:ro", "/lib:/lib:ro", "/lib64:/lib64:ro", "/bin:/bin:ro"], networkMode: networkMode)))
            created.append((id, name))
            try await engine.startContainer(id)
        }
    }

    static func remove(_ containers: [(id: String, name: String)], from engine: DockerEngineClient) async {
        for container in containers { try? await engine.removeContainer(container.id) }
    }
}

/// A benchmark's scratch directory under the system's temporary directory.
enum BenchWorkDirectory {
    /// Creates `faultline-bench-NAME-UUID` and returns its path; pair it with `remove`.
    static func make(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "faultline-bench-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}
