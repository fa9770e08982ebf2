import FaultlineCLI
import Fixtures
import DockerEngine
import Foundation

/// Throw-away containers for benchmarks: `sleep infinity` from the local test image with the host's
/// binaries mounted read-only, no network, labelled so set-up sweeps leftovers; always removed.
enum BenchContainers {
    /// Starts `count` containers, runs `body` with their (id, name), and removes them whether `body`
    /// returned or threw.
    static func with<T>(_ count: Int, image: String, engine: DockerEngineClient,
                        _ body: ([(id: String, name: String)]) async throws -> T) async throws -> T {
        var created: [(id: String, name: String)] = []
        func removeAll() async { for container in created { try? await engine.removeContainer(container.id) } }
        do {
            for index in 0..<count {
                let name = "faultline-bench-\(index)-\(UUID().uuidString.prefix(6).lowercased())"
                let id = try await engine.createContainer(name: name, ContainerCreateRequest(
                    image: image, cmd: ["/bin/sleep", "infinity"], labels: ["faultline.test": "bench"],
                    hostConfig: .init(binds: ["/usr:/usr:ro", "/lib:/lib:ro", "/lib64:/lib64:ro", "/bin:/bin:ro"], networkMode: "none")))
                created.append((id, name))
                try await engine.startContainer(id)
            }
            let result = try await body(created)
            await removeAll()
            return result
        } catch {
            await removeAll()
            throw error
        }
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
